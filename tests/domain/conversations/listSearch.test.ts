import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { filterOptions } from '../../../src/domain/conversations/filterOptions.ts'
import {
  countTabsDetailed,
  listConversations,
  listQuerySchema,
  SEARCH_CANDIDATES,
  searchProblems,
} from '../../../src/domain/conversations/listConversations.ts'
import { folderScope } from '../../../src/domain/policy.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

// Search as people type it: words, phrases, prefixes and filters in the query, within the agent's folders.
describe('searching the conversation list', () => {
  let app: TestApp
  let admin: Actor
  let bob: Actor
  let scoped: Actor
  let numbers: Record<'refund' | 'parcel' | 'reference' | 'billingVip', number>
  let vipTag: number
  let bulkFolder: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    const ctx = app.ctx.domain
    const support = await buildFolder(prisma(), 'Support')
    const billing = await buildFolder(prisma(), 'Billing EU')
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada Admin' })
    bob = { ...(await buildAgent(prisma(), { folderIds: [support.id, billing.id], name: 'Bob Martin' })), timeZone: 'Europe/Paris' }
    scoped = await buildAgent(prisma(), { folderIds: [support.id], name: 'Sam Scoped' })
    vipTag = (await buildTag(prisma(), 'vip')).id
    await buildTag(prisma(), 'urgent')
    const refund = await buildConversation(ctx, admin, {
      folderId: support.id,
      subject: 'Refund request',
      text: 'I would like a refund for the lamp.',
      customerName: 'Alice Martin',
      customerEmail: 'alice@example.com',
      status: 'pending',
    })
    await addTag(ctx, admin, { conversationId: refund.id, tagId: vipTag })
    await assignConversation(ctx, admin, { conversationId: refund.id, assigneeId: bob.id })
    const parcel = await buildConversation(ctx, admin, {
      folderId: support.id,
      subject: 'Parcel late',
      text: 'Where is my parcel?',
      customerName: 'Alice Other',
      customerEmail: 'alice.b@other.example',
      status: 'open',
    })
    const reference = await buildConversation(ctx, admin, {
      folderId: billing.id,
      subject: 'Reference number missing',
      text: 'The invoice has no number.',
      customerName: 'Zoé Durand',
      customerEmail: 'zoe@example.org',
    })
    const billingVip = await buildConversation(ctx, admin, { folderId: billing.id, subject: 'Invoice copy', text: 'Please send a copy.', status: 'open' })
    await addTag(ctx, admin, { conversationId: billingVip.id, tagId: vipTag })
    numbers = { refund: refund.number, parcel: parcel.number, reference: reference.number, billingVip: billingVip.number }
    // Known days of last activity, for before: and after:.
    await prisma().conversation.update({ where: { id: refund.id }, data: { lastActivityAt: new Date('2026-11-20T10:00:00Z') } })
    await prisma().conversation.update({ where: { id: parcel.id }, data: { lastActivityAt: new Date('2026-11-30T23:30:00Z') } })
    await prisma().conversation.update({ where: { id: reference.id }, data: { lastActivityAt: new Date('2026-12-02T08:00:00Z') } })
    await prisma().conversation.update({ where: { id: billingVip.id }, data: { lastActivityAt: new Date('2026-12-03T08:00:00Z') } })
    bulkFolder = (await buildFolder(prisma(), 'Bulk')).id
  })
  afterAll(async () => {
    await app?.close()
  })

  async function search(actor: Actor, raw: Record<string, string | number>) {
    const scope = await folderScope(prisma(), actor)
    const query = listQuerySchema.parse({ tab: 'all', ...raw })
    const [list, counts] = await Promise.all([listConversations(prisma(), actor, scope, query), countTabsDetailed(prisma(), actor, scope, query)])
    return { numbers: list.rows.map((r) => r.number).sort((a, b) => a - b), counts: counts.counts, atLeast: counts.atLeast, rows: list.rows }
  }
  const found = async (actor: Actor, q: string, raw: Record<string, string | number> = {}) => (await search(actor, { q, ...raw })).numbers
  const sorted = (...n: number[]) => n.sort((a, b) => a - b)

  it('finds words starting with a prefix (ref* finds refund and reference), within the agent’s folders', async () => {
    expect(await found(admin, 'ref*')).toEqual(sorted(numbers.refund, numbers.reference))
    expect(await found(scoped, 'ref*')).toEqual([numbers.refund])
    expect(await found(admin, 'REFU*')).toEqual([numbers.refund])
  })

  it('needs every word, and a phrase in its order', async () => {
    expect(await found(admin, 'refund lamp')).toEqual([numbers.refund])
    expect(await found(admin, 'refund parcel')).toEqual([])
    expect(await found(admin, '"refund request"')).toEqual([numbers.refund])
    expect(await found(admin, '"request refund"')).toEqual([])
  })

  it('reads tsquery syntax typed in the box as plain text, never as an error', async () => {
    for (const q of [`ref:* | !x & (`, `'a':*`, `"`, `*`, `a\\b*`, `from:"`, `!!! ***`]) await expect(found(admin, q)).resolves.toBeInstanceOf(Array)
  })

  it('narrows by customer, status and tag typed in the query: from:alice status:pending tag:vip', async () => {
    expect(await found(admin, 'from:alice')).toEqual(sorted(numbers.refund, numbers.parcel))
    expect(await found(admin, 'from:alice status:pending tag:vip')).toEqual([numbers.refund])
    expect(await found(admin, 'from:other.example')).toEqual([numbers.parcel])
    expect(await found(admin, 'de:zo statut:nouveau')).toEqual([numbers.reference])
  })

  it('reads assignee:me, assignee:none and names; folder names only among the agent’s folders', async () => {
    expect(await found(bob, 'assignee:me')).toEqual([numbers.refund])
    expect(await found(admin, 'assigné:bob')).toEqual([numbers.refund])
    expect(await found(admin, 'assignee:none')).toEqual(sorted(numbers.parcel, numbers.reference, numbers.billingVip))
    expect(await found(admin, 'folder:billing')).toEqual(sorted(numbers.reference, numbers.billingVip))
    expect(await found(admin, 'dossier:"billing eu" tag:vip')).toEqual([numbers.billingVip])
    // Billing is not one of Sam's folders: the name matches nothing for him.
    expect(await found(scoped, 'folder:billing')).toEqual([])
    const names = await filterOptions(prisma(), await folderScope(prisma(), scoped))
    expect(searchProblems(listQuerySchema.parse({ q: 'folder:billing' }), names)).toEqual([
      { key: 'list.search.noFolder', values: { filter: 'folder:billing' } },
    ])
  })

  it('leaves the list and its counts empty when a filter matches nothing, and says which', async () => {
    const result = await search(admin, { q: 'refund tag:nosuchtag' })
    expect(result.numbers).toEqual([])
    expect(Object.values(result.counts).every((n) => n === 0)).toBe(true)
    const names = await filterOptions(prisma(), null)
    expect(searchProblems(listQuerySchema.parse({ q: 'refund tag:nosuchtag status:lost' }), names).map((p) => p.key)).toEqual([
      'list.search.noTag',
      'list.search.badStatus',
    ])
  })

  it('reads before: and after: as days in the agent’s time zone, the named day left out', async () => {
    // Bob is in Paris: 23:30 UTC on 30 November is already 1 December there.
    expect(await found(bob, 'before:2026-12-01')).toEqual([numbers.refund])
    expect(await found(admin, 'before:2026-12-01')).toEqual(sorted(numbers.refund, numbers.parcel))
    expect(await found(bob, 'after:2026-11-30 before:2026-12-03')).toEqual(sorted(numbers.parcel, numbers.reference))
    expect(await found(admin, 'avant:2026-12-01 après:2026-11-19')).toEqual(sorted(numbers.refund, numbers.parcel))
  })

  it('gives a typed filter and the same menu choice the same list and counts', async () => {
    const typed = await search(admin, { q: 'tag:vip' })
    const chosen = await search(admin, { tag: vipTag })
    expect(typed.numbers).toEqual(chosen.numbers)
    expect(typed.counts).toEqual(chosen.counts)
    const both = await search(admin, { q: 'tag:vip', tag: vipTag, tab: 'open' })
    expect(both.numbers).toEqual([numbers.billingVip])
  })

  it('counts nothing in the status tabs a typed status leaves out', async () => {
    const { counts } = await search(admin, { q: 'status:pending', tab: 'pending' })
    expect(counts).toMatchObject({ new: 0, open: 0, pending: 1, closed: 0, all: 1 })
  })

  it(`stays exact past ${SEARCH_CANDIDATES} matches: a common prefix and tag are checked row by row (the broad way)`, async () => {
    const customer = await prisma().customer.create({ data: { email: 'bulk@example.com', name: 'Bulk Buyer' } })
    const tag = await buildTag(prisma(), 'bulk-tag')
    const start = new Date('2026-10-01T00:00:00Z').getTime()
    await prisma().conversation.createMany({
      data: Array.from({ length: SEARCH_CANDIDATES + 20 }, (_, i) => ({
        subject: `Bulkorder ${i}`,
        channel: 'email' as const,
        status: i % 2 ? ('open' as const) : ('closed' as const),
        folderId: bulkFolder,
        customerId: customer.id,
        lastActivityAt: new Date(start - i * 60_000),
      })),
    })
    const ids = (await prisma().conversation.findMany({ where: { folderId: bulkFolder }, select: { id: true } })).map((c) => c.id)
    await prisma().conversationTag.createMany({ data: ids.map((conversationId) => ({ conversationId, tagId: tag.id })) })
    await prisma().$executeRawUnsafe('ANALYZE conversations, conversation_tags')
    const result = await search(admin, { q: 'bulkor* tag:bulk-tag' })
    expect(result.rows).toHaveLength(50)
    expect(result.rows.every((r) => r.subject.startsWith('Bulkorder'))).toBe(true)
    // Lower bounds from the newest conversations of each tab.
    expect(result.atLeast.all).toBe(true)
    expect(result.counts.open).toBeGreaterThan(0)
    // A rare word among them is still found exactly.
    expect(await found(admin, 'bulkor* refund')).toEqual([])
    expect(await found(admin, 'from:bulk status:open tag:bulk-tag', { tab: 'open' })).toHaveLength(50)
  }, 60_000)
})
