import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Tags } from 'yaml'
import { renderErb } from './erb.js'
import type { ConfigError, ConfigWarning } from './errors.js'

/** Where a key path came from, so errors can point at the file and line of the bad key. */
export interface SourceEntry {
  file: string
  line: number
  /** True when the value is not a map: a later file's value then replaces everything below it. */
  replaces: boolean
}
export type SourceMap = Map<string, SourceEntry>

export interface ParsedYaml {
  data: Record<string, unknown>
  sources: SourceMap
  /** From ERB: an `ENV["X"]` whose variable is not set (it reads as ""). */
  warnings: ConfigWarning[]
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: ConfigError[] }

export const joinPath = (path: readonly (string | number)[]): string => path.join('/')

// Bounds for hostile input: alias bombs must not blow up time or memory.
const MAX_ALIASES = 100
const MAX_SOURCE_ENTRIES = 20_000

/**
 * Parses one config file as Kamal does (ERB first, in the subset erb.ts evaluates from `env`; then
 * Psych reads YAML 1.1: `<<` merge keys, `40_000_000`, `yes`/`no`), keeping the line of every key.
 * Never throws for bad input.
 */
export function parseYamlConfig(file: string, source: string, env: Readonly<Record<string, string | undefined>> = {}): Parsed<ParsedYaml> {
  const erb = renderErb(file, source, env)
  const text = erb.errors.length > 0 ? source : erb.text
  const lineCounter = new LineCounter()
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { version: '1.1', merge: true, customTags: psychTags, lineCounter, prettyErrors: true, logLevel: 'silent', uniqueKeys: true })
  } catch (err) {
    return { ok: false, errors: [{ file, keyPath: '', message: `could not be read as YAML (${firstLine(err)})`, expected: 'valid YAML' }] }
  }
  const lineOf = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lineCounter.linePos(offset).line)

  if (erb.errors.length > 0) {
    // Name the key on each refused line when the file (tags as written) parses well enough to know it.
    const sources = doc.errors.length === 0 ? buildSourceMap(doc, file, lineOf) : new Map<string, SourceEntry>()
    for (const e of erb.errors) e.keyPath = [...sources].find(([, s]) => s.line === e.line)?.[0] ?? ''
    return { ok: false, errors: erb.errors }
  }
  const named = (list: ConfigWarning[], sources: SourceMap): ConfigWarning[] =>
    list.map((w) => ({ ...w, keyPath: [...sources].find(([, s]) => s.line === w.line)?.[0] ?? '' }))

  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) {
    return {
      ok: false,
      errors: problems.map((e) => ({
        file,
        keyPath: '',
        line: e.linePos?.[0]?.line,
        message: e.code === 'DUPLICATE_KEY' ? 'a key is given twice in the same map' : `is not valid YAML: ${firstLine(e)}`,
        expected: e.code === 'DUPLICATE_KEY' ? 'each key once (a later file, config/deploy.DEST.yml, can override it)' : 'valid YAML',
      })),
    }
  }

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (err) {
    return { ok: false, errors: [{ file, keyPath: '', message: `could not be expanded (${firstLine(err)})`, expected: `at most ${MAX_ALIASES} alias uses and no alias cycles` }] }
  }
  if (data === null || data === undefined) {
    return { ok: false, errors: [{ file, keyPath: '', line: 1, message: 'is empty', expected: 'a map with at least service, image, servers and registry' }] }
  }
  if (typeof data !== 'object' || Array.isArray(data) || !isMap(doc.contents)) {
    return { ok: false, errors: [{ file, keyPath: '', line: 1, message: 'is not a map of keys', expected: 'a map with at least service, image, servers and registry' }] }
  }
  const sources = buildSourceMap(doc, file, lineOf)
  const exotic = findExoticValues(data, [], file, sources)
  if (exotic.length > 0) return { ok: false, errors: exotic }
  return { ok: true, value: { data: data as Record<string, unknown>, sources, warnings: named(erb.warnings, sources) } }
}

/**
 * Where the yaml library's YAML 1.1 schema and Ruby's Psych (what Kamal parses with) disagree on
 * plain scalars, follow Psych: `.` is a string, not a float (Kamal's docs write `context: .`), and
 * only yes/no/true/false/on/off are booleans, not `y` and `n`.
 */
function psychTags(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || !('test' in t) || !t.test || t.format) return t
    // Only the YAML 1.1 tags (a `%YAML 1.2` directive switches to the core schema, left as is).
    if (t.tag === 'tag:yaml.org,2002:bool' && /\[Oo\]n|\[Oo\]ff/.test(t.test.source)) {
      return { ...t, test: t.identify?.(true) ? /^(?:yes|true|on)$/i : /^(?:no|false|off)$/i }
    }
    if (t.tag === 'tag:yaml.org,2002:float' && t.test.source.includes('[0-9_]') && !t.test.source.includes('inf')) {
      return { ...t, test: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/ }
    }
    return t
  })
}

/** Records the line of every key and list item, following aliases and `<<` merges as toJS does. */
function buildSourceMap(doc: Document.Parsed, file: string, lineOf: (o: number | undefined) => number | undefined): SourceMap {
  const out: SourceMap = new Map()
  const record = (path: string, at: number | undefined, value: unknown): void => {
    const line = lineOf(at)
    if (line === undefined || out.size >= MAX_SOURCE_ENTRIES) return
    out.set(path, { file, line, replaces: !isMap(resolve(value)) })
  }
  const resolve = (n: unknown, depth = 0): unknown => (isAlias(n) && depth < MAX_ALIASES ? resolve(n.resolve(doc), depth + 1) : n)

  const walk = (raw: unknown, path: string[], budget: { left: number }): void => {
    if (--budget.left < 0) return
    const node = resolve(raw)
    if (isMap(node)) {
      const explicit = new Set(node.items.filter((p) => !isMergeKey(p.key)).map((p) => keyString(p.key)))
      const merged = new Set<string>()
      for (const pair of node.items) {
        if (isMergeKey(pair.key)) {
          // Explicit keys win over merged ones, and earlier merge sources win over later ones.
          const v = resolve(pair.value)
          for (const src of isSeq(v) ? v.items : [v]) {
            const m = resolve(src)
            if (!isMap(m)) continue
            for (const p of m.items) {
              const k = keyString(p.key)
              if (explicit.has(k) || merged.has(k) || isMergeKey(p.key)) continue
              merged.add(k)
              record(joinPath([...path, k]), nodeStart(p.key), p.value)
              walk(p.value, [...path, k], budget)
            }
          }
          continue
        }
        const k = keyString(pair.key)
        record(joinPath([...path, k]), nodeStart(pair.key), pair.value)
        walk(pair.value, [...path, k], budget)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        record(joinPath([...path, String(i)]), nodeStart(item), item)
        walk(item, [...path, String(i)], budget)
      })
    }
  }
  walk(doc.contents, [], { left: MAX_SOURCE_ENTRIES })
  return out
}

const isMergeKey = (key: unknown): boolean => isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<')
const nodeStart = (n: unknown): number | undefined => (n && typeof n === 'object' && 'range' in n ? (n as Node).range?.[0] : undefined)
function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value)
  if (key && typeof key === 'object' && 'toJSON' in key) return String((key as { toJSON(): unknown }).toJSON())
  return String(key)
}

/** YAML 1.1 types a Kamal config never needs (sets, ordered maps, binary) are rejected by key. */
function findExoticValues(value: unknown, path: string[], file: string, sources: SourceMap): ConfigError[] {
  if (value instanceof Map || value instanceof Set || value instanceof Uint8Array) {
    const keyPath = joinPath(path)
    return [{ file, keyPath, line: sources.get(keyPath)?.line, message: 'uses a YAML set, ordered map or binary value', expected: 'a plain map, list or string' }]
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findExoticValues(v, [...path, String(i)], file, sources))
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([k, v]) => {
      // Validation strips `__proto__` (it would replace an object's prototype), so say it here.
      if (k !== '__proto__') return findExoticValues(v, [...path, k], file, sources)
      const keyPath = joinPath([...path, k])
      return [{ file, keyPath, line: sources.get(keyPath)?.line, message: 'cannot be used as a key', expected: 'a Kamal or cutover key' }]
    })
  }
  return []
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return (msg.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')
}

/** Kamal's destination merge (ActiveSupport deep_merge): maps merge, anything else replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = Object.hasOwn(out, k) ? out[k] : undefined
    // defineProperty, so a `__proto__` key in a config stays a plain (and rejected) key.
    Object.defineProperty(out, k, { value: isPlainMap(b) && isPlainMap(v) ? deepMerge(b, v) : v, enumerable: true, writable: true, configurable: true })
  }
  return out
}

export const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

/** Source map of the merged config: a later file's entry wins, and replaces what was under it. */
export function mergeSources(base: SourceMap, over: SourceMap): SourceMap {
  const out = new Map(base)
  for (const [path, entry] of over) {
    if (entry.replaces) for (const p of out.keys()) if (p.startsWith(`${path}/`)) out.delete(p)
    out.set(path, entry)
  }
  return out
}

/** The line of a key path, or of its nearest ancestor that has one (e.g. for a missing key). */
export function locate(sources: SourceMap, keyPath: string, fallbackFile: string): { file: string; line?: number } {
  for (let p = keyPath; ; p = p.slice(0, Math.max(0, p.lastIndexOf('/')))) {
    const hit = sources.get(p)
    if (hit) return { file: hit.file, line: hit.line }
    if (p === '') return { file: fallbackFile }
  }
}
