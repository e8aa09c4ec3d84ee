import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../../src/domain/actor.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { findRating } from '../../../src/domain/ratings/ratingQueries.ts'
import { RATING_COMMENT_MAX, recordRating } from '../../../src/domain/ratings/recordRating.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** The listener of the notification centre runs after each commit; the tests wait for it. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > until) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('satisfaction ratings', () => {
  let app: TestApp
  let folderId: number
  let alice: Actor
  let bruno: Actor
  const prisma = () => app.ctx.db.prisma
  const ctx = () => app.ctx.domain

  beforeAll(async () => {
    app = await startTestApp()
    const folder = await buildFolder(prisma(), 'Support')
    await prisma().folder.update({ where: { id: folder.id }, data: { ratingsEnabled: true } })
    folderId = folder.id
    alice = await buildAgent(prisma(), { folderIds: [folderId], name: 'Alice Durand' })
    bruno = await buildAgent(prisma(), { folderIds: [folderId], name: 'Bruno Léger' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const ratingEvents = (conversationId: number) =>
    prisma().event.findMany({ where: { conversationId, type: { in: ['rating.given', 'rating.commented'] } }, orderBy: { position: 'asc' } })

  async function answered(options: { assigneeId?: number } = {}) {
    const c = await buildConversation(ctx(), alice, { folderId, mode: 'send', text: 'Here is how to reset it.', ...options })
    return { id: c.id, customer: asCustomer(c.customerId) }
  }

  it('opening a link records a provisional rating; confirming it records it for the reports, once', async () => {
    const { id, customer } = await answered()
    const first = await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: false })
    expect(first).toMatchObject({ value: 'great', confirmed: false, changed: true })
    // A scanner opening the same link again changes nothing.
    expect(await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: false })).toMatchObject({ changed: false })
    const confirmed = await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true })
    expect(confirmed).toMatchObject({ value: 'great', confirmed: true, changed: true })
    // Confirming again what is confirmed records nothing more.
    expect(await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true })).toMatchObject({ changed: false })
    const events = await ratingEvents(id)
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['rating.given', { value: 'great', confirmed: false, previous: null, customerId: customer.customerId }],
      ['rating.given', { value: 'great', confirmed: true, previous: 'great', customerId: customer.customerId }],
    ])
    expect(events.every((e) => e.actorKind === 'customer')).toBe(true)
    expect(await prisma().rating.findUniqueOrThrow({ where: { conversationId: id } })).toMatchObject({
      value: 'great',
      confirmed: true,
      customerId: customer.customerId,
    })
  })

  it('a provisional rating never replaces a confirmed one with another value; a confirmed one does', async () => {
    const { id, customer } = await answered()
    await recordRating(ctx(), customer, { conversationId: id, value: 'okay', confirmed: true })
    // A scanner fetching the other links of the e-mail.
    for (const value of ['great', 'bad'] as const) {
      expect(await recordRating(ctx(), customer, { conversationId: id, value, confirmed: false })).toMatchObject({
        value: 'okay',
        confirmed: true,
        changed: false,
      })
    }
    expect(await findRating(ctx(), id)).toMatchObject({ value: 'okay', confirmed: true })
    // The customer changes their mind in their browser.
    expect(await recordRating(ctx(), customer, { conversationId: id, value: 'bad', confirmed: true })).toMatchObject({
      value: 'bad',
      confirmed: true,
      changed: true,
    })
    const events = await ratingEvents(id)
    expect(events.map((e) => e.data)).toEqual([
      { value: 'okay', confirmed: true, previous: null, customerId: customer.customerId },
      { value: 'bad', confirmed: true, previous: 'okay', customerId: customer.customerId },
    ])
  })

  it('a provisional rating may replace another provisional one (the latest click wins)', async () => {
    const { id, customer } = await answered()
    await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: false })
    await recordRating(ctx(), customer, { conversationId: id, value: 'okay', confirmed: false })
    expect(await findRating(ctx(), id)).toMatchObject({ value: 'okay', confirmed: false })
    expect((await ratingEvents(id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ value: 'great', confirmed: false, previous: null }),
      expect.objectContaining({ value: 'okay', confirmed: false, previous: 'great' }),
    ])
  })

  it('takes a comment, changes it, and records a comment event only when it changes', async () => {
    const { id, customer } = await answered()
    await recordRating(ctx(), customer, { conversationId: id, value: 'okay', confirmed: true, comment: '  It took two days.  ' })
    expect(await findRating(ctx(), id)).toMatchObject({ value: 'okay', comment: 'It took two days.' })
    // The same comment again, with the same rating: nothing new.
    expect(await recordRating(ctx(), customer, { conversationId: id, value: 'okay', confirmed: true, comment: 'It took two days.' })).toMatchObject({
      changed: false,
    })
    // A confirmation by the page's script sends no comment: it stays.
    await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true })
    expect(await findRating(ctx(), id)).toMatchObject({ value: 'great', comment: 'It took two days.' })
    await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true, comment: 'Fixed now, thanks!' })
    await recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true, comment: '' })
    const events = await ratingEvents(id)
    expect(events.map((e) => [e.type, e.type === 'rating.commented' ? (e.data as { comment: string }).comment : (e.data as { value: string }).value])).toEqual([
      ['rating.given', 'okay'],
      ['rating.commented', 'It took two days.'],
      ['rating.given', 'great'],
      ['rating.commented', 'Fixed now, thanks!'],
      ['rating.commented', ''],
    ])
    await expect(
      recordRating(ctx(), customer, { conversationId: id, value: 'great', confirmed: true, comment: 'x'.repeat(RATING_COMMENT_MAX + 1) }),
    ).rejects.toBeInstanceOf(ValidationError)
  })

  it('only the conversation’s own customer may rate it', async () => {
    const mine = await answered()
    const theirs = await answered()
    await expect(recordRating(ctx(), theirs.customer, { conversationId: mine.id, value: 'bad', confirmed: true })).rejects.toBeInstanceOf(NotFoundError)
    await expect(recordRating(ctx(), mine.customer, { conversationId: 2_000_000_000, value: 'bad', confirmed: true })).rejects.toBeInstanceOf(NotFoundError)
    expect(await findRating(ctx(), mine.id)).toBeNull()
    expect(await ratingEvents(mine.id)).toEqual([])
  })

  it('a confirmed "not good" notifies the assignee (bell and e-mail by default); a provisional one or another value does not', async () => {
    const { id, customer } = await answered({ assigneeId: bruno.id })
    const badRatingsOf = (agent: Actor) => prisma().notification.findMany({ where: { agentId: agent.id, conversationId: id, kind: 'bad_rating' } })
    await recordRating(ctx(), customer, { conversationId: id, value: 'bad', confirmed: false })
    await recordRating(ctx(), customer, { conversationId: id, value: 'okay', confirmed: true })
    await recordRating(ctx(), customer, { conversationId: id, value: 'bad', confirmed: true })
    const told = await eventually(
      () => badRatingsOf(bruno),
      (rows) => rows.length > 0,
    )
    expect(told).toHaveLength(1)
    const [notified] = await prisma().$queryRaw<
      { position: bigint }[]
    >`SELECT position FROM events WHERE "conversationId" = ${id} AND type = 'rating.given' AND data->>'value' = 'bad' AND (data->>'confirmed')::boolean`
    expect(told[0]!.eventPosition).toBe(BigInt(notified!.position))
    expect(await badRatingsOf(alice)).toEqual([])
    const mails = await prisma().outboxEmail.findMany({ where: { toAddress: bruno.email, conversationId: id, kind: 'notification' } })
    expect(mails.filter((m) => m.subject.includes('A customer rated the conversation “Not good”'))).toHaveLength(1)
  })
})
