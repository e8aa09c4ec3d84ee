import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, SYSTEM, type Actor } from '../../../src/domain/actor.ts'
import { addCustomerMessage } from '../../../src/domain/conversations/commands/addCustomerMessage.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { NotFoundError } from '../../../src/domain/errors.ts'
import { recordEvents } from '../../../src/domain/events/record.ts'
import { followConversation, unfollowConversation } from '../../../src/domain/notifications/follow.ts'
import { findMentions } from '../../../src/domain/notifications/mentions.ts'
import { countUnread, markAllNotificationsRead, markNotificationRead } from '../../../src/domain/notifications/notifications.ts'
import { transaction } from '../../../src/domain/transaction.ts'
import { readLog, START_OF_LOG } from '../../../src/reactions/eventLog.ts'
import { notificationCentre } from '../../../src/reactions/notificationCentre.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** The app's own listener runs after each commit (within a second); the tests wait for it. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > until) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('notifications', () => {
  let app: TestApp
  let folderId: number
  let alice: Actor
  let bruno: Actor
  let outsider: Actor
  const prisma = () => app.ctx.db.prisma
  const ctx = () => app.ctx.domain

  const notificationsOf = (agent: Actor, where: object = {}) =>
    prisma().notification.findMany({ where: { agentId: agent.id, ...where }, orderBy: { id: 'asc' } })
  const mailsTo = (agent: Actor, conversationId: number) => prisma().outboxEmail.findMany({ where: { toAddress: agent.email, conversationId } })
  /** Waits until the listener has read everything written so far (its position is past the last event). */
  async function settled() {
    const [last] = await prisma().$queryRaw<{ p: bigint }[]>`SELECT max(position) AS p FROM events`
    await eventually(
      () => prisma().$queryRaw<{ position: bigint }[]>`SELECT position FROM event_consumers WHERE name = 'notifications'`,
      (rows) => rows.length > 0 && BigInt(rows[0]!.position) >= BigInt(last!.p),
    )
  }
  const setPrefs = (agent: Actor, prefs: Record<string, string>) => prisma().agent.update({ where: { id: agent.id }, data: { notificationPrefs: prefs } })

  beforeAll(async () => {
    app = await startTestApp()
    const folder = await buildFolder(prisma(), 'Support')
    const other = await buildFolder(prisma(), 'Elsewhere')
    folderId = folder.id
    alice = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Alice Durand' })
    bruno = await buildAgent(prisma(), { folderIds: [folder.id], name: 'Bruno Léger' })
    outsider = await buildAgent(prisma(), { folderIds: [other.id], name: 'Olga Outside' })
  })
  afterAll(async () => {
    await app?.close()
  })

  describe('finding @ mentions', () => {
    it('matches a name or the local part of the e-mail, in any case and without accents, as a whole word', async () => {
      const find = (text: string) => transaction(ctx(), (tx) => findMentions(tx, folderId, text))
      const brunoHandle = bruno.email.split('@')[0]!
      expect(await find('@bruno leger can you look?')).toEqual([bruno.id])
      expect(await find(`Ask @${brunoHandle.toUpperCase()}.`)).toEqual([bruno.id])
      expect(await find('@Alice Durand and @Bruno Léger')).toEqual(expect.arrayContaining([alice.id, bruno.id]))
      expect(await find(`write to x@${brunoHandle} or @${brunoHandle}x`)).toEqual([])
      // Someone who may not read the folder cannot be named.
      expect(await find(`@Olga Outside, @${outsider.email.split('@')[0]}`)).toEqual([])
    })
  })

  it('a mention notifies the agent named (once, even if the listener runs the batch again), not the author, and e-mails them by default', async () => {
    const c = await buildConversation(ctx(), alice, { folderId })
    await addInternalComment(ctx(), alice, { conversationId: c.id, text: 'Could @Bruno Léger and @alice durand check the invoice?' })
    const event = await prisma().event.findFirstOrThrow({ where: { conversationId: c.id, type: 'comment.added' } })
    expect(event.data).toMatchObject({ mentions: expect.arrayContaining([bruno.id, alice.id]) })
    await settled()
    expect(await notificationsOf(bruno, { conversationId: c.id })).toMatchObject([{ kind: 'mention', actorAgentId: alice.id, readAt: null }])
    expect(await notificationsOf(alice, { conversationId: c.id })).toEqual([])
    const mails = await mailsTo(bruno, c.id)
    expect(mails).toMatchObject([{ kind: 'mention' }])
    expect(mails[0]!.subject).toContain('Alice Durand mentioned you')

    // The same batch handled again (a crash after the rows were written) writes nothing twice.
    const centre = notificationCentre(app.ctx.domain)
    const events = (await readLog(prisma(), START_OF_LOG, 100_000)).filter((e) => e.conversationId === c.id)
    for (let i = 0; i < 2; i++) await prisma().$transaction((tx) => centre.handle(tx, events))
    expect(await notificationsOf(bruno, { conversationId: c.id })).toHaveLength(1)
  })

  it('a mention of an agent outside the folder notifies nobody', async () => {
    const c = await buildConversation(ctx(), alice, { folderId })
    await addInternalComment(ctx(), alice, { conversationId: c.id, text: `@Olga Outside and @${outsider.email.split('@')[0]} should see this` })
    await settled()
    expect(await prisma().notification.count({ where: { conversationId: c.id } })).toBe(0)
    expect(await prisma().outboxEmail.count({ where: { conversationId: c.id, kind: 'mention' } })).toBe(0)
  })

  it('each agent chooses per kind: none writes nothing, email only an e-mail, both both, app only the notification', async () => {
    const chosen = { none: await buildAgent(prisma(), { folderIds: [folderId] }), email: await buildAgent(prisma(), { folderIds: [folderId] }) }
    const both = await buildAgent(prisma(), { folderIds: [folderId] })
    const app_ = await buildAgent(prisma(), { folderIds: [folderId] })
    await setPrefs(chosen.none, { assigned: 'none' })
    await setPrefs(chosen.email, { assigned: 'email' })
    await setPrefs(both, { assigned: 'both' })
    await setPrefs(app_, { assigned: 'app' })
    const results = []
    for (const agent of [chosen.none, chosen.email, both, app_]) {
      const c = await buildConversation(ctx(), alice, { folderId })
      await assignConversation(ctx(), alice, { conversationId: c.id, assigneeId: agent.id })
      results.push({ agent, c })
    }
    await settled()
    const counts = await Promise.all(
      results.map(async ({ agent, c }) => [(await notificationsOf(agent, { conversationId: c.id })).length, (await mailsTo(agent, c.id)).length]),
    )
    expect(counts).toEqual([
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 0],
    ])
    expect((await notificationsOf(both))[0]).toMatchObject({ kind: 'assigned', actorAgentId: alice.id })
    // Assigning to oneself tells nobody.
    const mine = await buildConversation(ctx(), alice, { folderId })
    await assignConversation(ctx(), alice, { conversationId: mine.id, assigneeId: alice.id })
    await settled()
    expect(await notificationsOf(alice, { conversationId: mine.id })).toEqual([])
  })

  it('a customer reply tells the assignee (in the app by default) and the followers, the assignee only once', async () => {
    const follower = await buildAgent(prisma(), { folderIds: [folderId] })
    const c = await buildConversation(ctx(), alice, { folderId, mode: 'send', assigneeId: bruno.id })
    await followConversation(ctx(), follower, c.id)
    await followConversation(ctx(), bruno, c.id)
    await addCustomerMessage(ctx(), asCustomer(c.customerId), { conversationId: c.id, text: 'Any news?' })
    await settled()
    // Assigned at creation by Alice, then the customer's reply: not a second time as a follower.
    expect((await notificationsOf(bruno, { conversationId: c.id })).map((n) => n.kind)).toEqual(['assigned', 'customer_reply'])
    expect((await notificationsOf(follower, { conversationId: c.id })).map((n) => n.kind)).toEqual(['followed_reply'])
    // customer_reply and followed_reply default to the app only.
    expect((await mailsTo(bruno, c.id)).filter((m) => m.subject.includes('customer replied'))).toEqual([])
    expect(await mailsTo(follower, c.id)).toEqual([])
  })

  it('a snooze ended by the clock tells the assignee', async () => {
    const c = await buildConversation(ctx(), alice, { folderId, assigneeId: bruno.id })
    await transaction(ctx(), (tx) =>
      recordEvents(ctx(), tx, [
        { type: 'conversation.woke', actor: SYSTEM, at: new Date(), conversation: { id: c.id, folderId }, data: { reason: 'time', assigneeId: bruno.id } },
      ]),
    )
    await settled()
    expect((await notificationsOf(bruno, { conversationId: c.id })).map((n) => n.kind)).toEqual(['assigned', 'snooze_ended'])
  })

  it('follow and unfollow are recorded once; a conversation the agent cannot read cannot be followed', async () => {
    const c = await buildConversation(ctx(), alice, { folderId })
    expect(await followConversation(ctx(), bruno, c.id)).toBe(true)
    expect(await followConversation(ctx(), bruno, c.id)).toBe(false)
    expect(await unfollowConversation(ctx(), bruno, c.id)).toBe(true)
    expect(await unfollowConversation(ctx(), bruno, c.id)).toBe(false)
    const events = await prisma().event.findMany({ where: { actorAgentId: bruno.id, type: { in: ['conversation.followed', 'conversation.unfollowed'] } } })
    expect(events.filter((e) => (e.data as { conversationId: number }).conversationId === c.id).map((e) => e.type)).toEqual([
      'conversation.followed',
      'conversation.unfollowed',
    ])
    await expect(followConversation(ctx(), outsider, c.id)).rejects.toBeInstanceOf(NotFoundError)
    expect(await prisma().conversationFollower.count({ where: { conversationId: c.id } })).toBe(0)
  })

  it('an agent marks their own notifications read, never another’s', async () => {
    const c = await buildConversation(ctx(), alice, { folderId })
    await addInternalComment(ctx(), alice, { conversationId: c.id, text: 'cc @bruno léger' })
    await settled()
    const [n] = await notificationsOf(bruno, { conversationId: c.id })
    await expect(markNotificationRead(ctx(), alice, { notificationId: n!.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(markNotificationRead(ctx(), alice, { notificationId: 'abc' })).rejects.toBeInstanceOf(NotFoundError)
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: n!.id } })).readAt).toBeNull()
    expect(await markNotificationRead(ctx(), bruno, { notificationId: n!.id })).toBe(1)
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: n!.id } })).readAt).not.toBeNull()
    await markAllNotificationsRead(ctx(), bruno)
    expect(await countUnread(ctx(), bruno, [folderId])).toBe(0)
    expect(await prisma().event.count({ where: { type: 'notification.read', actorAgentId: bruno.id } })).toBeGreaterThan(0)
  })
})
