// The part of autocannon's API the HTTP scenarios use (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }
  interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    latency: Histogram
    requests: Histogram & { sent: number }
    throughput: Histogram
    statusCodeStats: Record<string, { count: number }>
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    pipelining?: number
    timeout?: number
    headers?: Record<string, string>
    requests?: { method?: string; path?: string; headers?: Record<string, string> }[]
    /** 2xx only; anything else counts in non2xx. */
    expectBody?: string
  }
  /** An event emitter ("response", "done", …) that is also a promise of the result. */
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): Instance
    on(event: string, listener: (...args: unknown[]) => void): Instance
    stop(): void
  }
  function autocannon(options: Options): Instance
  export default autocannon
}
