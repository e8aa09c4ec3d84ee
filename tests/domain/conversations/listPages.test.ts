import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import {
  adjacentConversation,
  COUNT_CAP,
  cursorOf,
  listConversations,
  listQuerySchema,
  PAGE_SIZE,
  type ListQuery,
} from '../../../src/domain/conversations/listConversations.ts'
import { folderScope, type FolderScope } from '../../../src/domain/policy.ts'
import type { ConversationStatus } from '../../../src/generated/prisma/enums.ts'
import { buildAgent, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

// Pages both ways by keyset, the position of a page (rows above it), and next/previous through a list.
describe('pages of the conversation list and the conversations next to one', () => {
  let app: TestApp
  let agent: Actor
  let scope: FolderScope
  let folderId: number
  let otherFolderId: number
  let bigFolderId: number
  /** The ids of the folder's conversations, newest first, and those of them pending. */
  let ids: number[]
  let pending: number[]
  const prisma = () => app.ctx.db.prisma
  const query = (q: Record<string, string>): ListQuery => listQuerySchema.parse({ tab: 'all', folder: String(folderId), ...q })

  async function insert(folder: number, count: number, start: number, options: { status?: (i: number) => ConversationStatus; tie?: boolean } = {}) {
    const customer = await prisma().customer.create({ data: { email: `pages-${folder}-${start}@example.com`, name: 'Pat Pages' } })
    // Every third pair shares its millisecond: the id breaks the tie.
    await prisma().conversation.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        subject: `Row ${i}`,
        channel: 'email' as const,
        status: options.status?.(i) ?? 'open',
        folderId: folder,
        customerId: customer.id,
        lastActivityAt: new Date(start - (options.tie ? Math.floor(i / 2) : i) * 60_000),
      })),
    })
  }

  beforeAll(async () => {
    app = await startTestApp()
    const [folder, other, big] = [await buildFolder(prisma(), 'Pages'), await buildFolder(prisma(), 'Elsewhere'), await buildFolder(prisma(), 'Big')]
    folderId = folder.id
    otherFolderId = other.id
    bigFolderId = big.id
    const base = new Date('2027-03-01T12:00:00Z').getTime()
    await insert(folderId, 120, base, { tie: true, status: (i) => (i % 10 === 3 ? 'pending' : 'open') })
    // Interleaved in time with the first folder's: never in its agent's lists, never next to its rows.
    await insert(otherFolderId, 30, base - 30_000)
    await insert(bigFolderId, COUNT_CAP + 60, base)
    agent = await buildAgent(prisma(), { folderIds: [folderId, bigFolderId] })
    scope = await folderScope(prisma(), agent)
    const rows = await prisma().conversation.findMany({
      where: { folderId },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      select: { id: true, status: true },
    })
    ids = rows.map((c) => c.id)
    pending = rows.filter((c) => c.status === 'pending').map((c) => c.id)
  })
  afterAll(async () => {
    await app?.close()
  })

  const idsOf = (page: { rows: { id: number }[] }) => page.rows.map((r) => r.id)

  it('goes down by "older" and back up by "newer" through the same pages, counting the rows above each', async () => {
    const first = await listConversations(prisma(), agent, scope, query({}))
    expect(idsOf(first)).toEqual(ids.slice(0, 50))
    expect(first).toMatchObject({ isFirstPage: true, prevCursor: null, rowsBefore: { count: 0, atLeast: false } })

    const second = await listConversations(prisma(), agent, scope, query({ after: first.nextCursor! }))
    expect(idsOf(second)).toEqual(ids.slice(50, 100))
    expect(second).toMatchObject({ isFirstPage: false, rowsBefore: { count: 50, atLeast: false } })

    const third = await listConversations(prisma(), agent, scope, query({ after: second.nextCursor! }))
    expect(idsOf(third)).toEqual(ids.slice(100))
    expect(third).toMatchObject({ nextCursor: null, rowsBefore: { count: 100, atLeast: false } })

    const backToSecond = await listConversations(prisma(), agent, scope, query({ before: third.prevCursor! }))
    expect(idsOf(backToSecond)).toEqual(idsOf(second))
    expect(backToSecond).toMatchObject({ isFirstPage: false, nextCursor: second.nextCursor, rowsBefore: { count: 50, atLeast: false } })

    const backToFirst = await listConversations(prisma(), agent, scope, query({ before: backToSecond.prevCursor! }))
    expect(idsOf(backToFirst)).toEqual(idsOf(first))
    expect(backToFirst).toMatchObject({ isFirstPage: true, prevCursor: null, nextCursor: first.nextCursor, rowsBefore: { count: 0, atLeast: false } })
  })

  it('keeps the tab on every page: "before" pages are the same tab’s rows', async () => {
    const page = await listConversations(prisma(), agent, scope, query({ tab: 'pending' }))
    expect(idsOf(page)).toEqual(pending)
    const last = page.rows.at(-1)!
    const above = await listConversations(prisma(), agent, scope, query({ tab: 'pending', before: cursorOf(last) }))
    expect(idsOf(above)).toEqual(pending)
  })

  it('gives the full first page when "newer" reaches the top with fewer rows than a page', async () => {
    // A cursor near the top: only 3 rows are newer; the page shown is the first, full.
    const page = await listConversations(prisma(), agent, scope, query({ before: `${Date.parse('2027-03-01T11:58:30Z')}_${ids[3]}` }))
    expect(page.rows).toHaveLength(PAGE_SIZE)
    expect(idsOf(page)).toEqual(ids.slice(0, 50))
    expect(page).toMatchObject({ isFirstPage: true, prevCursor: null })
  })

  it('counts the rows above a page up to the same bound as the tab counts, and says so beyond', async () => {
    const big = (await prisma().conversation.findMany({
      where: { folderId: bigFolderId },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      select: { id: true, lastActivityAt: true },
    }))!
    const inBig = (q: Record<string, string>) => listQuerySchema.parse({ tab: 'all', folder: String(bigFolderId), ...q })
    const near = await listConversations(prisma(), agent, scope, inBig({ after: cursorOf(big[949]!) }))
    expect(near.rowsBefore).toEqual({ count: 950, atLeast: false })
    const far = await listConversations(prisma(), agent, scope, inBig({ after: cursorOf(big[1009]!) }))
    expect(far.rowsBefore).toEqual({ count: COUNT_CAP, atLeast: true })
    expect(idsOf(far)).toEqual(big.slice(1010, 1060).map((c) => c.id))
    const farUp = await listConversations(prisma(), agent, scope, inBig({ before: cursorOf(big[1059]!) }))
    expect(idsOf(farUp)).toEqual(big.slice(1009, 1059).map((c) => c.id))
    expect(farUp.rowsBefore).toEqual({ count: COUNT_CAP, atLeast: true })
    const nearUp = await listConversations(prisma(), agent, scope, inBig({ before: cursorOf(big[960]!) }))
    expect(nearUp.rowsBefore).toEqual({ count: 910, atLeast: false })
  })

  it('finds the conversation below and above one, in the list’s order and within the agent’s folders', async () => {
    const at = async (i: number) => prisma().conversation.findUniqueOrThrow({ where: { id: ids[i]! }, select: { id: true, lastActivityAt: true } })
    const list = query({})
    expect((await adjacentConversation(prisma(), agent, scope, list, await at(10), 'older'))?.id).toBe(ids[11])
    expect((await adjacentConversation(prisma(), agent, scope, list, await at(10), 'newer'))?.id).toBe(ids[9])
    // Same millisecond, told apart by id.
    expect((await adjacentConversation(prisma(), agent, scope, list, await at(0), 'older'))?.id).toBe(ids[1])
    expect(await adjacentConversation(prisma(), agent, scope, list, await at(0), 'newer')).toBeNull()
    expect(await adjacentConversation(prisma(), agent, scope, list, await at(119), 'older')).toBeNull()
    // Without the folder filter: the other folder's conversations (interleaved in time) are never
    // next, nor are the pending ones in "open".
    const everything = listQuerySchema.parse({ tab: 'open' })
    const expected = (
      await prisma().conversation.findMany({
        where: { folderId: { in: [folderId, bigFolderId] }, status: 'open' },
        orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
        select: { id: true },
        take: 41,
      })
    ).map((c) => c.id)
    const walked: number[] = [expected[0]!]
    while (walked.length < expected.length) {
      const position = await prisma().conversation.findUniqueOrThrow({ where: { id: walked.at(-1)! }, select: { id: true, lastActivityAt: true } })
      const next = await adjacentConversation(prisma(), agent, scope, everything, position, 'older')
      walked.push(next!.id)
    }
    expect(walked).toEqual(expected)
    const pendingNearTheTop = pending.filter((id) => ids.indexOf(id) < 10)
    expect(pendingNearTheTop.length).toBeGreaterThan(0)
    for (const id of pendingNearTheTop) expect(walked).not.toContain(id)
  })

  it('finds the neighbours of a conversation that has left the list (a reply moved it)', async () => {
    const moved = { lastActivityAt: new Date(Date.parse('2027-03-01T12:00:00Z') - 20 * 60_000 - 1), id: 1 }
    const below = await adjacentConversation(prisma(), agent, scope, query({}), moved, 'older')
    const above = await adjacentConversation(prisma(), agent, scope, query({}), moved, 'newer')
    // Rows 40 and 41 share 20 minutes before the base time; the position is 1 ms earlier.
    expect(above?.id).toBe(ids[41])
    expect(below?.id).toBe(ids[42])
  })
})
