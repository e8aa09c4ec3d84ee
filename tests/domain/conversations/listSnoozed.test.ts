import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { snoozeConversation } from '../../../src/domain/conversations/commands/snoozeConversation.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import {
  countTabsDetailed,
  listConversations,
  listQuerySchema,
  PAGE_SIZE,
  TABS,
  type ListQuery,
  type Tab,
} from '../../../src/domain/conversations/listConversations.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { UNTIL_ANSWER } from '../../../src/domain/conversations/snooze.ts'
import { folderWorkloads } from '../../../src/domain/folders/folderWorkload.ts'
import { folderScope, type FolderScope } from '../../../src/domain/policy.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../../helpers/needsPostgres.ts'
import { BACKGROUND_STATEMENTS, countQueries } from '../../helpers/queryCounter.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const HOUR = 60 * 60 * 1000

// Snoozed conversations leave every tab and count, and wait in the Snoozed tab, soonest first.
describe('the conversation list and snoozed conversations', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let agent: Actor
  let scope: FolderScope
  let folderId: number
  let tagId: number
  /** Per status, the one left awake and the one snoozed. */
  const awake: Record<string, number> = {}
  const snoozed: { id: number; until: Date | null }[] = []

  const q = (raw: Record<string, unknown>): ListQuery => listQuerySchema.parse({ folder: String(folderId), ...raw })
  const ids = async (tab: Tab, raw: Record<string, unknown> = {}) =>
    (await listConversations(ctx.prisma, agent, scope, q({ tab, ...raw }))).rows.map((r) => r.id)

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Snoozy')).id
    agent = await buildAgent(ctx.prisma, { folderIds: [folderId] })
    scope = await folderScope(ctx.prisma, agent)
    tagId = (await buildTag(ctx.prisma, 'sleepy')).id
    for (const status of ['new', 'open', 'pending'] as const) {
      const a = await buildConversation(ctx, agent, { folderId, status, subject: `Awake ${status} zebra`, assigneeId: agent.id })
      awake[status] = a.id
      // Snoozed: a pending one until the customer answers, the others until a moment (open sooner than new).
      const until = status === 'pending' ? null : new Date(time.clock().getTime() + (status === 'open' ? 2 : 5) * HOUR)
      const s = await buildConversation(ctx, agent, {
        folderId,
        status,
        subject: `Snoozed ${status} zebra`,
        assigneeId: status === 'new' ? undefined : agent.id,
      })
      await snoozeConversation(ctx, agent, { conversationId: s.id, until })
      await addTag(ctx, agent, { conversationId: s.id, tagId })
      await addTag(ctx, agent, { conversationId: a.id, tagId })
      snoozed.push({ id: s.id, until })
    }
    awake.closed = (await buildConversation(ctx, agent, { folderId, status: 'closed', subject: 'Closed zebra' })).id
    await addTag(ctx, agent, { conversationId: awake.closed, tagId })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('leaves every tab but Snoozed', async () => {
    const hidden = snoozed.map((s) => s.id)
    for (const tab of TABS.filter((t) => t !== 'snoozed')) {
      const shown = await ids(tab)
      expect(
        shown.filter((id) => hidden.includes(id)),
        tab,
      ).toEqual([])
    }
    expect(await ids('open')).toEqual([awake.open])
    expect((await ids('all')).sort()).toEqual(Object.values(awake).sort())
  })

  it('shows them in the Snoozed tab, soonest first, those waiting for the customer last, with their moment', async () => {
    const page = await listConversations(ctx.prisma, agent, scope, q({ tab: 'snoozed' }))
    const [newOne, openOne, pendingOne] = snoozed
    expect(page.rows.map((r) => r.id)).toEqual([openOne!.id, newOne!.id, pendingOne!.id])
    expect(page.rows.map((r) => r.snooze)).toEqual([{ until: openOne!.until }, { until: newOne!.until }, { until: null }])
    expect(page).toMatchObject({ nextCursor: null, prevCursor: null, isFirstPage: true })
  })

  it('leaves every count but Snoozed, with or without a search or a tag', async () => {
    const expected = { new: 1, open: 1, pending: 1, closed: 1, all: 4, mine: 3, unassigned: 0, snoozed: 3 }
    for (const raw of [{}, { q: 'zebra' }, { tag: String(tagId) }]) {
      const { counts } = await countTabsDetailed(ctx.prisma, agent, scope, q(raw))
      expect(counts, JSON.stringify(raw)).toEqual(expected)
    }
    // A search lists them only in Snoozed.
    expect((await ids('snoozed', { q: 'zebra' })).length).toBe(3)
    expect(await ids('new', { q: 'zebra' })).toEqual([awake.new])
  })

  it('leaves the folder’s work in the left column', async () => {
    const mine = (await folderWorkloads(ctx, agent)).find((f) => f.id === folderId)
    expect(mine?.toHandle).toBe(2)
  })

  it('pages through a long Snoozed tab by wake time', async () => {
    const folder = (await buildFolder(ctx.prisma, 'Many snoozes')).id
    const many = await buildAgent(ctx.prisma, { folderIds: [folder] })
    const customer = await ctx.prisma.customer.create({ data: { email: 'many-snoozes@example.com', name: 'Mo Many' } })
    const base = time.clock().getTime()
    await ctx.prisma.conversation.createMany({
      data: Array.from({ length: PAGE_SIZE + 10 }, (_, i) => ({
        subject: `Snoozed ${i}`,
        channel: 'email' as const,
        status: 'open' as const,
        folderId: folder,
        customerId: customer.id,
        snoozedAt: new Date(base),
        // Every fifth waits for the customer; the others come back an hour apart, in reverse order of creation.
        snoozedUntil: i % 5 === 0 ? UNTIL_ANSWER : new Date(base + (100 - i) * HOUR),
      })),
    })
    const manyScope = await folderScope(ctx.prisma, many)
    const query = listQuerySchema.parse({ tab: 'snoozed' })
    const first = await listConversations(ctx.prisma, many, manyScope, query)
    const second = await listConversations(ctx.prisma, many, manyScope, { ...query, after: first.nextCursor! })
    const all = [...first.rows, ...second.rows]
    expect(first.rows).toHaveLength(PAGE_SIZE)
    expect(second).toMatchObject({ nextCursor: null, isFirstPage: false, rowsBefore: { count: PAGE_SIZE, atLeast: false } })
    expect(all).toHaveLength(PAGE_SIZE + 10)
    const keys = all.map((r) => r.snooze!.until?.getTime() ?? Infinity)
    expect(keys).toEqual([...keys].sort((a, b) => a - b))
    expect(new Set(all.map((r) => r.id)).size).toBe(PAGE_SIZE + 10)
  })
})

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Heap Fetches'?: number
  Plans?: PlanNode[]
}
const scans = (plan: PlanNode): PlanNode[] => [...(/Scan$/.test(plan['Node Type']) ? [plan] : []), ...(plan.Plans ?? []).flatMap(scans)]

/*
 * On a few thousand conversations (a hundred snoozed, some of each status), the tab counts stay
 * index-only walks as they were before snooze, the snoozed ones being counted apart through the
 * snoozedUntil index; the Snoozed tab walks that index; the Open tab's plan is the same with its
 * snooze condition as without it. PRINT_PLANS=1 prints the scans of each statement (and, where the
 * statement has the condition, the plan without it).
 */
announceIfSkipped('the snoozed filters keep the list and count plans on indexes')
describe.runIf(onPostgres)(`the snoozed filters keep the list and count plans on indexes ${NEEDS_POSTGRES}`, () => {
  let app: TestApp
  let admin: Actor
  const report: string[] = []

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    admin = await buildAgent(prisma, { role: 'admin' })
    const folder = await buildFolder(prisma)
    const customer = await prisma.customer.create({ data: { email: 'explain-snooze@example.com', name: 'Ex Plain' } })
    await app.ctx.db.pool.query(
      `INSERT INTO conversations (subject, status, channel, "folderId", "customerId", "assigneeId", "lastActivityAt", "snoozedAt", "snoozedUntil", "updatedAt")
       SELECT 'Row ' || g,
              (CASE WHEN g % 20 = 0 THEN 'new' WHEN g % 20 < 3 THEN 'open' WHEN g % 20 < 5 THEN 'pending' ELSE 'closed' END)::"ConversationStatus",
              'email', $1, $2, CASE WHEN g % 3 = 0 THEN NULL ELSE $3::int END, now() - g * interval '1 minute',
              CASE WHEN g % 100 IN (1, 3) THEN now() END,
              CASE WHEN g % 100 = 1 THEN now() + g * interval '1 minute' WHEN g % 100 = 3 THEN '9999-12-31T00:00:00Z'::timestamptz END,
              now()
       FROM generate_series(1, 5000) g`,
      [folder.id, customer.id, admin.id],
    )
    await app.ctx.db.pool.query('VACUUM ANALYZE conversations')
  }, 120_000)
  afterAll(async () => {
    if (process.env.PRINT_PLANS) console.log(report.join('\n'))
    await app?.close()
  })

  async function plans(name: string, run: () => Promise<unknown>) {
    const { statements } = await countQueries(app, run, { ignore: BACKGROUND_STATEMENTS })
    const out: PlanNode[][] = []
    for (const s of statements.filter((s) => /^\s*(\/\*.*?\*\/\s*)?(SELECT|WITH)\b/is.test(s.text))) {
      const { rows } = await app.ctx.db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.text}`, s.values)
      const found = scans(rows[0]!['QUERY PLAN'][0].Plan)
      const line = (nodes: PlanNode[]) =>
        nodes.map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''} (heap fetches ${n['Heap Fetches'] ?? '-'})`).join('; ')
      report.push(`${name}: ${line(found)}`)
      // The same statement without the snooze conditions, for comparison.
      const without = s.text.replaceAll(' AND c."snoozedAt" IS NULL', '')
      if (without !== s.text) {
        const { rows: base } = await app.ctx.db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${without}`, s.values)
        report.push(`${name} without the snooze filter: ${line(scans(base[0]!['QUERY PLAN'][0].Plan))}`)
      }
      out.push(found)
    }
    expect(out.length).toBeGreaterThan(0)
    return out.flat()
  }

  it('counts every tab from its index alone, and the snoozed ones through the snoozedUntil index', async () => {
    let counts: Awaited<ReturnType<typeof countTabsDetailed>> | undefined
    const found = await plans('counts', async () => (counts = await countTabsDetailed(app.ctx.db.prisma, admin, null, listQuerySchema.parse({}))))
    expect(found.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'conversations')).toEqual([])
    // Six tabs, each an index-only walk; then the snoozed conversations, from their own index.
    expect(found.filter((n) => n['Node Type'] === 'Index Only Scan')).toHaveLength(6)
    expect(found.some((n) => n['Index Name'] === 'conversations_snoozedUntil_idx')).toBe(true)
    expect(counts!.counts.snoozed).toBe(100)
  })

  it('finds the Snoozed tab without reading every conversation', async () => {
    let rows = 0
    const found = await plans(
      'snoozed tab',
      async () => (rows = (await listConversations(app.ctx.db.prisma, admin, null, listQuerySchema.parse({ tab: 'snoozed' }))).rows.length),
    )
    expect(rows).toBe(PAGE_SIZE)
    expect(found.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'conversations')).toEqual([])
  })

  it('lists the Open tab from its index', async () => {
    const found = await plans('open tab', () => listConversations(app.ctx.db.prisma, admin, null, listQuerySchema.parse({ tab: 'open' })))
    expect(found.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'conversations')).toEqual([])
  })
})
