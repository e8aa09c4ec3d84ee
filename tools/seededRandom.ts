/**
 * mulberry32: a small, fast generator of 32-bit state whose sequence a seed fixes, so that a seeded
 * help desk, a fuzzing run or a property test's random activity can be replayed exactly. Numbers
 * in [0, 1), as Math.random. Not for anything secret.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
