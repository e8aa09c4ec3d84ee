import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { similarConversations } from '../../src/domain/conversations/similarConversations.ts'
import { BACKGROUND_STATEMENTS, countQueries } from '../helpers/queryCounter.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/*
 * "Similar solved conversations" on a seeded database (20,000 conversations, 60,000 messages, 85 %
 * closed): two statements, the big tables reached through their indexes only (GIN on search,
 * primary keys, the thread index), in a few milliseconds. PRINT_PLANS=1 prints the plans.
 */

const CONVERSATIONS = 20_000

async function seed(app: TestApp) {
  const sql = (text: string) => app.ctx.db.pool.query(text)
  await sql('SELECT setseed(0.42)')
  await sql(`INSERT INTO folders (name, position, "updatedAt") SELECT 'Folder ' || g, g, now() FROM generate_series(1, 8) g`)
  await sql(
    `INSERT INTO customers (email, name, "updatedAt") SELECT 'customer' || g || '@example.com', 'Customer ' || g, now() FROM generate_series(1, 5000) g`,
  )
  await sql(`
    WITH f AS (SELECT array_agg(id ORDER BY id) AS ids FROM folders), cu AS (SELECT min(id) AS first, count(*) AS n FROM customers)
    INSERT INTO conversations (subject, status, channel, "folderId", "customerId", "messageCount", "lastActivityAt", "closedAt", "createdAt", "updatedAt")
    SELECT (ARRAY['Where is my','Problem with the','Help with my','Damaged','Broken','Refund for my'])[1 + g % 6] || ' ' ||
        (ARRAY['parcel','invoice','account','lamp','delivery','password','subscription','blender','kettle','toaster'])[1 + (g * 7) % 10] || ' #' || g,
      (CASE WHEN g % 20 < 17 THEN 'closed' ELSE 'open' END)::"ConversationStatus", 'email', f.ids[1 + g % 8], cu.first + (g * 7919) % cu.n, 3,
      now() - (g % 700) * interval '1 day', CASE WHEN g % 20 < 17 THEN now() - (g % 700) * interval '1 day' END, now() - (g % 700) * interval '1 day' - interval '2 days', now()
    FROM generate_series(1, ${CONVERSATIONS}) g, f, cu`)
  await sql(`
    INSERT INTO messages ("conversationId", kind, "customerId", "bodyText", "bodyHtml", "createdAt")
    SELECT c.id, (ARRAY['customer','agent','internal'])[k]::"MessageKind", CASE WHEN k = 1 THEN c."customerId" END, body, '<p>' || body || '</p>',
      c."createdAt" + k * interval '1 hour'
    FROM conversations c CROSS JOIN generate_series(1, 3) k
    CROSS JOIN LATERAL (SELECT
      (ARRAY['Hello','Bonjour','Dear team'])[1 + floor(random() * 3)::int] || ', my ' ||
      (ARRAY['lamp','chair','parcel','invoice','delivery','screen','cable','battery','blender','kettle','toaster','jacket'])[1 + floor(random() * 12)::int] || ' ' ||
      (ARRAY['arrived broken','never arrived','is late','was charged twice','does not work','is the wrong size','cracked after washing','whistles loudly'])[1 + floor(random() * 8)::int] ||
      '. Reference ref' || floor(random() * 100000)::int || '. Thanks ' || c.id || k AS body) b`)
  await sql('VACUUM ANALYZE folders, customers, conversations, messages')
}

describe.skipIf(!onPostgres)(`similar conversations on a seeded database ${NEEDS_POSTGRES}`, () => {
  let app: TestApp
  let sourceId: number

  beforeAll(async () => {
    app = await startTestApp()
    await seed(app)
    const { rows } = await app.ctx.db.pool.query<{ id: number }>(`SELECT id FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1`)
    sourceId = rows[0]!.id
  }, 120_000)
  afterAll(async () => {
    await app?.close()
  })

  for (const [who, scope] of [
    ['an agent of two folders', 'two'],
    ['an admin (every folder)', 'all'],
  ] as const) {
    it(`for ${who}: two statements, through indexes, a few milliseconds`, async () => {
      const folders = scope === 'all' ? null : (await app.ctx.db.pool.query<{ id: number }>('SELECT id FROM folders ORDER BY id LIMIT 2')).rows.map((r) => r.id)
      const run = () => similarConversations(app.ctx.db.prisma, folders, sourceId)
      await run() // warm
      const started = performance.now()
      const { statements, result } = await countQueries(app, run, { ignore: BACKGROUND_STATEMENTS })
      const elapsed = performance.now() - started
      expect(statements).toHaveLength(2)
      expect(result.length).toBe(3)
      for (const statement of statements) {
        const { rows } = await app.ctx.db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values)
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n')
        if (process.env.PRINT_PLANS) console.log(plan)
        expect(plan).not.toMatch(/Seq Scan on (conversations|messages)\b/)
        const time = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1])
        console.log(`similar conversations, ${who}: statement of ${statement.text.length} chars executed in ${time} ms`)
        expect(time).toBeLessThan(200)
      }
      console.log(`similar conversations, ${who}: ${elapsed.toFixed(1)} ms in all`)
    }, 60_000)
  }
})
announceIfSkipped('similar conversations on a seeded database')
