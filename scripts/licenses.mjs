// The licence notices for a bundle whose code is split into chunks. ncc's `--license` only sees
// the modules of the entry chunk, so a lazily loaded chunk (the Action's @actions/cache) would ship
// without its notices. This walks the production dependency tree from package.json instead: a
// superset of what the bundler pulled in, never a subset, and the same on every machine because
// node_modules comes from package-lock.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i

function findPackageDir(name, fromDir, root) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dir === root || dirname(dir) === dir) return undefined
  }
}

function collect(root) {
  const seen = new Map()
  const queue = [root]
  while (queue.length > 0) {
    const dir = queue.shift()
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies }
    for (const name of Object.keys(deps)) {
      const found = findPackageDir(name, dir, root)
      if (!found || seen.has(found)) continue
      seen.set(found, JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')))
      queue.push(found)
    }
  }
  return seen
}

/** The notices text: one block per package (name, licence, licence file), sorted by name and version. */
export function productionLicenses(root) {
  const blocks = new Map()
  for (const [dir, pkg] of collect(root)) {
    const file = readdirSync(dir).find((f) => LICENSE_FILE.test(f))
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)'
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN')
    blocks.set(`${pkg.name}@${pkg.version}`, `${pkg.name}@${pkg.version}\n${license}\n${text}\n`)
  }
  return [...blocks.keys()].sort().map((k) => blocks.get(k)).join('\n')
}
