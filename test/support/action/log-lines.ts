/** The log groups in a step's stdout: name and lines between `::group::` and `::endgroup::`. */
export function logGroups(lines: readonly string[]): { name: string; lines: string[] }[] {
  const out: { name: string; lines: string[] }[] = []
  let open: { name: string; lines: string[] } | undefined
  for (const line of lines) {
    if (line.startsWith('::group::')) {
      if (open) throw new Error(`group "${line.slice(9)}" opened inside "${open.name}"`)
      open = { name: line.slice(9), lines: [] }
    } else if (line === '::endgroup::') {
      if (!open) throw new Error('::endgroup:: without a group')
      out.push(open)
      open = undefined
    } else if (open) {
      open.lines.push(line)
    }
  }
  if (open) throw new Error(`group "${open.name}" never closed`)
  return out
}

const unescape = (s: string): string => s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')

/** `::error` workflow commands (annotations): their properties and message, unescaped as the runner reads them. */
export function errorCommands(lines: readonly string[]): { props: Record<string, string>; message: string }[] {
  return lines
    .map((l) => /^::error(?: ([^:]*))?::(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      props: Object.fromEntries((m[1] ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), unescape(kv.slice(kv.indexOf('=') + 1))])),
      message: unescape(m[2]!),
    }))
}
