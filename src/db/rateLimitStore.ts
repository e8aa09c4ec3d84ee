import { createHash } from 'node:crypto'
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit'
import type { Logger } from 'pino'
import type { Prisma } from './database.ts'

/** The hit counters could not be read or written: the request is refused (fail closed). */
export class RateLimitUnavailableError extends Error {
  override name = 'RateLimitUnavailableError'
}

export interface PostgresRateLimitStoreOptions {
  /** Names the limiter; rows of different limiters never mix. */
  prefix: string
  /** Expired rows are deleted at most this often, by whichever request comes then. */
  cleanupEveryMs?: number
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number
  logger?: Logger
}

/** The database the counters live in: the app's own, whose client the store uses. */
export type CountersDatabase = { prisma: Prisma }

/** Rows deleted per clean-up: bounded work in the request that happens to run it. */
const CLEANUP_BATCH = 1000

/**
 * express-rate-limit's counters in the app's own PostgreSQL (table `rate_limits`), so that every
 * instance behind the load balancer counts the same hits. One row per limiter and client: an
 * atomic upsert counts a hit and starts a new window once the old one has ended; expired rows
 * are deleted now and then by the requests themselves (no timer). Runs on the embedded PGlite
 * as well, through the same Prisma client (and so the same single connection there).
 *
 * Every method throws RateLimitUnavailableError when the database cannot be reached:
 * `sharedRateLimit` (src/web/middleware) turns that into a 503, never into an unlimited request.
 */
export class PostgresRateLimitStore implements Store {
  readonly prefix: string
  readonly localKeys = false
  private windowMs = 60_000
  private readonly cleanupEveryMs: number
  private readonly now: () => number
  private nextCleanupAt = 0

  constructor(
    private readonly prisma: Prisma,
    private readonly options: PostgresRateLimitStoreOptions,
  ) {
    this.prefix = `${options.prefix}:`
    this.cleanupEveryMs = options.cleanupEveryMs ?? 60_000
    this.now = options.now ?? Date.now
  }

  init(options: Options): void {
    this.windowMs = options.windowMs
  }

  /**
   * The stored key: the limiter's prefix and a digest of the client key, so that no address or
   * e-mail is kept and a long key (an e-mail field of a megabyte) still fits the index.
   */
  keyFor(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url')
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.now()
    const rows = await this.run(
      () => this.prisma.$queryRaw<{ hits: number; resetAt: Date }[]>`
        INSERT INTO rate_limits AS r (key, hits, "resetAt")
        VALUES (${this.keyFor(key)}, 1, ${new Date(now + this.windowMs)}::timestamptz)
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE WHEN r."resetAt" <= ${new Date(now)}::timestamptz THEN 1 ELSE r.hits + 1 END,
          "resetAt" = CASE WHEN r."resetAt" <= ${new Date(now)}::timestamptz THEN EXCLUDED."resetAt" ELSE r."resetAt" END
        RETURNING hits, "resetAt"`,
    )
    if (now >= this.nextCleanupAt) {
      this.nextCleanupAt = now + this.cleanupEveryMs
      this.deleteExpired(now).catch((err: unknown) => this.options.logger?.warn({ err }, 'could not delete expired rate-limit rows'))
    }
    const row = rows[0]!
    return { totalHits: Number(row.hits), resetTime: new Date(row.resetAt) }
  }

  async decrement(key: string): Promise<void> {
    await this.run(
      () => this.prisma.$executeRaw`
        UPDATE rate_limits SET hits = hits - 1
        WHERE key = ${this.keyFor(key)} AND hits > 0 AND "resetAt" > ${new Date(this.now())}::timestamptz`,
    )
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const rows = await this.run(
      () => this.prisma.$queryRaw<{ hits: number; resetAt: Date }[]>`
        SELECT hits, "resetAt" FROM rate_limits WHERE key = ${this.keyFor(key)} AND "resetAt" > ${new Date(this.now())}::timestamptz`,
    )
    const row = rows[0]
    return row ? { totalHits: Number(row.hits), resetTime: new Date(row.resetAt) } : undefined
  }

  async resetKey(key: string): Promise<void> {
    await this.run(() => this.prisma.$executeRaw`DELETE FROM rate_limits WHERE key = ${this.keyFor(key)}`)
  }

  async resetAll(): Promise<void> {
    await this.run(() => this.prisma.$executeRaw`DELETE FROM rate_limits WHERE starts_with(key, ${this.prefix})`)
  }

  /** Rows whose window has ended count nothing any more (an increment would start afresh). */
  async deleteExpired(now = this.now()): Promise<number> {
    return this.run(
      () => this.prisma.$executeRaw`
        DELETE FROM rate_limits WHERE key IN (
          SELECT key FROM rate_limits WHERE "resetAt" <= ${new Date(now)}::timestamptz LIMIT ${CLEANUP_BATCH})`,
    )
  }

  private async run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query()
    } catch (err) {
      throw new RateLimitUnavailableError('the rate-limit counters are unavailable', { cause: err })
    }
  }
}
