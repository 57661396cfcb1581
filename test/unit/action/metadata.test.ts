/**
 * Checks on the Action's own files: action.yml, the example workflows and docs/action.md.
 *
 * @action-validator/core 0.6.0 validates workflows fully, but its action schema lists runtimes
 * only up to node20 and so rejects `using: node24`. action.yml is therefore validated with the
 * runtime swapped for node20 (so every other rule of the schema still applies), and the
 * runtime itself is checked here against the runtimes GitHub documents for JavaScript actions.
 */
import { validateAction, validateWorkflow } from '@action-validator/core'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readInputs } from '../../../src/action/inputs.js'

const ROOT = join(import.meta.dirname, '../../..')
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8')
const actionText = read('action.yml')

interface Metadata {
  name: string
  description: string
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string; post?: string; 'post-if'?: string }
}
const meta = parse(actionText) as Metadata

/** The runtimes GitHub documents for `runs.using` of a JavaScript action today. */
const NODE_RUNTIMES = ['node20', 'node24']

const ISSUE_INPUTS = [
  'command', 'config', 'destination', 'version', 'ssh-private-key', 'known-hosts', 'registry-username', 'registry-password', 'github-token',
  'wait-for-checks', 'checks', 'allowed-conclusions', 'gate-timeout', 'skip-build', 'skip-push', 'secrets',
]
const OUTPUTS = ['version', 'image', 'changed', 'url', 'result']

describe('action.yml', () => {
  it('passes the action schema, runtime aside', () => {
    expect(meta.runs.using).toBe('node24')
    const swapped = actionText.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20')
    expect(swapped).not.toBe(actionText)
    expect(validateAction(swapped).errors).toEqual([])
  })

  it('the schema check is real: it rejects a broken action.yml', () => {
    const broken = actionText.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20').replace(/^(\s+)main:/m, '$1mian:')
    expect(validateAction(broken).errors.length).toBeGreaterThan(0)
  })

  it('runs one bundle for main and post, always, on a documented runtime; the bundle is what `npm run build` writes', () => {
    expect(NODE_RUNTIMES).toContain(meta.runs.using)
    expect(meta.runs).toMatchObject({ main: 'dist/action/index.js', post: 'dist/action/index.js', 'post-if': 'always()' })
    const build = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.build!
    expect(build).toBe('node scripts/build.mjs')
    expect(read('scripts/build.mjs')).toContain(`ncc('src/action/index.ts', action, [])`)
    expect(read('scripts/build.mjs')).toContain(`const action = join(dist, 'action')`)
  })

  it('declares every input of the issue, kebab-case and described', () => {
    expect(Object.keys(meta.inputs)).toEqual(expect.arrayContaining(ISSUE_INPUTS))
    for (const [name, input] of Object.entries(meta.inputs)) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
      expect(input.description.trim().length, name).toBeGreaterThan(20)
      if (input.default !== undefined) expect(typeof input.default, name).toBe('string')
    }
  })

  it('the code reads exactly the declared inputs', () => {
    const read = new Set<string>()
    try {
      readInputs({ get: (n) => (read.add(n), ''), setSecret: () => {} })
    } catch {
      // Empty inputs are invalid; only the names read matter here.
    }
    expect([...read].sort()).toEqual(Object.keys(meta.inputs).sort())
  })

  it('declares the outputs the code sets, each described', () => {
    expect(Object.keys(meta.outputs).sort()).toEqual([...OUTPUTS].sort())
    const set = [...read('src/action/main.ts').matchAll(/core\.setOutput\('([^']+)'/g)].map((m) => m[1])
    expect(set.sort()).toEqual([...OUTPUTS].sort())
    for (const o of Object.values(meta.outputs)) expect(o.description.length).toBeGreaterThan(10)
  })
})

const workflows = readdirSync(join(ROOT, 'docs/workflows')).filter((f) => f.endsWith('.yml'))

interface Step {
  uses?: string
  with?: Record<string, string>
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  concurrency?: { group: string }
  jobs: Record<string, { steps?: Step[]; uses?: string; with?: Record<string, string>; secrets?: string }>
}
const workflow = (file: string) => parse(read(`docs/workflows/${file}`)) as Workflow
/** A job's cutover steps: its own, or those of the local reusable workflow it calls (`./.github/workflows/X.yml` is docs/workflows/X.yml here). */
const cutoverSteps = (file: string): { step: Step; command: string }[] =>
  Object.values(workflow(file).jobs).flatMap((job) => {
    if (job.uses) {
      const called = /^\.\/\.github\/workflows\/([^/]+\.yml)$/.exec(job.uses)?.[1]
      if (!called) throw new Error(`${file}: ${job.uses} is not a local reusable workflow`)
      return cutoverSteps(called).map((s) => ({ ...s, command: job.with?.command ?? s.command }))
    }
    return (job.steps ?? []).filter((s) => s.uses?.endsWith('/cutover@v1')).map((step) => ({ step, command: /^\$\{\{/.test(step.with?.command ?? '') ? 'deploy' : (step.with?.command ?? 'deploy') }))
  })

/**
 * What each documented workflow's token must be allowed, from what it does (issue 14, fix 4):
 * a build pushes to ghcr.io with GITHUB_TOKEN (packages: write), a rollback or a plan only reads
 * it, the gate reads checks and statuses, Deployments and the PR comment are written.
 */
const PERMISSIONS: Record<string, Record<string, string>> = {
  'deploy.yml': { contents: 'read', checks: 'read', statuses: 'read', deployments: 'write', packages: 'write' },
  'scheduled.yml': { contents: 'read', checks: 'read', statuses: 'read', deployments: 'write', packages: 'write' },
  'rollback.yml': { contents: 'read', deployments: 'write', packages: 'read' },
  'plan.yml': { contents: 'read', packages: 'read', 'pull-requests': 'write' },
  'preview.yml': { contents: 'read', checks: 'read', statuses: 'read', deployments: 'write', 'pull-requests': 'write', packages: 'write' },
  'preview-from-forks.yml': { contents: 'read', checks: 'read', statuses: 'read', deployments: 'write', 'pull-requests': 'write', packages: 'write' },
}

describe('docs/workflows', () => {
  it('has the push, preview, schedule, rollback and plan examples, and the reusable production workflow they share', () => {
    expect(workflows).toEqual(expect.arrayContaining(['deploy.yml', 'preview.yml', 'scheduled.yml', 'rollback.yml', 'preview-from-forks.yml', 'plan.yml', 'production.yml']))
  })

  it.each(workflows)('%s passes the workflow schema', (file) => {
    expect(validateWorkflow(read(`docs/workflows/${file}`)).errors).toEqual([])
  })

  it('the workflow check is real: a misspelt key fails', () => {
    const broken = read('docs/workflows/production.yml').replace('runs-on:', 'run-on:')
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0)
  })

  it.each(workflows.filter((f) => f !== 'production.yml'))('%s passes only declared inputs to cutover, with the required ones', (file) => {
    const steps = cutoverSteps(file)
    expect(steps.length).toBeGreaterThan(0)
    for (const { step } of steps) {
      for (const key of Object.keys(step.with ?? {})) expect(Object.keys(meta.inputs), `${file}: ${key}`).toContain(key)
      for (const [name, input] of Object.entries(meta.inputs)) if (input.required) expect(step.with, `${file}: ${name}`).toHaveProperty(name)
    }
  })

  it.each(Object.entries(PERMISSIONS))('%s grants exactly what it does', (file, expected) => {
    expect(workflow(file).permissions).toEqual(expected)
    const steps = cutoverSteps(file)
    const ghcrToken = steps.some(({ step }) => /secrets\.GITHUB_TOKEN|github\.token/.test(step.with?.['registry-password'] ?? ''))
    const builds = steps.some(({ command }) => command === 'deploy' || command === 'preview-deploy')
    if (ghcrToken) expect(expected.packages, file).toBe(builds ? 'write' : 'read')
    if (steps.some(({ command }) => command.startsWith('preview') || command === 'plan')) expect(expected['pull-requests'], file).toBe('write')
  })

  it('production\'s secrets are listed once: deploy, scheduled, rollback and plan call production.yml with secrets: inherit, and pass no secrets of their own', () => {
    for (const file of ['deploy.yml', 'scheduled.yml', 'rollback.yml', 'plan.yml']) {
      const calls = Object.values(workflow(file).jobs).filter((j) => j.uses)
      expect(calls.map((j) => [j.uses, j.secrets]), file).toEqual([['./.github/workflows/production.yml', 'inherit']])
      expect(read(`docs/workflows/${file}`), file).not.toMatch(/secrets\.(?!GITHUB_TOKEN)/)
    }
    expect(Object.keys(workflow('production.yml').on)).toEqual(['workflow_call'])
  })

  it('previews never get production\'s secrets', () => {
    for (const file of ['preview.yml', 'preview-from-forks.yml']) expect(read(`docs/workflows/${file}`), file).not.toMatch(/secrets\.(DATABASE_URL|RAILS_MASTER_KEY)/)
  })

  it('rollback runs from workflow_dispatch with a concurrency group per environment', () => {
    const wf = parse(read('docs/workflows/rollback.yml')) as Workflow
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch'])
    expect(wf.concurrency!.group).toContain('${{ inputs.destination }}')
  })
})

describe('docs/action.md', () => {
  const doc = read('docs/action.md')
  it.each([...Object.keys(meta.inputs), ...OUTPUTS])('documents `%s`', (name) => {
    expect(doc).toContain(`\`${name}\``)
  })
  it.each(['x-cutover:', 'preview:', 'host:', 'hosts:', 'env:', 'inherit_secrets:', 'pull_request_target', 'workflow_run'])('covers %s', (text) => {
    expect(doc).toContain(text)
  })
})

describe('README.md', () => {
  const readme = read('README.md')
  // The workflow examples in the front door are real workflows too: each must validate and use
  // only inputs action.yml declares.
  const examples = [...readme.matchAll(/```yaml\n(on:[\s\S]*?)```/g)].map((m) => m[1]!)

  it('shows the reusable production workflow and the five that use it or stand alone: push deploy, config-less push deploy, PR previews, scheduled redeploy, rollback', () => {
    const triggers = examples.map((e) => Object.keys((parse(e) as { on: Record<string, unknown> }).on).sort().join(','))
    expect(triggers).toEqual(['workflow_call', 'push', 'push', 'pull_request', 'schedule', 'workflow_dispatch'])
  })

  it('the config-less workflow is checkout plus one step, with no config input', () => {
    const wf = parse(`name: example\n${examples[2]}`) as Workflow
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps ?? [])
    expect(steps.map((s) => s.uses)).toEqual(['actions/checkout@v4', 'your-org/cutover@v1'])
    expect(Object.keys(steps[1]?.with ?? {}).sort()).toEqual(['image', 'known-hosts', 'proxy-host', 'servers', 'ssh-private-key'])
  })

  it.each([0, 1, 2, 3, 4, 5])('workflow example %i validates and passes only declared inputs', (i) => {
    const text = `name: example\n${examples[i]}`
    expect(validateWorkflow(text).errors).toEqual([])
    const wf = parse(text) as Workflow
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses !== 'your-org/cutover@v1') continue
        for (const name of Object.keys(step.with ?? {})) expect(Object.keys(meta.inputs)).toContain(name)
      }
    }
  })

  it.each([...Object.keys(meta.inputs), ...OUTPUTS])('documents `%s`', (name) => {
    expect(readme).toContain(`\`${name}\``)
  })

  it.each(['x-cutover:', 'x-cutover.preview:', 'inherit_secrets', 'builder.cache.type: local', 'cutover.digest'])('documents the config addition %s', (text) => {
    expect(readme).toContain(text)
  })
})
