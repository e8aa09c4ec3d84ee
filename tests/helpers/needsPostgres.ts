/**
 * Suites that need a PostgreSQL server (two instances or processes on one database, EXPLAIN
 * plans, timings the embedded database cannot give) run only with TEST_DATABASE_URL set, as CI
 * does; without it they say so in the run's output rather than pass in silence.
 */
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL)

/** Appended to the names of such suites, so that a skipped one reads as what it is. */
export const NEEDS_POSTGRES = '(needs PostgreSQL: set TEST_DATABASE_URL)'

export function announceIfSkipped(what: string) {
  if (!onPostgres) console.log(`Not run here: ${what} ${NEEDS_POSTGRES}. CI runs it.`)
}
