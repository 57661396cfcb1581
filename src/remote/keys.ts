import { readFileSync } from 'node:fs'
import { utils, type ParsedKey } from 'ssh2'
import { RemoteError } from './errors.js'
import { fingerprint } from './known-hosts.js'

/** A private key held in memory, with a label for messages (never the key itself). */
export interface PrivateKey {
  label: string
  key: ParsedKey
}

/** Where keys come from: files (`ssh.keys`, `--ssh-key`), key data strings (`ssh.key_data`), or bytes. */
export interface KeySources {
  paths?: readonly string[]
  data?: readonly string[]
  buffers?: readonly { label: string; key: Buffer | string }[]
}

export function parsePrivateKey(label: string, data: Buffer | string): PrivateKey {
  const parsed = utils.parseKey(data)
  if (parsed instanceof Error) {
    const why = /encrypted|passphrase/i.test(parsed.message)
      ? 'it is protected by a passphrase, and cutover cannot ask for one: use a key without a passphrase (keep it in a CI secret)'
      : `it is not a private key ssh2 can read (${parsed.message}); expected an OpenSSH or PEM private key`
    throw new RemoteError(`SSH key ${label}: ${why}`)
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key || !key.isPrivateKey()) throw new RemoteError(`SSH key ${label}: this is a public key; give the private key`)
  return { label: `${label} (${key.type} ${fingerprint(key.getPublicSSH())})`, key }
}

/** Reads every key into memory once; files are read here and never again. */
export function loadKeys(sources: KeySources, options: { allowNone?: boolean } = {}): PrivateKey[] {
  const keys: PrivateKey[] = []
  for (const path of sources.paths ?? []) {
    let data: Buffer
    try {
      data = readFileSync(path)
    } catch (e) {
      throw new RemoteError(`SSH key ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check ssh.keys / --ssh-key`)
    }
    keys.push(parsePrivateKey(path, data))
  }
  ;(sources.data ?? []).forEach((d, i) => keys.push(parsePrivateKey(`ssh.key_data[${i}]`, d)))
  for (const b of sources.buffers ?? []) keys.push(parsePrivateKey(b.label, b.key))
  if (keys.length === 0 && !options.allowNone) throw new RemoteError('no SSH key given: set ssh.keys or ssh.key_data in config/deploy.yml, or pass --ssh-key FILE')
  return keys
}

/** ssh's own defaults, tried when no key file is named (ssh.keys, IdentityFile). */
export const DEFAULT_KEY_FILES = ['id_rsa', 'id_ecdsa', 'id_ed25519', 'id_dsa']

/**
 * Key files ssh would only try: a default `~/.ssh/id_*` or an IdentityFile from an ssh config.
 * One that is missing, locked by a passphrase or unreadable is skipped, as ssh skips it when it
 * cannot ask; the keys named in deploy.yml or on the command line are strict (loadKeys).
 */
export function loadOptionalKeys(paths: readonly string[]): PrivateKey[] {
  return paths.flatMap((path) => {
    try {
      return [parsePrivateKey(path, readFileSync(path))]
    } catch {
      return []
    }
  })
}
