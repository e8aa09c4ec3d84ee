import { asCustomer } from '../../src/domain/actor.ts'
import type request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { addCustomerMessage } from '../../src/domain/conversations/commands/addCustomerMessage.ts'
import { addInternalComment } from '../../src/domain/conversations/commands/addInternalComment.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import { addTag } from '../../src/domain/conversations/commands/tagConversation.ts'
import type { ConversationStatus } from '../../src/generated/prisma/enums.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../helpers/factories.ts'
import { BACKGROUND_STATEMENTS, countQueries, formatStatements, type QueryCount } from '../helpers/queryCounter.ts'
import { ADMIN, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

/*
 * Guard rails, not timings: each page sends a fixed number of SQL statements whatever the number
 * of rows it shows (no N+1), and that number stays under a bound.
 *
 * Every count includes what any signed-in request costs before the route runs: the session store
 * reads the session and, in the same statement, the agent with their folder ids
 *     SELECT s.sess, (SELECT json_build_object(…) FROM agents a WHERE a.id = …) AS companion FROM sessions s WHERE s.sid = $1 …
 * The session store extends an unchanged session at most every few minutes per process
 * (UPDATE sessions SET expire = …): the warm-up request of `measure` does it, the counted one not.
 *
 * Measured (the same on PGlite and on PostgreSQL 15; admin and agent alike):
 *   GET /conversations, any tab or filter         5    the one above, then the page with its rows' tags, the
 *                                                      tab counts, viewers, and the menus (folders, tags,
 *                                                      agents) with the bell's unread count in one
 *   GET /conversations?q=…                        7    plus the search's classification (planner estimate)
 *   GET /conversations/:number                    3    the one above, the page (one statement), and what the
 *                                                      team tools add beyond the page with the bell's count in
 *                                                      one more (saved replies, merge candidates, drafts, follow
 *                                                      state, a rating if the history shows one; the similar
 *                                                      conversations are fetched apart, when their card shows)
 *   GET /conversations/:number/thread             2
 *   GET /conversations-counts                     2 (4 with a search)
 *   GET /settings (admins only)                   8
 * Each bound is the larger measured count plus one.
 */
const SESSION_AND_AUTH = 1
const LIST_BOUND = 8
const CONVERSATION_BOUND = 4
const THREAD_BOUND = 3
const COUNTS_BOUND = 5
const SETTINGS_BOUND = 9

const STATUSES: ConversationStatus[] = ['new', 'open', 'pending', 'closed']

describe('SQL statements per page are bounded and do not grow with the rows (no N+1)', () => {
  let app: TestApp
  let adminClient: request.Agent
  let agentClient: request.Agent
  let admin: Actor
  let agent: Actor
  let folderA: number
  let folderB: number
  let tagIds: number[]
  let seeded = 0
  let detailed: { id: number; number: number; customerId: number }

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    adminClient = await setUpAndSignIn(app)
    const a = await prisma.agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    admin = { id: a.id, name: a.name, email: a.email, role: a.role }
    folderA = (await buildFolder(prisma, 'Support')).id
    folderB = (await buildFolder(prisma, 'Billing')).id
    agent = await buildAgent(prisma, { folderIds: [folderA], name: 'Scoped Agent' })
    agentClient = (await signIn(app, agent.email, PASSWORD)).client
    tagIds = [(await buildTag(prisma, 'urgent', 'red')).id, (await buildTag(prisma, 'vip', 'blue')).id, (await buildTag(prisma, 'refund', 'green')).id]
    // A few the scoped agent must not see: the admin's lists show them, the agent's do not.
    for (let i = 0; i < 3; i++)
      await buildConversation(app.ctx.domain, admin, { folderId: folderB, subject: `Invoice parcel question ${i}`, status: STATUSES[i]! })
  })
  afterAll(async () => {
    await app?.close()
  })

  /**
   * Conversations in the agent's folder until there are `total`: every status, assignee and tag
   * combination comes round, so with 5 already each tab and filter below has at least one row.
   */
  async function seedListTo(total: number) {
    for (; seeded < total; seeded++) {
      const i = seeded
      const assigneeId = [null, admin.id, agent.id][i % 3]!
      const c = await buildConversation(app.ctx.domain, admin, {
        folderId: folderA,
        subject: `Parcel ${i} has not arrived`,
        customerEmail: `customer-${i}@example.com`,
        customerName: `Customer ${i}`,
        assigneeId,
        status: STATUSES[i % 4]!,
      })
      if (i % 2 === 0) await addTag(app.ctx.domain, admin, { conversationId: c.id, tagId: tagIds[0]! })
      if (i % 3 === 0) await addTag(app.ctx.domain, admin, { conversationId: c.id, tagId: tagIds[1]! })
    }
  }

  it('counts raw pool queries and every statement of an interactive transaction', async () => {
    const prisma = app.ctx.db.prisma
    // The app's own timers may fire meanwhile; they are left out as in every count below.
    const ignore = BACKGROUND_STATEMENTS
    const raw = await countQueries(app, () => app.ctx.db.pool.query('SELECT 1 AS one'), { ignore })
    expect(raw.statements.map((st) => st.text)).toEqual(['SELECT 1 AS one'])
    const tx = await countQueries(app, () => prisma.$transaction(async (t) => [await t.agent.count(), await t.folder.count()]), { ignore })
    expect(
      tx.statements.map((st) => st.text.split(' ')[0]),
      formatStatements(tx.statements),
    ).toEqual(['BEGIN', 'SELECT', 'SELECT', 'COMMIT'])
    const batch = await countQueries(app, () => Promise.all([prisma.tag.findMany(), prisma.$queryRaw`SELECT ${2}::int AS two`]), { ignore })
    expect(batch.count).toBe(2)
    expect(batch.statements.find((st) => st.text.includes('AS two'))?.values).toEqual([2])
  })

  let detailedMessages = 0
  /** One conversation with `messages` messages (customer, replies, comments, an attachment), tags and history. */
  async function growDetailedTo(messages: number, tags: number) {
    const ctx = app.ctx.domain
    if (!detailed) {
      const c = await buildConversation(ctx, admin, {
        folderId: folderA,
        subject: 'Broken lamp, several messages',
        customerEmail: 'detailed@example.com',
        assigneeId: agent.id,
        files: [{ fileName: 'photo.txt', data: Buffer.from('a photo of the lamp') }],
      })
      detailed = { id: c.id, number: c.number, customerId: c.customerId }
      detailedMessages = 1
    }
    for (; detailedMessages < messages; detailedMessages++) {
      const n = detailedMessages
      if (n % 3 === 0)
        await addCustomerMessage(ctx, asCustomer(detailed.customerId), {
          conversationId: detailed.id,
          text: `Customer message ${n}`,
          files: n % 6 === 0 ? [{ fileName: `c${n}.txt`, data: Buffer.from(`file ${n}`) }] : [],
        })
      else if (n % 3 === 1) await replyAsAgent(ctx, admin, { conversationId: detailed.id, text: `Reply ${n}` })
      else await addInternalComment(ctx, agent, { conversationId: detailed.id, text: `Comment ${n}` })
      // More history: status changes between messages.
      if (n % 5 === 0) await setConversationStatus(ctx, admin, { conversationId: detailed.id, status: 'open' })
    }
    const present = new Set((await app.ctx.db.prisma.conversationTag.findMany({ where: { conversationId: detailed.id } })).map((t) => t.tagId))
    for (const tagId of tagIds.slice(0, tags)) if (!present.has(tagId)) await addTag(ctx, admin, { conversationId: detailed.id, tagId })
  }

  function listUrls(who: 'admin' | 'agent') {
    const assignee = who === 'admin' ? admin.id : agent.id
    return [
      ...['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned'].map((tab) => `/conversations?tab=${tab}`),
      `/conversations?tab=all&folder=${folderA}`,
      `/conversations?tab=all&assignee=${assignee}`,
      `/conversations?tab=all&assignee=none`,
      `/conversations?tab=all&tag=${tagIds[0]}`,
      `/conversations?tab=all&q=parcel`,
      `/conversations?tab=new&folder=${folderA}&tag=${tagIds[0]}&q=parcel`,
    ]
  }

  interface Measured {
    url: string
    bound: number
    result: QueryCount<request.Response>
  }

  async function measure(client: request.Agent, url: string, bound: number): Promise<Measured> {
    // The first request of a kind may warm something up (nothing does today): count the second.
    await client.get(url)
    const result = await countQueries(app, async () => client.get(url).set('Accept', 'text/html'), { ignore: BACKGROUND_STATEMENTS })
    expect(result.result.status, `${url} answered ${result.result.status}`).toBe(200)
    return { url, bound, result }
  }

  async function measureAll(who: 'admin' | 'agent') {
    const client = who === 'admin' ? adminClient : agentClient
    const out: Measured[] = []
    for (const url of listUrls(who)) out.push(await measure(client, url, LIST_BOUND))
    out.push(await measure(client, `/conversations/${detailed.number}`, CONVERSATION_BOUND))
    out.push(await measure(client, `/conversations/${detailed.number}/thread`, THREAD_BOUND))
    out.push(await measure(client, `/conversations-counts?folder=${folderA}&tag=${tagIds[0]}&q=parcel`, COUNTS_BOUND))
    out.push(await measure(client, `/conversations-counts`, COUNTS_BOUND))
    if (who === 'admin') out.push(await measure(client, '/settings', SETTINGS_BOUND))
    return out
  }

  const rowsShown = (html: string) => html.split('class="row-link"').length - 1

  function compare(small: Measured[], large: Measured[], who: string) {
    const table: string[] = []
    for (const [i, s] of small.entries()) {
      const l = large[i]!
      table.push(`${who} ${s.url}: ${s.result.count} → ${l.result.count}`)
      const detail = `${who} GET ${s.url}\nwith few rows:\n${formatStatements(s.result.statements)}\nwith many rows:\n${formatStatements(l.result.statements)}`
      expect(l.result.count, `the number of statements grows with the rows (N+1?): ${detail}`).toBe(s.result.count)
      expect(l.result.count, `over the bound of ${s.bound}: ${detail}`).toBeLessThanOrEqual(s.bound)
      // The session and agent query is part of the count (see the comment at the top).
      expect(l.result.count).toBeGreaterThan(SESSION_AND_AUTH)
      const texts = l.result.statements.map((st) => st.text)
      expect(
        texts.some((t) => /SELECT s\.sess, .* FROM sessions s/s.test(t)),
        `session read not counted: ${detail}`,
      ).toBe(true)
      expect(
        texts.some((t) => /UPDATE "sessions" SET expire/.test(t)),
        `session touched again within minutes: ${detail}`,
      ).toBe(false)
    }
    return table
  }

  it('as an admin and as an agent limited to one folder: 5 then 50 conversations, a thread of 3 then 30 messages', { timeout: 180_000 }, async () => {
    await seedListTo(5)
    await growDetailedTo(3, 2)
    const small = { admin: await measureAll('admin'), agent: await measureAll('agent') }
    // The small run really showed a few rows and a short thread. Every list shows at least one row
    // (an empty page skips the tags and viewers queries, which would make the comparison moot).
    for (const m of [...small.admin, ...small.agent].filter((m) => m.url.startsWith('/conversations?')))
      expect(rowsShown(m.result.result.text), `${m.url} shows no row`).toBeGreaterThan(0)
    expect(rowsShown(small.agent[4]!.result.result.text)).toBe(6)
    expect(small.admin[small.admin.findIndex((m) => m.url.endsWith('/thread'))]!.result.result.headers['x-message-count']).toBe('3')

    await seedListTo(50)
    await growDetailedTo(30, 3)
    const large = { admin: await measureAll('admin'), agent: await measureAll('agent') }
    // A full first page (50 rows) for both; the admin also sees the other folder's.
    expect(rowsShown(large.agent[4]!.result.result.text)).toBe(50)
    expect(rowsShown(large.admin[4]!.result.result.text)).toBe(50)
    expect(large.admin[large.admin.findIndex((m) => m.url.endsWith('/thread'))]!.result.result.headers['x-message-count']).toBe('30')

    const table = [...compare(small.admin, large.admin, 'admin'), ...compare(small.agent, large.agent, 'agent')]
    if (process.env.PRINT_QUERY_COUNTS) {
      console.log(table.join('\n'))
      for (const m of [...large.admin, ...large.agent].filter((m) => !m.url.includes('?tab=')))
        console.log(`${m.url}\n${formatStatements(m.result.statements)}`)
    }
  })
})
