import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM } from '../../src/domain/actor.ts'
import { runLifecycleSweep, type SweepResult } from '../../src/domain/lifecycle/sweep.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/**
 * The lifecycle sweep promises bounded batches (500 conversations per transaction by default):
 * after downtime, or on a big install, a large backlog must go out in many short transactions,
 * not one that holds thousands of rows, renders thousands of e-mails in memory and runs into the
 * 120 s transaction limit (then the whole backlog rolls back, and again at every run).
 *
 * The claim is `UPDATE conversations c … FROM (SELECT id … LIMIT n FOR UPDATE SKIP LOCKED) due
 * WHERE c.id = due.id`. When the planner puts that subquery on the inner side of a nested loop
 * (it does when its statistics say few conversations are due: a fresh or recently filled table,
 * statistics older than the backlog), the subquery is run again for every outer row; rows the
 * UPDATE has already changed are skipped by the locking step, so each run yields the NEXT n rows
 * and the UPDATE claims every due conversation in one batch.
 *
 * Made deterministic here: autovacuum is off for the table, so the statistics stay what they were
 * before the backlog arrived (as they often are in the minute after a bulk change).
 * Needs PostgreSQL (TEST_DATABASE_URL, else a private cluster).
 */

const DAY_MS = 24 * 60 * 60 * 1000
const COUNT = 1_500
const BATCH = 500

describe('lifecycle sweep batches stay bounded whatever plan PostgreSQL picks', () => {
  let privatePg: PrivatePostgres | null = null
  let app: TestApp
  let db: pg.Client
  const now = new Date(Math.floor(Date.now() / 1000) * 1000)

  beforeAll(async () => {
    let databaseUrl: string | undefined
    if (!process.env.TEST_DATABASE_URL) {
      privatePg = await startPrivatePostgres()
      databaseUrl = await privatePg.createDatabase(`suivi_batches_${randomBytes(3).toString('hex')}`)
    }
    app = await startTestApp(databaseUrl ? { DATABASE_URL: databaseUrl } : {}, { clock: () => now })
    db = new pg.Client({ connectionString: app.ctx.config.databaseUrl })
    await db.connect()
    await db.query('ALTER TABLE conversations SET (autovacuum_enabled = false)')
    await db.query('ANALYZE conversations') // statistics of the table before the backlog: empty
    const folder = await db.query<{ id: number }>(`INSERT INTO folders (name, "updatedAt") VALUES ('Backlog', now()) RETURNING id`)
    await db.query(
      `INSERT INTO customers (email, name, "updatedAt") SELECT 'backlog-' || i || '@customer.example', 'Backlog ' || i, now() FROM generate_series(1, $1::int) i`,
      [COUNT],
    )
    await db.query(
      `INSERT INTO conversations (subject, status, channel, "folderId", "customerId", "lastActivityAt", "lastAgentReplyAt", "pendingSince", "updatedAt")
       SELECT 'Backlog ' || cu.id, 'pending', 'email', $1, cu.id, $2, $2, $2, now() FROM customers cu`,
      [folder.rows[0]!.id, new Date(now.getTime() - 24 * DAY_MS)],
    )
  })
  afterAll(async () => {
    await db?.end().catch(() => {})
    await app?.close().catch(() => {})
    await privatePg?.cleanup()
  })

  it(`reminds a backlog of ${COUNT} in batches of at most ${BATCH}`, async () => {
    const batches: number[] = []
    let previous = 0
    const result = await runLifecycleSweep(app.ctx.domain, SYSTEM, {
      batchSize: BATCH,
      onProgress: (r: SweepResult) => {
        if (r.reminded !== previous) batches.push(r.reminded - previous)
        previous = r.reminded
      },
    })
    expect(result.reminded).toBe(COUNT)
    // Every due conversation is reminded exactly once either way; the bound is what breaks.
    const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT "conversationId")::int AS n FROM outbox_emails WHERE kind = 'reminder'`)
    expect(rows[0]!.n).toBe(COUNT)
    expect({ largestBatch: Math.max(...batches), batches: batches.length }).toEqual({ largestBatch: BATCH, batches: COUNT / BATCH })
  }, 120_000)
})
