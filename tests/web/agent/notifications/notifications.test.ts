import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { addInternalComment } from '../../../../src/domain/conversations/commands/addInternalComment.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > until) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('the notification centre', () => {
  let app: TestApp
  let folderId: number
  let otherFolderId: number
  let alice: Actor
  let bruno: Actor
  let brunoClient: Awaited<ReturnType<typeof signIn>>['client']
  let aliceClient: Awaited<ReturnType<typeof signIn>>['client']
  const prisma = () => app.ctx.db.prisma

  /** A comment of Alice's naming Bruno, and the notification the listener writes for it. */
  async function mentionBruno(subject: string, folder = folderId) {
    const c = await buildConversation(app.ctx.domain, alice, { folderId: folder, subject })
    await addInternalComment(app.ctx.domain, alice, { conversationId: c.id, text: '@Bruno Bernard, have a look' })
    const rows = await eventually(
      () => prisma().notification.findMany({ where: { agentId: bruno.id, conversationId: c.id } }),
      (r) => r.length > 0,
    )
    expect(rows).toHaveLength(1)
    return { conversation: c, notification: rows[0]! }
  }

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Support')).id
    otherFolderId = (await buildFolder(prisma(), 'Billing')).id
    alice = await buildAgent(prisma(), { folderIds: [folderId, otherFolderId], name: 'Alice Arnaud' })
    bruno = await buildAgent(prisma(), { folderIds: [folderId, otherFolderId], name: 'Bruno Bernard' })
    brunoClient = (await signIn(app, bruno.email, PASSWORD)).client
    aliceClient = (await signIn(app, alice.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  it('shows the count on the bell, lists the notification linking to its conversation, and only to its agent', async () => {
    const { conversation, notification } = await mentionBruno('Broken kettle')
    const page = await brunoClient.get('/conversations')
    expect(page.text).toMatch(/aria-label="Notifications, 1 unread"/)
    const centre = await brunoClient.get('/notifications')
    expect(centre.status).toBe(200)
    expect(centre.text).toContain('Alice Arnaud mentioned you')
    expect(centre.text).toContain(`href="/conversations/${conversation.number}"`)
    expect(centre.text).toContain(`action="/notifications/${notification.id}/read"`)
    expect((await aliceClient.get('/notifications')).text).not.toContain('Broken kettle')

    const latest = await brunoClient.get('/notifications/latest').set('Accept', 'application/json')
    expect(latest.body).toMatchObject({ count: 1, text: '1', label: 'Notifications, 1 unread' })
    expect(latest.body.html).toContain('Broken kettle')
    await prisma().notification.update({ where: { id: notification.id }, data: { readAt: new Date() } })
  })

  it('marks a notification read, refuses another agent’s, and marks all read', async () => {
    const { notification } = await mentionBruno('Leaking tap')
    const token = csrfFrom((await aliceClient.get('/notifications')).text)
    const refused = await aliceClient.post(`/notifications/${notification.id}/read`).type('form').send({ _csrf: token })
    expect(refused.status).toBe(404)
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt).toBeNull()

    const brunoToken = csrfFrom((await brunoClient.get('/notifications')).text)
    const res = await brunoClient.post(`/notifications/${notification.id}/read`).type('form').send({ _csrf: brunoToken })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/notifications')
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt).not.toBeNull()
    expect((await brunoClient.get('/notifications')).text).toContain('The notification is marked as read.')

    await mentionBruno('Squeaky door')
    await mentionBruno('Flat tyre')
    const all = await brunoClient.post('/notifications/read-all').type('form').send({ _csrf: brunoToken })
    expect(all.status).toBe(303)
    expect(await prisma().notification.count({ where: { agentId: bruno.id, readAt: null } })).toBe(0)
    expect((await brunoClient.get('/notifications')).text).toMatch(/aria-label="Notifications, none unread"/)
  })

  it('opening the conversation reads its notifications', async () => {
    const { conversation, notification } = await mentionBruno('Cold radiator')
    expect((await brunoClient.get(`/conversations/${conversation.number}`)).status).toBe(200)
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt).not.toBeNull()
  })

  it('leaves out conversations the agent may no longer read', async () => {
    const { conversation } = await mentionBruno('Secret billing matter', otherFolderId)
    await prisma().folderMember.deleteMany({ where: { agentId: bruno.id, folderId: otherFolderId } })
    try {
      const centre = await brunoClient.get('/notifications')
      expect(centre.text).not.toContain('Secret billing matter')
      expect(centre.text).toMatch(/aria-label="Notifications, none unread"/)
      expect((await brunoClient.get('/notifications/latest').set('Accept', 'application/json')).body.count).toBe(0)
      void conversation
    } finally {
      await prisma().folderMember.create({ data: { agentId: bruno.id, folderId: otherFolderId } })
    }
  })

  it('follows and unfollows a conversation from its page; an agent outside the folder cannot', async () => {
    const c = await buildConversation(app.ctx.domain, alice, { folderId })
    const href = `/conversations/${c.number}`
    let page = await brunoClient.get(href)
    expect(page.text).toContain(`action="${href}/follow"`)
    let res = await brunoClient
      .post(`${href}/follow`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(href)
    expect(await prisma().conversationFollower.count({ where: { conversationId: c.id, agentId: bruno.id } })).toBe(1)
    page = await brunoClient.get(href)
    expect(page.text).toContain('Following — stop')
    res = await brunoClient
      .post(`${href}/unfollow`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    expect(await prisma().conversationFollower.count({ where: { conversationId: c.id } })).toBe(0)

    const outsider = await buildAgent(prisma(), { folderIds: [], name: 'Olga Outside' })
    const { client } = await signIn(app, outsider.email, PASSWORD)
    const token = csrfFrom((await client.get('/notifications')).text)
    expect((await client.post(`${href}/follow`).type('form').send({ _csrf: token })).status).toBe(404)
    expect((await client.get(`${href}/mentionable`).set('Accept', 'application/json')).status).toBe(404)
    expect(await prisma().conversationFollower.count({ where: { conversationId: c.id } })).toBe(0)
  })

  it('lists who may be mentioned: the agents who may read the folder', async () => {
    const c = await buildConversation(app.ctx.domain, alice, { folderId })
    const res = await brunoClient.get(`/conversations/${c.number}/mentionable`).set('Accept', 'application/json')
    expect(res.status).toBe(200)
    const names = (res.body.agents as { name: string }[]).map((a) => a.name)
    expect(names).toEqual(expect.arrayContaining(['Alice Arnaud', 'Bruno Bernard']))
    expect(names).not.toContain('Olga Outside')
  })

  it('saves the choice per kind from the profile, and refuses a value out of the list', async () => {
    let page = await brunoClient.get('/profile')
    expect(page.text).toContain('name="pref_mention" value="both" checked')
    let res = await brunoClient
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), pref_mention: 'email', pref_followed_reply: 'none', timeZone: 'UTC' })
    expect(res.status).toBe(303)
    const after = await prisma().agent.findUniqueOrThrow({ where: { id: bruno.id } })
    expect(after.notificationPrefs).toMatchObject({ mention: 'email', followed_reply: 'none', assigned: 'both', customer_reply: 'app' })
    page = await brunoClient.get('/profile')
    expect(page.text).toContain('name="pref_mention" value="email" checked')
    res = await brunoClient
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), pref_assigned: 'sometimes' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('Choose how you are told of this.')
    await prisma().agent.update({ where: { id: bruno.id }, data: { notificationPrefs: {} } })
  })
})
