/**
 * The benchmark's pictures, as SVG text written by hand: two chart kinds, a few dozen shapes
 * each, so no charting library (and no browser) is needed to make them, and the files diff as
 * text. Colours are fixed per series so the two charts read alike.
 */

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2']
const ERROR = '#e15759'
const FONT = 'font-family="system-ui, sans-serif" font-size="12"'

/** A "nice" axis maximum and step: 1, 2 or 5 × a power of ten. */
function niceStep(max: number, ticks = 5): { top: number; step: number } {
  const raw = Math.max(max, 1) / ticks
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow
  return { top: Math.ceil(Math.max(max, 1) / step) * step, step }
}

export interface TrafficBucket {
  /** Requests answered 200 per version served, in this bucket. */
  byVersion: Record<string, number>
  errors: number
}

export interface Phase {
  /** ms from the chart's start. */
  atMs: number
  label: string
}

/**
 * Requests per bucket (100 ms) as stacked bars: one colour per version served, errors in red on
 * top; the deploy's phases as labelled vertical lines.
 */
export function trafficChart(title: string, buckets: readonly TrafficBucket[], bucketMs: number, phases: readonly Phase[], versions: readonly string[]): string {
  const W = 900
  const H = 360
  const m = { l: 50, r: 20, t: 40, b: 110 }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const totals = buckets.map((b) => Object.values(b.byVersion).reduce((a, n) => a + n, 0) + b.errors)
  const { top, step } = niceStep(Math.max(...totals, 1))
  const bw = pw / Math.max(buckets.length, 1)
  const y = (v: number): number => m.t + ph - (v / top) * ph
  const x = (ms: number): number => m.l + (ms / bucketMs) * bw
  const parts: string[] = []
  for (let v = 0; v <= top; v += step) parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
  buckets.forEach((b, i) => {
    let base = 0
    const stack: [number, string][] = [...versions.map((v, k) => [b.byVersion[v] ?? 0, PALETTE[k % PALETTE.length]!] as [number, string]), [b.errors, ERROR]]
    for (const [n, colour] of stack) {
      if (n <= 0) continue
      parts.push(`<rect x="${(m.l + i * bw).toFixed(1)}" y="${y(base + n).toFixed(1)}" width="${Math.max(bw - 0.5, 0.5).toFixed(1)}" height="${(y(base) - y(base + n)).toFixed(1)}" fill="${colour}"/>`)
      base += n
    }
  })
  phases.forEach((p, i) => {
    const px = x(p.atMs).toFixed(1)
    parts.push(`<line x1="${px}" x2="${px}" y1="${m.t}" y2="${m.t + ph}" stroke="#333" stroke-dasharray="3,3"/>`)
    parts.push(`<text transform="translate(${px},${m.t + ph + 8}) rotate(45)" font-size="10">${i + 1}. ${esc(p.label)}</text>`)
  })
  const seconds = Math.ceil((buckets.length * bucketMs) / 1000)
  for (let s = 0; s <= seconds; s++) parts.push(`<text x="${x(s * 1000).toFixed(1)}" y="${m.t + ph + 100}" text-anchor="middle" font-size="10">${s}s</text>`)
  const legend = [...versions.map((v, k) => [v, PALETTE[k % PALETTE.length]!] as const), ['failed', ERROR] as const]
    .map(([label, colour], k) => `<rect x="${m.l + k * 170}" y="14" width="12" height="12" fill="${colour}"/><text x="${m.l + k * 170 + 16}" y="24">${esc(label)}</text>`)
    .join('')
  return svg(W, H, `<text x="${W / 2}" y="${H - 4}" text-anchor="middle">${esc(title)} (requests per ${bucketMs} ms)</text>${legend}${parts.join('')}`)
}

export interface Series {
  name: string
  /** [x, y] points, x ascending. */
  points: [number, number][]
}

/** Lines with dots: y (ms) against x (hosts). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const W = 640
  const H = 380
  const m = { l: 60, r: 180, t: 30, b: 50 }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const xs = series.flatMap((s) => s.points.map((p) => p[0]))
  const xMax = Math.max(...xs, 1)
  const { top, step } = niceStep(Math.max(...series.flatMap((s) => s.points.map((p) => p[1])), 1))
  const x = (v: number): number => m.l + (v / xMax) * pw
  const y = (v: number): number => m.t + ph - (v / top) * ph
  const parts: string[] = []
  for (let v = 0; v <= top; v += step) parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
  for (const v of [...new Set(xs)].sort((a, b) => a - b)) parts.push(`<text x="${x(v)}" y="${m.t + ph + 18}" text-anchor="middle">${v}</text>`)
  series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!
    const pts = s.points.filter((p) => Number.isFinite(p[1]))
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ')}"/>`)
    for (const p of pts) parts.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${colour}"/>`)
    parts.push(`<rect x="${m.l + pw + 16}" y="${m.t + k * 22}" width="12" height="12" fill="${colour}"/><text x="${m.l + pw + 32}" y="${m.t + k * 22 + 10}">${esc(s.name)}</text>`)
  })
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`)
  parts.push(`<text transform="translate(16,${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`)
  return svg(W, H, `<text x="${m.l}" y="18" font-weight="bold">${esc(title)}</text>${parts.join('')}`)
}

const svg = (w: number, h: number, body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT}><rect width="${w}" height="${h}" fill="white"/>${body}</svg>\n`
