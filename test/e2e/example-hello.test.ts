import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { testbed } from './testbed.js'

const example = resolve(import.meta.dirname, '../../examples/hello')
const tag = `cutover-e2e/hello:${process.pid}`
const name = `cutover-e2e-hello-${process.pid}`
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } }).trim()

afterAll(() => {
  execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' })
  execFileSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' })
})

describe('examples/hello', () => {
  it('builds FROM the testbed base image and serves /up and /version', async () => {
    docker('build', '-q', '--build-arg', `BASE=${testbed.baseImage}`, '--build-arg', 'VERSION=v1-rc.2', '-t', tag, example)
    docker('run', '-d', '--name', name, '-p', '127.0.0.1::80', tag)
    const port = docker('port', name, '80/tcp').split('\n')[0]!.split(':').pop()
    const get = async (path: string) => {
      for (let i = 0; i < 50; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}${path}`)
          return { status: r.status, body: await r.text() }
        } catch {
          await new Promise((r) => setTimeout(r, 100))
        }
      }
      throw new Error(`no answer on 127.0.0.1:${port}${path}`)
    }
    expect(await get('/up')).toEqual({ status: 200, body: 'ok\n' })
    expect(await get('/version')).toEqual({ status: 200, body: 'v1-rc.2\n' })
    expect((await get('/nope')).status).toBe(404)
  })

  it('has a Kamal deploy.yml that points at this testbed', () => {
    const yml = readFileSync(join(example, 'config/deploy.yml'), 'utf8')
    expect(yml).toMatch(/^service: hello$/m)
    // Written for the default two hosts (TESTBED_HOSTS=3 adds vm3, which the example leaves out).
    expect([...yml.matchAll(/^ {6}- (\S+)$/gm)].map((m) => m[1])).toEqual(testbed.hosts.slice(0, 2).map((h) => h.address))
    expect(yml).toContain(`server: ${testbed.registry.server}`)
    expect(yml).toContain(`BASE: ${testbed.baseImage}`)
  })
})
