/** Small statistics for timings: the benchmarks compare medians (machines are noisy). */
export interface Summary {
  n: number
  median: number
  /** The middle half of the samples: 25th and 75th percentiles. */
  p25: number
  p75: number
  min: number
  max: number
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return { n: sorted.length, median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN }
}

/** Named series of samples (ms), filled as the benchmark runs. */
export class Samples {
  private readonly series = new Map<string, number[]>()
  add(name: string, ms: number): void {
    const list = this.series.get(name) ?? []
    list.push(ms)
    this.series.set(name, list)
  }
  get(name: string): Summary {
    return summarize(this.series.get(name) ?? [])
  }
  has(name: string): boolean {
    return (this.series.get(name)?.length ?? 0) > 0
  }
  median(name: string): number {
    return this.get(name).median
  }
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a')
export const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a')
