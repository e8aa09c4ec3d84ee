/**
 * The rhythm of a background worker: one pass at a time, on an interval and whenever asked; a pass
 * asked while one runs comes right after it, and a pass that says more is due (a full batch) is
 * followed at once by another. A failed pass is logged and the next one waits for its turn.
 */
export function repeatingPasses(run: () => Promise<boolean>, options: { intervalMs: number; onError(err: unknown): void }) {
  let stopped = false
  let inFlight: Promise<void> | null = null
  let again = false

  async function runPasses() {
    do {
      again = false
      try {
        if (await run()) again = true
      } catch (err) {
        if (!stopped) options.onError(err)
        again = false
      }
    } while (again && !stopped)
  }

  function pass() {
    if (stopped) return
    if (inFlight) {
      again = true
      return
    }
    inFlight = runPasses().finally(() => {
      inFlight = null
    })
  }

  const timer = setInterval(pass, options.intervalMs)
  timer.unref()
  pass()

  return {
    pass,
    get stopped() {
      return stopped
    },
    /** Stops the interval and waits for the pass in flight. */
    async stop() {
      stopped = true
      clearInterval(timer)
      await inFlight
    },
  }
}
