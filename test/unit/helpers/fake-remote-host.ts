import type { Argv } from '../../../src/argv/shell-join.js'
import type { ExecOptions, ExecResult, RemoteHost } from '../../../src/remote/host.js'

/** What the fake answers for one command: a result, or a thrown error (a dropped connection). */
export type Answer = Partial<ExecResult> | Error

/**
 * A RemoteHost that runs nothing: each command is answered by the first rule whose `match`
 * (a word of the argv, or a predicate) fits, else exit 0 with no output. Every command and
 * upload is recorded in order, so a test can say what was (and was not) sent to the host.
 */
export class FakeRemoteHost implements RemoteHost {
  readonly sent: { argv: Argv; options?: ExecOptions }[] = []
  readonly uploads: { content: string; path: string; mode: number }[] = []
  private readonly rules: { match: (argv: Argv) => boolean; answers: Answer[] }[] = []

  constructor(readonly name = 'vm1') {}

  /**
   * Answer commands containing `word` (or matching the predicate). With several answers, each
   * call takes the next one and the last repeats (a health poll: starting, starting, running).
   */
  on(match: string | ((argv: Argv) => boolean), ...answers: Answer[]): this {
    const fits = typeof match === 'string' ? (argv: Argv) => argv.includes(match) : match
    this.rules.push({ match: fits, answers })
    return this
  }

  async exec(argv: Argv, options?: ExecOptions): Promise<ExecResult> {
    this.sent.push({ argv, ...(options ? { options } : {}) })
    const rule = this.rules.find((r) => r.match(argv))
    const answer = rule ? (rule.answers.length > 1 ? rule.answers.shift()! : rule.answers[0]!) : {}
    if (answer instanceof Error) throw answer
    return { code: answer.code ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' }
  }

  async upload(content: string | Buffer, path: string, mode: number): Promise<void> {
    this.uploads.push({ content: String(content), path, mode })
  }

  async close(): Promise<void> {}

  /** The commands sent, each as one space-joined line, for readable assertions. */
  lines(): string[] {
    return this.sent.map((s) => s.argv.join(' '))
  }
}
