import session from 'express-session'
import connectPgSimple from 'connect-pg-simple'
import type pg from 'pg'

const PgStore = connectPgSimple(session)

/** How often an unchanged session's expiry is pushed back in the database, at most. */
export const TOUCH_INTERVAL_MS = 5 * 60 * 1000
const REMEMBERED = 10_000

/**
 * Sessions in PostgreSQL (table `sessions`). express-session touches the stored session on every
 * request, which for connect-pg-simple is an UPDATE per page view; pushing a 12-hour idle expiry
 * back by a few seconds is worthless, so a session is touched at most every TOUCH_INTERVAL_MS per
 * process. A session may so expire up to that much earlier than its idle limit says.
 */
export class SessionStore extends PgStore {
  readonly #touched = new Map<string, number>()

  readonly #pool: pg.Pool
  readonly #companion: string | null
  /** What the companion read for a session, until the request that read it takes it. */
  readonly #companions = new Map<string, unknown>()

  /**
   * `companion`: an SQL expression over the session row `s` read in the same statement as the
   * session (the signed-in agent: every request needs both), kept for `takeCompanion`.
   */
  constructor(pool: pg.Pool, options: { pruneIntervalSeconds: number | false; companion?: string }) {
    super({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: options.pruneIntervalSeconds })
    this.#pool = pool
    this.#companion = options.companion ?? null
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    if (this.#companion === null) return super.get(sid, callback)
    this.#pool
      .query<{ sess: session.SessionData | string; companion: unknown }>(
        `SELECT s.sess, ${this.#companion} AS companion FROM sessions s WHERE s.sid = $1 AND s.expire >= now()`,
        [sid],
      )
      .then(({ rows: [row] }) => {
        if (!row) return callback(null, null)
        if (this.#companions.size >= REMEMBERED) this.#companions.clear()
        this.#companions.set(sid, row.companion)
        callback(null, typeof row.sess === 'string' ? (JSON.parse(row.sess) as session.SessionData) : row.sess)
      }, callback)
  }

  /** The companion read with this session for the request under way (once: a second call gets undefined). */
  takeCompanion(sid: string): unknown {
    const value = this.#companions.get(sid)
    this.#companions.delete(sid)
    return value
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const now = Date.now()
    const last = this.#touched.get(sid)
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return callback?.()
    this.#remember(sid, now)
    super.touch(sid, sess, (err?: unknown) => {
      if (err) this.#touched.delete(sid)
      callback?.(err)
    })
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    // Saving writes the expiry too.
    this.#remember(sid, Date.now())
    super.set(sid, sess, callback)
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#touched.delete(sid)
    super.destroy(sid, callback)
  }

  #remember(sid: string, at: number) {
    if (this.#touched.size >= REMEMBERED) this.#touched.clear()
    this.#touched.set(sid, at)
  }
}
