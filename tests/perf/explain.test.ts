import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { adjacentConversation, countTabs, listConversations, listQuerySchema } from '../../src/domain/conversations/listConversations.ts'
import { folderScope, type FolderScope } from '../../src/domain/policy.ts'
import { BACKGROUND_STATEMENTS, countQueries, type CapturedStatement } from '../helpers/queryCounter.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'

/*
 * Guard rails, not timings: on a seeded PostgreSQL database (50,000 conversations, 150,000
 * messages), every query shape the conversation list sends (each tab for an admin and for an
 * agent limited to two folders, the folder, assignee and tag filters, the second page, the tab
 * counts, a search for a rare and for a common word) is planned with an index on the big tables,
 * and never with a sequential scan of conversations or messages.
 *
 * The SQL is not copied here: each case calls the real listConversations / countTabs, the query
 * counter captures the statements they send with their parameter values, and those exact
 * statements go to EXPLAIN (FORMAT JSON) with the same parameters.
 *
 * The seed is plain SQL (generate_series, setseed for the same data on every run), followed by
 * VACUUM ANALYZE: the statistics and visibility map autovacuum keeps on a live database. About
 * 12 s alone on a laptop-class machine. PRINT_PLANS=1 prints the scans of every case.
 */

const CONVERSATIONS = 50_000
const MESSAGES_PER_CONVERSATION = 3
/** In about a third of the messages. */
const COMMON_WORD = 'refund'
/** In three messages of the whole database. */
const RARE_WORD = 'quokka'

/** The tables whose full scans would grow with the help desk; a plan must reach them through an index. */
const BIG_TABLES = ['conversations', 'messages', 'customers', 'conversation_tags']
const NEVER_SEQ_SCANNED = ['conversations', 'messages']
const INDEX_NODES = ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Alias?: string
  Plans?: PlanNode[]
}

interface Scan {
  node: string
  table: string | undefined
  index?: string
  alias?: string
}

async function seed(app: TestApp) {
  const client = await app.ctx.db.pool.connect()
  const timings: string[] = []
  const sql = async (text: string) => {
    const t = Date.now()
    await client.query(text)
    timings.push(`${text.trim().split(/\s+/).slice(0, 3).join(' ')}: ${Date.now() - t} ms`)
  }
  try {
    // The same data on every run: random() follows the seed in this session.
    await sql('SELECT setseed(0.42)')
    await sql(`INSERT INTO folders (name, position, "updatedAt") SELECT 'Folder ' || g, g, now() FROM generate_series(1, 8) g`)
    await sql(
      `INSERT INTO agents (email, name, role, "updatedAt") VALUES ('seed-admin@example.test', 'Seed Admin', 'admin', now()), ('seed-agent@example.test', 'Seed Agent', 'agent', now())`,
    )
    await sql(
      `INSERT INTO agents (email, name, role, "updatedAt") SELECT 'agent' || g || '@example.test', 'Agent ' || g, 'agent', now() FROM generate_series(1, 20) g`,
    )
    // The scoped agent works in two folders of eight.
    await sql(
      `INSERT INTO folder_members ("agentId", "folderId") SELECT a.id, f.id FROM agents a, folders f WHERE a.email = 'seed-agent@example.test' AND f.name IN ('Folder 1', 'Folder 2')`,
    )
    await sql(`INSERT INTO tags (name, colour) SELECT 'tag' || g, 'blue' FROM generate_series(1, 10) g`)
    await sql(
      `INSERT INTO customers (email, name, "updatedAt") SELECT 'customer' || g || '@example.com', (ARRAY['Alice','Bruno','Chloé','Dmitri','Emma','Farid','Greta','Hugo'])[1 + g % 8] || ' ' || 'Family' || g, now() FROM generate_series(1, 20000) g`,
    )
    // Statuses as a help desk accumulates them: mostly closed, a few hundred of each open state.
    // A third unassigned; the rest spread over the agents. Activity over the last two years.
    await sql(`
      WITH f AS (SELECT array_agg(id ORDER BY id) AS ids FROM folders),
           a AS (SELECT array_agg(id ORDER BY id) AS ids FROM agents),
           cu AS (SELECT min(id) AS first, count(*) AS n FROM customers),
           rows AS (SELECT g, random() AS rs, random() AS ra, random() AS rt, random() AS rw FROM generate_series(1, ${CONVERSATIONS}) g)
      INSERT INTO conversations (subject, status, channel, "folderId", "assigneeId", "customerId", snippet, "messageCount", "lastActivityAt", "createdAt", "updatedAt")
      SELECT
        (ARRAY['Where is my','Question about my','Problem with the','Help with my','Cannot find the','Damaged'])[1 + floor(rw * 6)::int] || ' ' ||
          (CASE WHEN rw * 10 - floor(rw * 10) < 0.3 THEN 'order' ELSE (ARRAY['parcel','invoice','account','lamp','delivery','password','subscription'])[1 + g % 7] END) || ' #' || g,
        (CASE WHEN rs < 0.04 THEN 'new' WHEN rs < 0.10 THEN 'open' WHEN rs < 0.15 THEN 'pending' ELSE 'closed' END)::"ConversationStatus",
        'email',
        f.ids[1 + g % 8],
        CASE WHEN ra < 0.33 THEN NULL ELSE a.ids[1 + floor((ra - 0.33) / 0.67 * array_length(a.ids, 1))::int] END,
        cu.first + (g * 7919) % cu.n,
        'Hello, I have a question about my order',
        ${MESSAGES_PER_CONVERSATION},
        now() - rt * interval '730 days',
        now() - rt * interval '730 days' - interval '1 day',
        now()
      FROM rows, f, a, cu`)
    await sql(`
      INSERT INTO messages ("conversationId", kind, "customerId", "bodyText", "bodyHtml", "createdAt")
      SELECT c.id, (ARRAY['customer','agent','internal'])[k]::"MessageKind", CASE WHEN k = 1 THEN c."customerId" END,
        body, '<p>' || body || '</p>', c."createdAt" + k * interval '1 hour'
      FROM conversations c CROSS JOIN generate_series(1, ${MESSAGES_PER_CONVERSATION}) k
      CROSS JOIN LATERAL (SELECT
        (ARRAY['Hello','Hi','Dear team','Good morning'])[1 + floor(random() * 4)::int] || ', ' ||
        (ARRAY['my','the','our','this'])[1 + floor(random() * 4)::int] || ' ' ||
        (ARRAY['lamp','chair','table','parcel','invoice','delivery','screen','cable','battery','jacket'])[1 + floor(random() * 10)::int] || ' ' ||
        (ARRAY['arrived broken','never arrived','is late','was charged twice','does not work','is the wrong size'])[1 + floor(random() * 6)::int] || '. ' ||
        CASE WHEN random() < 0.33 THEN 'I would like a ${COMMON_WORD}. ' ELSE '' END ||
        'Reference ' || 'ref' || floor(random() * 100000)::int || ', tracking ' || md5(random()::text) || '. ' ||
        (ARRAY['Thanks','Regards','Best wishes','Cheers'])[1 + floor(random() * 4)::int] || ' ' || c.id || k AS body) b`)
    // The rare word: in the first message of two conversations of Folder 1 (the scoped agent's) and one of Folder 5.
    await sql(`
      UPDATE messages SET "bodyText" = "bodyText" || ' A ${RARE_WORD} ate the parcel.'
      WHERE id IN (SELECT min(m.id) FROM messages m WHERE m."conversationId" IN (
        (SELECT c.id FROM conversations c JOIN folders f ON f.id = c."folderId" WHERE f.name = 'Folder 1' ORDER BY c.id OFFSET 500 LIMIT 2)
        UNION (SELECT c.id FROM conversations c JOIN folders f ON f.id = c."folderId" WHERE f.name = 'Folder 5' ORDER BY c.id OFFSET 500 LIMIT 1))
        GROUP BY m."conversationId")`)
    // A fifth of the conversations carry a tag (each tag on about 2%), some a second one.
    await sql(`
      WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM tags),
           picks AS (SELECT c.id, random() AS r, floor(random() * 10)::int AS first, 1 + floor(random() * 9)::int AS shift FROM conversations c)
      INSERT INTO conversation_tags ("conversationId", "tagId")
      SELECT p.id, t.ids[1 + p.first] FROM picks p, t WHERE p.r < 0.2
      UNION ALL
      SELECT p.id, t.ids[1 + (p.first + p.shift) % 10] FROM picks p, t WHERE p.r < 0.05`)
    await sql('VACUUM ANALYZE folders, agents, folder_members, tags, customers, conversations, messages, conversation_tags')
    return timings
  } finally {
    client.release()
  }
}

function scansOf(plan: PlanNode, indexTable: Map<string, string>, out: Scan[] = []): Scan[] {
  const node = plan['Node Type']
  if (/Scan$/.test(node)) {
    const index = plan['Index Name']
    out.push({ node, table: plan['Relation Name'] ?? (index ? indexTable.get(index) : undefined), index, alias: plan.Alias })
  }
  for (const child of plan.Plans ?? []) scansOf(child, indexTable, out)
  return out
}

announceIfSkipped('the list, count and search queries use indexes on a seeded database')
describe.runIf(onPostgres)(`the list, count and search queries use indexes on a seeded database ${NEEDS_POSTGRES}`, () => {
  let app: TestApp
  let admin: Actor
  let agent: Actor
  let agentScope: FolderScope
  let folderIds: number[]
  let tagIds: number[]
  let otherAgent: number
  const indexTable = new Map<string, string>()
  const report: string[] = []

  beforeAll(async () => {
    app = await startTestApp()
    const started = Date.now()
    const timings = await seed(app)
    const prisma = app.ctx.db.prisma
    const toActor = (a: { id: number; name: string; email: string; role: 'admin' | 'agent' }): Actor => ({
      id: a.id,
      name: a.name,
      email: a.email,
      role: a.role,
    })
    admin = toActor(await prisma.agent.findUniqueOrThrow({ where: { email: 'seed-admin@example.test' } }))
    agent = toActor(await prisma.agent.findUniqueOrThrow({ where: { email: 'seed-agent@example.test' } }))
    agentScope = await folderScope(prisma, agent)
    folderIds = (await prisma.folder.findMany({ orderBy: { id: 'asc' } })).map((f) => f.id)
    tagIds = (await prisma.tag.findMany({ orderBy: { id: 'asc' } })).map((t) => t.id)
    otherAgent = (await prisma.agent.findUniqueOrThrow({ where: { email: 'agent7@example.test' } })).id
    const { rows } = await app.ctx.db.pool.query<{ indexname: string; tablename: string }>(
      `SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'`,
    )
    for (const r of rows) indexTable.set(r.indexname, r.tablename)
    const counts = await app.ctx.db.pool.query<{ c: string; m: string; rare: string; common: string }>(
      `SELECT (SELECT count(*) FROM conversations) AS c, (SELECT count(*) FROM messages) AS m,
              (SELECT count(*) FROM messages WHERE search @@ websearch_to_tsquery('simple', $1)) AS rare,
              (SELECT count(*) FROM messages WHERE search @@ websearch_to_tsquery('simple', $2)) AS common`,
      [RARE_WORD, COMMON_WORD],
    )
    report.push(`seeded in ${Date.now() - started} ms: ${JSON.stringify(counts.rows[0])}`, ...timings)
    const seeded = counts.rows[0]!
    expect([Number(seeded.c), Number(seeded.m), Number(seeded.rare)]).toEqual([CONVERSATIONS, CONVERSATIONS * MESSAGES_PER_CONVERSATION, 3])
    expect(Number(seeded.common)).toBeGreaterThan(CONVERSATIONS * MESSAGES_PER_CONVERSATION * 0.25)
  }, 180_000)

  afterAll(async () => {
    if (process.env.PRINT_PLANS) console.log(report.join('\n'))
    await app?.close()
  })

  /** Runs the real function, then EXPLAINs every statement it sent, with the values it sent. */
  async function plansOf(run: () => Promise<unknown>) {
    const { statements } = await countQueries(app, run, { ignore: BACKGROUND_STATEMENTS })
    expect(statements.length, 'the function sent no statement').toBeGreaterThan(0)
    const out: { statement: CapturedStatement; plan: PlanNode; text: string; scans: Scan[] }[] = []
    for (const statement of statements) {
      if (!/^\s*(SELECT|WITH)\b/i.test(statement.text)) continue
      const { rows } = await app.ctx.db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)
      const plan = rows[0]!['QUERY PLAN'][0].Plan
      // The same plan as text, for a reader of a failure.
      const text = (await app.ctx.db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n')
      out.push({ statement, plan, text, scans: scansOf(plan, indexTable) })
    }
    return out
  }

  function assertIndexed(name: string, plans: Awaited<ReturnType<typeof plansOf>>) {
    for (const [i, { statement, text, scans }] of plans.entries()) {
      const summary = scans.map(
        (s) => `${s.node} on ${s.table ?? '?'}${s.index ? ` using ${s.index}` : ''}${s.alias && s.alias !== s.table ? ` (${s.alias})` : ''}`,
      )
      report.push(`${name} [statement ${i + 1}]: ${summary.join('; ')}`)
      const detail = `${name}, statement ${i + 1}:\n${statement.text.replace(/\s+/g, ' ')}\nvalues: ${JSON.stringify(statement.values)}\nscans:\n  ${summary.join('\n  ')}\nplan:\n${text}`
      const seq = scans.filter((s) => s.node === 'Seq Scan' && s.table && NEVER_SEQ_SCANNED.includes(s.table))
      expect(seq.length, `sequential scan of ${seq.map((s) => s.table).join(', ')}: ${detail}`).toBe(0)
      const indexed = scans.filter((s) => INDEX_NODES.includes(s.node) && s.table && BIG_TABLES.includes(s.table))
      expect(indexed.length, `no index used on ${BIG_TABLES.join('/')}: ${detail}`).toBeGreaterThan(0)
    }
  }

  const q = (raw: Record<string, unknown>) => listQuerySchema.parse(raw)
  const who = (w: Who) => (w === 'admin' ? { actor: admin, scope: null } : { actor: agent, scope: agentScope })

  async function checkList(name: string, w: Who, raw: Record<string, unknown>) {
    const { actor, scope } = who(w)
    const query = q(raw)
    let result: Awaited<ReturnType<typeof listConversations>> | undefined
    const plans = await plansOf(async () => (result = await listConversations(app.ctx.db.prisma, actor, scope, query)))
    expect(result!.rows.length, `${name} found no row: the plan of an empty result proves little`).toBeGreaterThan(0)
    assertIndexed(name, plans)
  }

  async function checkCounts(name: string, w: Who, raw: Record<string, unknown>) {
    const { actor, scope } = who(w)
    const query = q(raw)
    assertIndexed(name, await plansOf(() => countTabs(app.ctx.db.prisma, actor, scope, query)))
  }

  /** The second page: the cursor comes from the real first page. */
  async function checkPage2(name: string, w: Who, raw: Record<string, unknown>) {
    const { actor, scope } = who(w)
    const first = await listConversations(app.ctx.db.prisma, actor, scope, q(raw))
    expect(first.nextCursor, `${name}: no second page`).not.toBeNull()
    await checkList(name, w, { ...raw, after: first.nextCursor })
  }

  /** A page back up ("newer"), and the conversation next to one: cursors from the real pages. */
  async function checkPageBack(name: string, w: Who, raw: Record<string, unknown>) {
    const { actor, scope } = who(w)
    const first = await listConversations(app.ctx.db.prisma, actor, scope, q(raw))
    const second = await listConversations(app.ctx.db.prisma, actor, scope, q({ ...raw, after: first.nextCursor }))
    expect(second.prevCursor, `${name}: no page to go back to`).not.toBeNull()
    await checkList(name, w, { ...raw, before: second.prevCursor })
  }
  async function checkAdjacent(name: string, w: Who, raw: Record<string, unknown>, direction: 'older' | 'newer') {
    const { actor, scope } = who(w)
    const { rows } = await listConversations(app.ctx.db.prisma, actor, scope, q(raw))
    const at = rows[10]!
    let found: unknown
    const plans = await plansOf(async () => (found = await adjacentConversation(app.ctx.db.prisma, actor, scope, q(raw), at, direction)))
    expect(found, `${name} found no conversation`).not.toBeNull()
    assertIndexed(name, plans)
  }

  type Who = 'admin' | 'agent'
  interface Case {
    name: string
    check: () => Promise<void>
  }
  const cases: Case[] = []
  const list = (name: string, w: Who, raw: () => Record<string, unknown>) => cases.push({ name, check: () => checkList(name, w, raw()) })
  const counts = (name: string, w: Who, raw: () => Record<string, unknown>) => cases.push({ name, check: () => checkCounts(name, w, raw()) })
  const page2 = (name: string, w: Who, raw: () => Record<string, unknown>) => cases.push({ name, check: () => checkPage2(name, w, raw()) })

  for (const tab of ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned'] as const) {
    list(`list tab=${tab} (admin)`, 'admin', () => ({ tab }))
    list(`list tab=${tab} (agent in two folders)`, 'agent', () => ({ tab }))
  }
  list('list tab=all folder filter (admin)', 'admin', () => ({ tab: 'all', folder: folderIds[3] }))
  list('list tab=open folder filter (agent)', 'agent', () => ({ tab: 'open', folder: folderIds[0] }))
  list('list tab=all assignee filter (admin)', 'admin', () => ({ tab: 'all', assignee: otherAgent }))
  list('list tab=open assignee=none (admin)', 'admin', () => ({ tab: 'open', assignee: 'none' }))
  list('list tab=all assignee filter (agent)', 'agent', () => ({ tab: 'all', assignee: otherAgent }))
  list('list tab=all tag filter (admin)', 'admin', () => ({ tab: 'all', tag: tagIds[2] }))
  list('list tab=all tag filter (agent)', 'agent', () => ({ tab: 'all', tag: tagIds[2] }))
  page2('list tab=all page 2 (admin)', 'admin', () => ({ tab: 'all' }))
  page2('list tab=closed page 2 (admin)', 'admin', () => ({ tab: 'closed' }))
  page2('list tab=new page 2 (agent)', 'agent', () => ({ tab: 'new' }))
  cases.push({ name: 'list tab=all back to page 1 (admin)', check: () => checkPageBack('list tab=all back to page 1 (admin)', 'admin', { tab: 'all' }) })
  cases.push({ name: 'list tab=new back to page 1 (agent)', check: () => checkPageBack('list tab=new back to page 1 (agent)', 'agent', { tab: 'new' }) })
  cases.push({ name: 'next in tab=open (agent)', check: () => checkAdjacent('next in tab=open (agent)', 'agent', { tab: 'open' }, 'older') })
  cases.push({ name: 'previous in tab=all (admin)', check: () => checkAdjacent('previous in tab=all (admin)', 'admin', { tab: 'all' }, 'newer') })
  counts('counts (admin)', 'admin', () => ({}))
  counts('counts (agent in two folders)', 'agent', () => ({}))
  counts('counts folder filter (admin)', 'admin', () => ({ folder: folderIds[3] }))
  counts('counts assignee filter (admin)', 'admin', () => ({ assignee: otherAgent }))
  counts('counts tag filter (admin)', 'admin', () => ({ tag: tagIds[2] }))
  counts('counts tag filter (agent)', 'agent', () => ({ tag: tagIds[2] }))
  list(`search rare word, list tab=all (admin)`, 'admin', () => ({ tab: 'all', q: RARE_WORD }))
  list(`search rare word, list tab=all (agent)`, 'agent', () => ({ tab: 'all', q: RARE_WORD }))
  counts(`search rare word, counts (admin)`, 'admin', () => ({ q: RARE_WORD }))
  counts(`search rare word, counts (agent)`, 'agent', () => ({ q: RARE_WORD }))
  list(`search common word, list tab=all (admin)`, 'admin', () => ({ tab: 'all', q: COMMON_WORD }))
  list(`search common word, list tab=open (agent)`, 'agent', () => ({ tab: 'open', q: COMMON_WORD }))
  counts(`search common word, counts (admin)`, 'admin', () => ({ q: COMMON_WORD }))
  counts(`search common word, counts (agent)`, 'agent', () => ({ q: COMMON_WORD }))

  /**
   * Shapes planned today with a sequential scan of conversations (seen on PostgreSQL 15 with this
   * seed): real findings for the performance work, not accepted behaviour. They run as it.fails,
   * so the suite stays green while they are open and turns red the day one is fixed: then delete
   * its entry. Never add an entry to make a new regression pass.
   *  - counts (admin): no filter at all, count(*) FILTER … over every conversation.
   *  - counts tag filter (admin): hash semi-join of all conversations with the tag's rows.
   *  - search, admin (no folder scope to narrow c): the c.id IN (… UNION …) shape is hash-joined
   *    against a full scan of conversations, for a rare word (estimated 750 matching messages,
   *    3 in fact) as for a common one (then also customers, and a sort of every match).
   */
  const KNOWN_UNINDEXED = new Set<string>([])

  it('lists only existing cases as known findings', () => {
    expect([...KNOWN_UNINDEXED].filter((name) => !cases.some((c) => c.name === name))).toEqual([])
  })

  for (const c of cases) {
    if (KNOWN_UNINDEXED.has(c.name)) it.fails(`KNOWN SEQ SCAN, to fix in the performance work: ${c.name}`, c.check)
    else it(c.name, c.check)
  }
})
