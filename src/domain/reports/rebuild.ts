import type pg from 'pg'
import { RollupDelta } from './contribution.ts'
import { folderClocks } from './folderClock.ts'
import { contributionsOf, deriveDurationGrains, storeContributions, writeDelta } from './rollups.ts'

/** The durable listener that keeps the rollups (src/reactions/reportRollups.ts). */
export const ROLLUP_LISTENER = 'report-rollups'

const BATCH = 2_000

/** The tables the rollups are kept in, report_conversations last (what each conversation added). */
export const ROLLUP_TABLES = [
  'report_daily',
  'report_durations',
  'report_durations_weekly',
  'report_durations_monthly',
  'report_hours',
  'report_conversations',
] as const

/**
 * Counts every conversation again from the event log, in one transaction: reports keep showing
 * the old figures until it commits. The listener waits meanwhile (its position row is held) and
 * then resumes from the oldest transaction still running when the rebuild began; what it handles
 * again is counted once, since counting a conversation replaces what it had added.
 * Used after changing business hours or time zones, and by the seeder.
 */
export async function rebuildReports(pool: pg.Pool, options: { onProgress?: (done: number, total: number) => void } = {}): Promise<{ conversations: number }> {
  const client = await pool.connect()
  const db = {
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => (await client.query(sql, values)).rows as T,
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await client.query(sql, values)).rowCount ?? 0,
  }
  try {
    await client.query('BEGIN')
    await client.query(`INSERT INTO event_consumers (name, "tx", "position") VALUES ($1, '0'::xid8, 0) ON CONFLICT (name) DO NOTHING`, [ROLLUP_LISTENER])
    await client.query(`SELECT 1 FROM event_consumers WHERE name = $1 FOR UPDATE`, [ROLLUP_LISTENER])
    const [{ xmin }] = (await client.query<{ xmin: string }>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`)).rows as [{ xmin: string }]
    for (const table of ROLLUP_TABLES) await client.query(`DELETE FROM ${table}`)
    const [{ total }] = (await client.query<{ total: number }>(`SELECT count(*)::int AS total FROM conversations`)).rows as [{ total: number }]
    const clocks = await folderClocks(db as never)
    let done = 0
    let after = 0
    options.onProgress?.(0, total)
    for (;;) {
      const ids = (await client.query<{ id: number }>(`SELECT id FROM conversations WHERE id > $1 ORDER BY id LIMIT $2`, [after, BATCH])).rows.map((r) => r.id)
      if (!ids.length) break
      after = ids.at(-1)!
      // Conversations in id order are close in time, so each batch adds to few rollup rows.
      const contributions = await contributionsOf(db as never, ids, clocks)
      const delta = new RollupDelta({ weeksAndMonths: false })
      for (const c of contributions.values()) delta.apply(c, 1)
      await writeDelta(db as never, delta)
      await storeContributions(db as never, contributions)
      done += ids.length
      options.onProgress?.(Math.min(done, total), total)
    }
    await deriveDurationGrains(db as never)
    await client.query(`UPDATE event_consumers SET "tx" = $2::xid8, "position" = 0, "updatedAt" = now() WHERE name = $1`, [ROLLUP_LISTENER, xmin])
    await client.query('COMMIT')
    return { conversations: done }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
