import type pg from 'pg'

/** One SQL statement as it went to the server: its text and the parameter values sent with it. */
export interface CapturedStatement {
  text: string
  values: unknown[]
}

export interface QueryCount<T = unknown> {
  /** Statements sent during the block, minus those matching `ignore`. */
  count: number
  statements: CapturedStatement[]
  /** Statements that matched `ignore` (kept for diagnosis). */
  ignored: CapturedStatement[]
  /** What the block returned. */
  result: T
}

export interface CountOptions {
  /** Statements to leave out of the count: the app's own timers, which may fire during any block. */
  ignore?: RegExp[]
  /** After the block, how long to wait at most for the pool to go idle (statements still in flight). */
  settleMs?: number
}

/**
 * The statements the app's background timers send on the same pool, whatever request is running
 * (src/server.ts): the presence expiry sweep (every 5 s), the inbound recovery pass (every 60 s) and
 * the live-update reader of the event log (every second, and after each commit), the durable
 * listeners' probe of the log (every second) and the webhook worker's pass (every 2 s).
 * No page request sends any of them, so ignoring them only removes noise.
 */
export const BACKGROUND_STATEMENTS: RegExp[] = [
  /DELETE FROM presence WHERE "expiresAt" <= now\(\)/,
  /"inbound_messages"/,
  /FROM events WHERE "position" >/,
  // The durable listeners' look at the log (src/reactions/consumer.ts), every second.
  /FROM event_consumers/,
  // The webhook delivery worker's look for due deliveries (src/jobs/webhookWorker.ts).
  /webhook_deliveries/,
]

type Recorder = (statement: CapturedStatement) => void
interface Installed {
  recorders: Set<Recorder>
}

const PATCHED = Symbol('queryCounterPatched')
const installed = new WeakMap<pg.Pool, Installed>()

/**
 * Every statement sent through the pool goes through the `query` method of one of its clients:
 * Prisma's plain queries (`pool.query`, which checks a client out and calls `client.query`), its
 * interactive transactions (`pool.connect()` then `client.query` for BEGIN, each statement and
 * COMMIT), and raw `pool.query` calls (the session store). Each checkout emits `acquire`, for new
 * and idle clients alike, so patching the client there catches all of them exactly once.
 */
function install(pool: pg.Pool): Installed {
  let state = installed.get(pool)
  if (state) return state
  const recorders = new Set<Recorder>()
  state = { recorders }
  installed.set(pool, state)
  pool.on('acquire', (client: pg.PoolClient) => {
    const c = client as pg.PoolClient & { [PATCHED]?: true }
    if (c[PATCHED]) return
    c[PATCHED] = true
    const original = c.query.bind(c) as (...args: unknown[]) => unknown
    ;(c as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (recorders.size) {
        const statement = describe(args)
        for (const record of recorders) record(statement)
      }
      return original(...args)
    }
  })
  return state
}

function describe(args: unknown[]): CapturedStatement {
  const [first, second] = args
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? [...second] : [] }
  const config = (first ?? {}) as { text?: unknown; values?: unknown }
  const values = Array.isArray(second) ? second : Array.isArray(config.values) ? config.values : []
  return { text: typeof config.text === 'string' ? config.text : String(first), values: [...values] }
}

/** Anything with the app's database context: a TestApp or a RunningServer. */
export interface HasPool {
  ctx: { db: { pool: pg.Pool } }
}

/**
 * Counts the SQL statements sent through `app.ctx.db.pool` while `fn` runs (an HTTP request, a
 * domain call). Waits for the pool to go idle afterwards, so statements still in flight when `fn`
 * resolves are counted here and not in the next block.
 */
export async function countQueries<T>(app: HasPool, fn: () => Promise<T>, options: CountOptions = {}): Promise<QueryCount<T>> {
  const pool = app.ctx.db.pool
  await listenersCaughtUp(pool)
  const { recorders } = install(pool)
  const ignore = options.ignore ?? []
  const statements: CapturedStatement[] = []
  const ignored: CapturedStatement[] = []
  const recorder: Recorder = (s) => (ignore.some((re) => re.test(s.text)) ? ignored : statements).push(s)
  recorders.add(recorder)
  try {
    const result = await fn()
    await settle(pool, options.settleMs ?? 2000)
    return { count: statements.length, statements, ignored, result }
  } finally {
    recorders.delete(recorder)
  }
}

async function settle(pool: pg.Pool, maxMs: number) {
  const until = Date.now() + maxMs
  // Let callbacks queued by the block run (e.g. a store write after the response) before looking.
  await new Promise((resolve) => setImmediate(resolve))
  while ((pool.totalCount - pool.idleCount > 0 || pool.waitingCount > 0) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A readable listing of statements, for assertion messages. */
export function formatStatements(statements: CapturedStatement[]): string {
  return statements.map((s, i) => `${i + 1}. ${s.text.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n')
}

/**
 * Waits until the durable listeners (src/reactions/consumer.ts) have read every event written so
 * far: a batch of theirs (BEGIN, the events, their rows, COMMIT) would otherwise land in the block
 * measured after a change. Their idle probe alone is one of the BACKGROUND_STATEMENTS.
 */
export async function listenersCaughtUp(pool: pg.Pool, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await pool.query<{ behind: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM event_consumers c WHERE EXISTS (SELECT 1 FROM events e WHERE (e."tx", e."position") > (c."tx", c."position"))) AS behind`,
    )
    if (!rows[0]?.behind || Date.now() > until) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
