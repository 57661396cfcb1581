import { describe, expect, it } from 'vitest'
import { execLocal } from '../../src/local-exec.js'

describe('execLocal and its abort signal', () => {
  it('stops a running program and rejects with the reason', async () => {
    const controller = new AbortController()
    const lines: string[] = []
    const running = execLocal(['sh', '-c', 'echo started; exec sleep 30'], { signal: controller.signal, onLine: (l) => lines.push(l) })
    for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(lines).toEqual(['started'])
    controller.abort(new Error('the CI gate failed'))
    await expect(running).rejects.toThrow('sh -c echo started; exec sleep 30 was stopped: the CI gate failed')
  })

  it('does not start a program when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(execLocal(['sh', '-c', 'exit 0'], { signal: controller.signal })).rejects.toThrow(/was stopped: /)
  })

  it('without an abort, a non-zero exit still resolves', async () => {
    const controller = new AbortController()
    await expect(execLocal(['sh', '-c', 'exit 3'], { signal: controller.signal })).resolves.toMatchObject({ code: 3 })
  })
})
