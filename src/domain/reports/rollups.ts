import type { Prisma, Tx } from '../../db/database.ts'
import { contributionOf, DAILY_COLUMNS, HOUR_COLUMNS, RollupDelta, type Contribution, type ContributionEvent, type FolderClock } from './contribution.ts'
import { folderClocks } from './folderClock.ts'

/** The event types a contribution reads; the others never change the figures. */
export const COUNTED_EVENTS = [
  'conversation.created',
  'message.received',
  'reply.sent',
  'reply.withdrawn',
  'conversation.assigned',
  'status.changed',
  'reminder.sent',
  'customer.resolved',
  'customer.not_resolved',
  'conversation.auto_closed',
  'rating.given',
  'conversation.moved',
  'conversation.tagged',
  'conversation.untagged',
] as const

/** Every contribution of these conversations, from their events and where they are filed now. */
export async function contributionsOf(
  db: Pick<Prisma | Tx, '$queryRawUnsafe'>,
  ids: readonly number[],
  clocks: ReadonlyMap<number, FolderClock>,
): Promise<Map<number, Contribution>> {
  const out = new Map<number, Contribution>()
  if (!ids.length) return out
  const [conversations, events] = await Promise.all([
    db.$queryRawUnsafe<{ id: number; folderId: number; tagIds: number[] }[]>(
      `SELECT c.id, c."folderId", COALESCE(array_agg(ct."tagId") FILTER (WHERE ct."tagId" IS NOT NULL), '{}') AS "tagIds"
       FROM conversations c LEFT JOIN conversation_tags ct ON ct."conversationId" = c.id
       WHERE c.id = ANY($1::int[]) GROUP BY c.id`,
      ids,
    ),
    db.$queryRawUnsafe<(ContributionEvent & { conversationId: number })[]>(
      `SELECT "conversationId", type, "createdAt", "actorAgentId", data FROM events
       WHERE "conversationId" = ANY($1::int[]) AND type = ANY($2::text[]) ORDER BY "conversationId", position`,
      ids,
      COUNTED_EVENTS,
    ),
  ])
  const byConversation = new Map<number, ContributionEvent[]>()
  for (const e of events) {
    let list = byConversation.get(e.conversationId)
    if (!list) byConversation.set(e.conversationId, (list = []))
    list.push(e)
  }
  for (const c of conversations) {
    const clock = clocks.get(c.folderId)
    if (!clock) continue
    out.set(c.id, contributionOf(byConversation.get(c.id) ?? [], { folderId: c.folderId, tagIds: c.tagIds.map(Number) }, clock))
  }
  return out
}

/**
 * Brings the rollups up to date for these conversations: their stored contributions come out, their
 * contributions now go in. Running it twice changes nothing, so a batch of events handled again
 * (after a crash, or after a rebuild) is harmless.
 */
export async function refreshConversations(tx: Tx, ids: readonly number[]): Promise<void> {
  const unique = [...new Set(ids)]
  if (!unique.length) return
  const clocks = await folderClocks(tx)
  const [now, stored] = await Promise.all([
    contributionsOf(tx, unique, clocks),
    tx.$queryRawUnsafe<{ conversationId: number; contribution: Contribution }[]>(
      `SELECT "conversationId", contribution FROM report_conversations WHERE "conversationId" = ANY($1::int[]) FOR UPDATE`,
      unique,
    ),
  ])
  const delta = new RollupDelta()
  for (const s of stored) delta.apply(s.contribution, -1)
  for (const c of now.values()) delta.apply(c, 1)
  await writeDelta(tx, delta)
  const gone = unique.filter((id) => !now.has(id))
  if (gone.length) await tx.$executeRawUnsafe(`DELETE FROM report_conversations WHERE "conversationId" = ANY($1::int[])`, gone)
  if (now.size) await storeContributions(tx, now)
}

type Sql = Pick<Tx, '$executeRawUnsafe'>

export async function storeContributions(tx: Sql, contributions: ReadonlyMap<number, Contribution>) {
  await tx.$executeRawUnsafe(
    `INSERT INTO report_conversations ("conversationId", contribution, "updatedAt")
     SELECT id, c, now() FROM unnest($1::int[], $2::jsonb[]) AS u(id, c)
     ON CONFLICT ("conversationId") DO UPDATE SET contribution = EXCLUDED.contribution, "updatedAt" = now()`,
    [...contributions.keys()],
    [...contributions.values()].map((c) => JSON.stringify(c)),
  )
}

const quoted = (c: string) => `"${c}"`

const CHUNK = 20_000

function* chunks<V>(map: ReadonlyMap<string, V>): Generator<[string[][], V[]]> {
  const entries = [...map.entries()]
  for (let i = 0; i < entries.length; i += CHUNK) {
    const slice = entries.slice(i, i + CHUNK)
    yield [slice.map(([k]) => k.split('|')), slice.map(([, v]) => v)]
  }
}

/** Adds a delta to the rollup tables (rows that reach zero stay: they cost little and come back). */
export async function writeDelta(db: Sql, delta: RollupDelta) {
  for (const [keys, vectors] of chunks(delta.daily)) {
    const columns = DAILY_COLUMNS.map((_, i) => vectors.map((v) => v[i]!))
    const casts = DAILY_COLUMNS.map((c, i) => `$${i + 5}::${c.endsWith('Seconds') ? 'bigint' : 'int'}[]`)
    await db.$executeRawUnsafe(
      `INSERT INTO report_daily (day, "folderId", "agentId", "tagId", ${DAILY_COLUMNS.map(quoted).join(', ')})
       SELECT * FROM unnest($1::date[], $2::int[], $3::int[], $4::int[], ${casts.join(', ')})
       ON CONFLICT (day, "folderId", "agentId", "tagId") DO UPDATE SET
       ${DAILY_COLUMNS.map((c) => `${quoted(c)} = report_daily.${quoted(c)} + EXCLUDED.${quoted(c)}`).join(', ')}`,
      keys.map((k) => k[0]),
      keys.map((k) => Number(k[1])),
      keys.map((k) => Number(k[2])),
      keys.map((k) => Number(k[3])),
      ...columns,
    )
  }
  for (const [table, durations] of [
    ['report_durations', delta.durations],
    ['report_durations_weekly', delta.weeklyDurations],
    ['report_durations_monthly', delta.monthlyDurations],
  ] as const) {
    for (const [keys, counts] of chunks(durations)) {
      await db.$executeRawUnsafe(
        `INSERT INTO ${table} (day, "folderId", "agentId", "tagId", metric, bucket, count)
         SELECT * FROM unnest($1::date[], $2::int[], $3::int[], $4::int[], $5::smallint[], $6::smallint[], $7::int[])
         ON CONFLICT (day, "folderId", "agentId", "tagId", metric, bucket) DO UPDATE SET count = ${table}.count + EXCLUDED.count`,
        keys.map((k) => k[0]),
        ...[1, 2, 3, 4, 5].map((i) => keys.map((k) => Number(k[i]))),
        counts,
      )
    }
  }
  for (const [keys, vectors] of chunks(delta.hours)) {
    await db.$executeRawUnsafe(
      `INSERT INTO report_hours (day, "folderId", "tagId", ${HOUR_COLUMNS.join(', ')})
       SELECT * FROM unnest($1::date[], $2::int[], $3::int[], ${HOUR_COLUMNS.map((_, i) => `$${i + 4}::int[]`).join(', ')})
       ON CONFLICT (day, "folderId", "tagId") DO UPDATE SET ${HOUR_COLUMNS.map((c) => `${c} = report_hours.${c} + EXCLUDED.${c}`).join(', ')}`,
      keys.map((k) => k[0]),
      keys.map((k) => Number(k[1])),
      keys.map((k) => Number(k[2])),
      ...HOUR_COLUMNS.map((_, h) => vectors.map((v) => v[h]!)),
    )
  }
}

/**
 * Fills the week and month duration tables from the days, all at once: what a rebuild does once
 * the days are written, rather than updating each month's rows again with every batch.
 */
export async function deriveDurationGrains(db: Sql) {
  for (const [table, unit] of [
    ['report_durations_weekly', 'week'],
    ['report_durations_monthly', 'month'],
  ] as const) {
    await db.$executeRawUnsafe(
      `INSERT INTO ${table} (day, "folderId", "agentId", "tagId", metric, bucket, count)
       SELECT date_trunc('${unit}', day::timestamp)::date, "folderId", "agentId", "tagId", metric, bucket, sum(count)
       FROM report_durations GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(count) <> 0`,
    )
  }
}
