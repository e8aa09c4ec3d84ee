import { createHash } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../src/db/database.ts'
import { businessHoursSchema } from '../../src/domain/reports/businessHours.ts'
import { createLogger } from '../../src/logger.ts'
import { seed, type SeedOptions } from '../../tools/seed.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'

const NOW = new Date('2026-11-20T15:00:00Z')
const OPTIONS: SeedOptions = { conversations: 1500, messagesPer: 3, append: false, seed: 7, batch: 400, now: NOW, reports: true }

/** A database of its own on the test server, seeded by the bulk seeder. */
async function seededDatabase(name: string, options: SeedOptions): Promise<{ db: Database; url: string }> {
  const base = new URL(process.env.TEST_DATABASE_URL!)
  const admin = new pg.Client({ connectionString: base.toString() })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  base.pathname = `/${name}`
  const db = await openDatabase({ databaseUrl: base.toString(), logger: createLogger('error'), poolSize: 2 })
  await seed(db, options)
  return { db, url: base.toString() }
}

async function dropDatabase(name: string) {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin.end()
}

/** Everything the reports read, as one fingerprint. */
async function fingerprint(db: Database) {
  const { rows } = await db.pool.query<{ events: string; ratings: string }>(
    `SELECT string_agg(concat_ws('|', "conversationId", type, "actorKind", "actorAgentId", data::text, (extract(epoch FROM "createdAt") * 1000)::bigint), E'\\n' ORDER BY position) AS events,
       (SELECT string_agg(concat_ws('|', "conversationId", value, comment, "createdAt"), E'\\n' ORDER BY "conversationId") FROM ratings) AS ratings
     FROM events`,
  )
  const [row] = rows as [{ events: string; ratings: string }]
  return createHash('sha256').update(row.events).update(row.ratings).digest('hex')
}

const FIRST = `test_bulk_seed_${process.pid}_a`
const SECOND = `test_bulk_seed_${process.pid}_b`

describe.skipIf(!onPostgres)(`the bulk seed's event log ${NEEDS_POSTGRES}`, () => {
  let db: Database
  let q: <T = Record<string, unknown>>(sql: string) => Promise<T[]>

  beforeAll(async () => {
    ;({ db } = await seededDatabase(FIRST, OPTIONS))
    q = async <T>(sql: string) => (await db.pool.query(sql)).rows as T[]
  }, 120_000)
  afterAll(async () => {
    await db?.close()
    await dropDatabase(FIRST)
    await dropDatabase(SECOND)
  })

  it('writes every conversation’s events in the order they happened, none in the future', async () => {
    const [row] = await q<{ disorder: number; future: number }>(
      `SELECT count(*) FILTER (WHERE "createdAt" < previous)::int AS disorder, count(*) FILTER (WHERE "createdAt" > '${NOW.toISOString()}')::int AS future
       FROM (SELECT "createdAt", lag("createdAt") OVER (PARTITION BY "conversationId" ORDER BY position) AS previous FROM events) e`,
    )
    expect(row).toEqual({ disorder: 0, future: 0 })
  })

  it('has one event per message after the first, of its kind, by its author, at its time', async () => {
    const [row] = await q<{ later: number; events: number; matching: number }>(
      `SELECT (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m."conversationId" WHERE m.id > (SELECT min(id) FROM messages f WHERE f."conversationId" = c.id))::int AS later,
         (SELECT count(*) FROM events WHERE type IN ('message.received', 'reply.sent', 'comment.added'))::int AS events,
         (SELECT count(*) FROM events e JOIN messages m ON m.id = (e.data->>'messageId')::int AND m."conversationId" = e."conversationId" AND m."createdAt" = e."createdAt"
           WHERE (e.type = 'message.received' AND m.kind = 'customer' AND e."actorKind" = 'customer' AND m."authorAgentId" IS NULL)
              OR (e.type = 'reply.sent' AND m.kind = 'agent' AND e."actorAgentId" = m."authorAgentId")
              OR (e.type = 'comment.added' AND m.kind = 'internal' AND e."actorAgentId" = m."authorAgentId"))::int AS matching`,
    )
    expect(row!.events).toBe(row!.later)
    expect(row!.matching).toBe(row!.later)
  })

  it('starts conversations as the commands do: the customer’s first message in the created event, or an agent’s message sent or recorded', async () => {
    const rows = await q<{ channel: string; data: Record<string, unknown>; actor: string; kind: string; n: number }>(
      `SELECT c.channel, jsonb_build_object('channel', e.data->'channel', 'mode', e.data->'mode', 'status', e.data->'status') AS data, e."actorKind" AS actor, m.kind,
         count(*)::int AS n
       FROM conversations c JOIN events e ON e."conversationId" = c.id AND e.type = 'conversation.created'
       JOIN LATERAL (SELECT kind FROM messages WHERE "conversationId" = c.id ORDER BY id LIMIT 1) m ON true
       GROUP BY 1, 2, 3, 4`,
    )
    const shapes = rows.map((r) => `${r.channel} ${JSON.stringify(r.data)} by ${r.actor}, first message ${r.kind}`).sort()
    expect(shapes).toEqual([
      'agent {"mode":"record","status":"new","channel":"agent"} by agent, first message customer',
      'agent {"mode":"send","status":"pending","channel":"agent"} by agent, first message agent',
      'email {"mode":null,"status":null,"channel":"email"} by customer, first message customer',
      'portal {"mode":null,"status":null,"channel":"portal"} by customer, first message customer',
    ])
    const customerStarted = rows.filter((r) => r.actor === 'customer').reduce((s, r) => s + r.n, 0)
    expect(customerStarted / OPTIONS.conversations).toBeGreaterThan(0.8)
  })

  it('leaves each conversation where its status changes lead, closed when and by whom its last closing says', async () => {
    const [row] = await q<{ wrong: number; closed: number }>(
      `SELECT count(*) FILTER (WHERE c.status::text <> COALESCE(l.to_status, CASE WHEN f.data->>'mode' = 'send' THEN 'pending' ELSE 'new' END)
           OR (c.status = 'closed' AND (c."closedAt" <> l."createdAt" OR c."closedByKind" <> l."actorKind" OR c."closedById" IS DISTINCT FROM l."actorAgentId")))::int AS wrong,
         count(*) FILTER (WHERE c.status = 'closed')::int AS closed
       FROM conversations c
       JOIN events f ON f."conversationId" = c.id AND f.type = 'conversation.created'
       LEFT JOIN LATERAL (SELECT data->>'to' AS to_status, "createdAt", "actorKind", "actorAgentId" FROM events e
         WHERE e."conversationId" = c.id AND e.type = 'status.changed' ORDER BY position DESC LIMIT 1) l ON true`,
    )
    expect(row!.wrong).toBe(0)
    expect(row!.closed).toBeGreaterThan(OPTIONS.conversations * 0.5)
  })

  it('has the lifecycle: reminders 23 days after the last reply, answers and automatic closings after them', async () => {
    const [row] = await q<Record<string, number>>(
      `SELECT
         (SELECT count(*) FROM conversations WHERE status = 'pending' AND "reminderSentAt" IS NOT NULL)::int AS "pendingReminded",
         (SELECT count(*) FROM conversations c WHERE status = 'pending' AND "reminderSentAt" IS NOT NULL
           AND "reminderSentAt" = (SELECT max("createdAt") FROM events e WHERE e."conversationId" = c.id AND e.type = 'reminder.sent')
           AND "reminderSentAt" = "pendingSince" + interval '23 days')::int AS "pendingMatching",
         (SELECT count(*) FROM events WHERE type = 'customer.resolved')::int AS resolved,
         (SELECT count(*) FROM events WHERE type = 'customer.not_resolved')::int AS "notResolved",
         (SELECT count(*) FROM events WHERE type = 'conversation.auto_closed')::int AS "autoClosed",
         (SELECT count(*) FROM events a WHERE a.type IN ('customer.resolved', 'customer.not_resolved', 'conversation.auto_closed')
           AND NOT EXISTS (SELECT 1 FROM events r WHERE r."conversationId" = a."conversationId" AND r.type = 'reminder.sent' AND r."createdAt" <= a."createdAt"))::int AS "withoutReminder"`,
    )
    expect(row!.pendingReminded).toBeGreaterThan(0)
    expect(row!.pendingMatching).toBe(row!.pendingReminded)
    expect(row!.resolved).toBeGreaterThan(0)
    expect(row!.notResolved).toBeGreaterThan(0)
    expect(row!.autoClosed).toBeGreaterThan(0)
    expect(row!.withoutReminder).toBe(0)
  })

  it('rates about 30 % of the closed conversations that had a reply, mostly great, with a rating.given event after the close', async () => {
    const [row] = await q<{ ratings: number; great: number; commented: number; consistent: number; events: number; eligible: number }>(
      `SELECT count(*)::int AS ratings,
         count(*) FILTER (WHERE r.value = 'great')::int AS great,
         count(*) FILTER (WHERE r.comment <> '')::int AS commented,
         count(*) FILTER (WHERE r.confirmed AND e.data = jsonb_build_object('value', r.value::text, 'confirmed', true, 'previous', null)
           AND e."createdAt" = r."createdAt" AND e."actorKind" = 'customer' AND r."createdAt" > c."closedAt" AND c.status = 'closed' AND r."customerId" = c."customerId")::int AS consistent,
         (SELECT count(*) FROM events WHERE type = 'rating.given')::int AS events,
         (SELECT count(*) FROM conversations c WHERE status = 'closed' AND EXISTS (SELECT 1 FROM messages m WHERE m."conversationId" = c.id AND m.kind = 'agent'))::int AS eligible
       FROM ratings r JOIN conversations c ON c.id = r."conversationId"
       JOIN events e ON e."conversationId" = r."conversationId" AND e.type = 'rating.given'`,
    )
    expect(row!.consistent).toBe(row!.ratings)
    expect(row!.events).toBe(row!.ratings)
    expect(row!.ratings / row!.eligible).toBeGreaterThan(0.24)
    expect(row!.ratings / row!.eligible).toBeLessThan(0.36)
    expect(row!.great / row!.ratings).toBeGreaterThan(0.65)
    expect(row!.commented).toBeGreaterThan(0)
  })

  it('asks for ratings in every folder and gives half of them office hours', async () => {
    const folders = await q<{ ratingsEnabled: boolean; businessHours: unknown }>(`SELECT "ratingsEnabled", "businessHours" FROM folders ORDER BY position`)
    expect(folders.every((f) => f.ratingsEnabled)).toBe(true)
    const withHours = folders.filter((f) => f.businessHours !== null)
    expect(withHours).toHaveLength(folders.length / 2)
    for (const f of withHours) expect(businessHoursSchema.parse(f.businessHours).week.mon).toEqual([['09:00', '18:00']])
  })

  it('builds the report rollups at the end', async () => {
    const [row] = await q<{ counted: number; created: number }>(
      `SELECT (SELECT count(*) FROM report_conversations)::int AS counted, (SELECT COALESCE(sum(created), 0) FROM report_daily WHERE "tagId" = 0 AND "agentId" = -1)::int AS created`,
    )
    expect(row).toEqual({ counted: OPTIONS.conversations, created: OPTIONS.conversations })
  })

  it('writes exactly the same data again for the same seed', async () => {
    const second = await seededDatabase(SECOND, { ...OPTIONS, reports: false })
    try {
      expect(await fingerprint(second.db)).toBe(await fingerprint(db))
    } finally {
      await second.db.close()
    }
  }, 120_000)
})

announceIfSkipped("the bulk seed's event log")
