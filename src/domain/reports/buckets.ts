/**
 * Durations are kept as counts per bucket, so that medians and percentiles of any range, folder,
 * agent or tag come from summing a few rows. Buckets are as fine as people read the figures:
 * a minute under an hour, five minutes under six hours, half an hour under two days, six hours
 * under thirty days, then a day.
 */
const STEPS: readonly { upTo: number; width: number }[] = [
  { upTo: 3_600, width: 60 },
  { upTo: 21_600, width: 300 },
  { upTo: 172_800, width: 1_800 },
  { upTo: 2_592_000, width: 21_600 },
  { upTo: Number.POSITIVE_INFINITY, width: 86_400 },
]

/** The highest bucket: a duration of about ninety years; longer ones are counted there. */
export const LAST_BUCKET = 32_000

interface Step {
  first: number
  from: number
  upTo: number
  width: number
}

const STEP_TABLE: Step[] = (() => {
  const out: Step[] = []
  let first = 0
  let from = 0
  for (const s of STEPS) {
    out.push({ first, from, upTo: s.upTo, width: s.width })
    if (Number.isFinite(s.upTo)) first += (s.upTo - from) / s.width
    from = s.upTo
  }
  return out
})()

export function bucketOf(seconds: number): number {
  const s = Math.max(0, seconds)
  for (const step of STEP_TABLE) {
    if (s < step.upTo) return Math.min(LAST_BUCKET, step.first + Math.floor((s - step.from) / step.width))
  }
  return LAST_BUCKET
}

/** The seconds a bucket covers, [from, to). */
export function bucketBounds(bucket: number): [number, number] {
  let step = STEP_TABLE[0]!
  for (const s of STEP_TABLE) if (bucket >= s.first) step = s
  const from = step.from + (bucket - step.first) * step.width
  return [from, from + step.width]
}

/**
 * The value at a quantile (0.5 median, 0.9) of durations given as bucket → count: the bucket
 * holding the nearest rank, read proportionally inside it. Null without any duration.
 */
export function quantileOf(histogram: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0
  for (const c of histogram.values()) total += c
  if (total <= 0) return null
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    const count = histogram.get(bucket)!
    if (count <= 0) continue
    if (seen + count >= rank) {
      const [from, to] = bucketBounds(bucket)
      return Math.round(from + ((to - from) * (rank - seen - 0.5)) / count)
    }
    seen += count
  }
  return null
}
