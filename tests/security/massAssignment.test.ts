/**
 * Parameters nobody may choose (the rivals' "missing authorisation check on a ticket-creation
 * parameter"): extra form fields that name a folder, an assignee, a status, another conversation
 * or customer, a role, an e-mail address or another account are ignored or refused, for
 * customers (contact form, status page) and for agents (new conversation, own profile,
 * invitation, password reset). Folder access on every route is in tests/web/routeAccess.test.ts
 * and tests/web/agent/conversations/permissions.test.ts.
 */
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VISITOR, type Actor } from '../../src/domain/actor.ts'
import { inviteAgent } from '../../src/domain/agents/manageAgents.ts'
import { requestPasswordReset } from '../../src/domain/agents/passwordReset.ts'
import { customerToken } from '../../src/mail/customerLinks.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('parameters nobody may choose', () => {
  let app: TestApp
  let adminActor: Actor
  let defaultFolderId: number
  let restricted: { id: number }
  let insider: Actor
  let member: Actor
  let memberFolder: { id: number }
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    await setUpAndSignIn(app)
    const p = prisma()
    adminActor = await p.agent.findUniqueOrThrow({ where: { email: ADMIN.email }, select: { id: true, name: true, email: true, role: true } })
    defaultFolderId = (await p.folder.findFirstOrThrow({ orderBy: { id: 'asc' } })).id
    restricted = await buildFolder(p, 'Legal')
    memberFolder = await buildFolder(p, 'Support')
    insider = await buildAgent(p, { folderIds: [restricted.id], name: 'Lena Legal' })
    member = await buildAgent(p, { folderIds: [memberFolder.id], name: 'Sam Support' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('the contact form: the conversation goes to the default folder, new and unassigned, whatever the form adds', async () => {
    const tag = await buildTag(prisma(), 'vip-forged')
    const other = await buildConversation(app.ctx.domain, adminActor, { folderId: restricted.id })
    const client = request.agent(app.url)
    const token = csrfFrom((await client.get('/contact')).text)
    const res = await client
      .post('/contact')
      .type('form')
      .send({
        _csrf: token,
        name: 'Fay Forger',
        email: 'fay@example.com',
        subject: 'Put me first',
        message: 'Hello',
        folderId: String(restricted.id),
        assigneeId: String(insider.id),
        status: 'closed',
        tagId: String(tag.id),
        tags: String(tag.id),
        channel: 'email',
        mode: 'record',
        customerId: String(other.customerId),
        conversationId: String(other.id),
        number: '1',
        priority: 'urgent',
      })
    expect(res.status).toBe(200)
    const created = await prisma().conversation.findFirstOrThrow({
      where: { subject: 'Put me first' },
      include: { customer: true, tags: true, messages: true },
    })
    expect(created).toMatchObject({ folderId: defaultFolderId, assigneeId: null, status: 'new' })
    expect(created.customer.email).toBe('fay@example.com')
    expect(created.tags).toEqual([])
    expect(created.messages.map((m) => ({ kind: m.kind, authorAgentId: m.authorAgentId }))).toEqual([{ kind: 'customer', authorAgentId: null }])
    expect(await prisma().message.count({ where: { conversationId: other.id } })).toBe(1)
  })

  it('the status page: a message goes to the link’s conversation, as the customer’s, whatever the form adds', async () => {
    const mine = await buildConversation(app.ctx.domain, adminActor, { folderId: defaultFolderId, mode: 'send', subject: 'Mine' })
    const theirs = await buildConversation(app.ctx.domain, adminActor, { folderId: restricted.id, mode: 'send', subject: 'Theirs' })
    const client = request.agent(app.url)
    const status = `/s/${customerToken(app.ctx.mail.secret, 'status', mine.id)}`
    const token = csrfFrom((await client.get(status)).text)
    const before = await prisma().message.count({ where: { conversationId: theirs.id } })
    const res = await client
      .post(`${status}/messages`)
      .type('form')
      .send({
        _csrf: token,
        message: 'Which one am I writing to?',
        conversationId: String(theirs.id),
        customerId: String(theirs.customerId),
        kind: 'internal',
        type: 'comment',
        authorAgentId: String(adminActor.id),
        status: 'closed',
        folderId: String(restricted.id),
      })
    expect(res.status).toBe(303)
    const last = await prisma().message.findFirstOrThrow({ where: { bodyText: { contains: 'Which one am I writing to?' } } })
    expect(last).toMatchObject({ conversationId: mine.id, kind: 'customer', authorAgentId: null })
    expect(await prisma().message.count({ where: { conversationId: theirs.id } })).toBe(before)
    const after = await prisma().conversation.findUniqueOrThrow({ where: { id: mine.id } })
    expect(after.folderId).toBe(defaultFolderId)
    expect(after.status).toBe('open')
  })

  it('a new conversation by an agent: no assignee outside the folder, no status or number of the agent’s choosing', async () => {
    const { client } = await signIn(app, member.email, PASSWORD)
    const token = csrfFrom((await client.get('/conversations/new')).text)
    const count = await prisma().conversation.count()
    // An assignee who cannot see the folder: refused, nothing created, nothing sent.
    const outsider = await client
      .post('/conversations')
      .type('form')
      .send({
        _csrf: token,
        mode: 'send',
        customerEmail: 'gil@example.com',
        subject: 'For Lena',
        folderId: String(memberFolder.id),
        assigneeId: String(insider.id),
        text: 'Hi',
      })
    expect(outsider.status).toBe(400)
    expect(await prisma().conversation.count()).toBe(count)
    expect(await prisma().outboxEmail.count({ where: { toAddress: 'gil@example.com' } })).toBe(0)
    // Extra fields are ignored.
    const other = await buildConversation(app.ctx.domain, adminActor, { folderId: restricted.id, customerEmail: 'victim@example.com' })
    const ok = await client
      .post('/conversations')
      .type('form')
      .send({
        _csrf: token,
        mode: 'record',
        customerEmail: 'gil@example.com',
        subject: 'Recorded call',
        folderId: String(memberFolder.id),
        text: 'Called about a refund',
        status: 'closed',
        number: '1',
        customerId: String(other.customerId),
        authorAgentId: String(adminActor.id),
        channel: 'email',
      })
    expect(ok.status).toBe(303)
    const created = await prisma().conversation.findFirstOrThrow({ where: { subject: 'Recorded call' }, include: { customer: true, messages: true } })
    expect(created.status).toBe('new')
    expect(created.number).not.toBe(1)
    expect(created.customer.email).toBe('gil@example.com')
    expect(created.messages[0]?.authorAgentId).toBe(member.id)
  })

  it('an agent’s own profile changes notifications only: no role, folders, name, address or standing', async () => {
    const { client } = await signIn(app, member.email, PASSWORD)
    const token = csrfFrom((await client.get('/profile')).text)
    const before = await prisma().agent.findUniqueOrThrow({ where: { id: member.id }, include: { folders: true } })
    const adminBefore = await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })
    const res = await client
      .post('/profile')
      .type('form')
      .send({
        _csrf: token,
        pref_customer_reply: 'email',
        role: 'admin',
        name: 'Sam Superuser',
        email: 'sam-new@example.test',
        active: 'false',
        folderIds: [String(restricted.id), String(memberFolder.id)],
        passwordHash: 'x',
        id: String(adminActor.id),
      })
    expect(res.status).toBe(303)
    const after = await prisma().agent.findUniqueOrThrow({ where: { id: member.id }, include: { folders: true } })
    expect(after).toMatchObject({
      role: 'agent',
      name: before.name,
      email: before.email,
      active: true,
      passwordHash: before.passwordHash,
      notificationPrefs: expect.objectContaining({ customer_reply: 'email' }),
    })
    expect(after.folders.map((f) => f.folderId)).toEqual([memberFolder.id])
    // The admin named by `id` is untouched, and the agent still cannot open the settings.
    expect(await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })).toEqual(adminBefore)
    expect((await client.get('/settings').set('Accept', 'text/html')).status).toBe(403)
  })

  it('accepting an invitation sets that agent’s password only: no role or address from the form', async () => {
    await inviteAgent(app.ctx.domain, adminActor, { name: 'Ines Invited', email: 'ines@example.test', role: 'agent', folderIds: [memberFolder.id] })
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'invitation', toAddress: 'ines@example.test' } })
    const link = /(\/invite\/[\w-]+)/.exec(mail.text)![1]!
    const client = request.agent(app.url)
    const token = csrfFrom((await client.get(link)).text)
    const adminBefore = await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })
    const res = await client
      .post(link)
      .type('form')
      .send({ _csrf: token, password: 'ines password 1', role: 'admin', email: ADMIN.email, agentId: String(adminActor.id), folderIds: String(restricted.id) })
    expect(res.status).toBe(303)
    const ines = await prisma().agent.findUniqueOrThrow({ where: { email: 'ines@example.test' }, include: { folders: true } })
    expect(ines.role).toBe('agent')
    expect(ines.folders.map((f) => f.folderId)).toEqual([memberFolder.id])
    expect((await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })).passwordHash).toBe(adminBefore.passwordHash)
    expect((await client.get('/settings').set('Accept', 'text/html')).status).toBe(403)
  })

  it('a password reset changes the password of the link’s agent only', async () => {
    await requestPasswordReset(app.ctx.domain, VISITOR, { email: member.email })
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'password_reset', toAddress: member.email } })
    const link = /(\/reset-password\/[\w-]+)/.exec(mail.text)![1]!
    const client = request.agent(app.url)
    const token = csrfFrom((await client.get(link)).text)
    const adminBefore = await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })
    const res = await client
      .post(link)
      .type('form')
      .send({ _csrf: token, password: 'sam new password 1', email: ADMIN.email, agentId: String(adminActor.id), role: 'admin' })
    expect(res.status).toBe(303)
    expect((await prisma().agent.findUniqueOrThrow({ where: { id: adminActor.id } })).passwordHash).toBe(adminBefore.passwordHash)
    expect((await prisma().agent.findUniqueOrThrow({ where: { id: member.id } })).role).toBe('agent')
    expect((await signIn(app, member.email, 'sam new password 1')).res.status).toBe(303)
    expect((await signIn(app, ADMIN.email, 'sam new password 1')).res.status).toBe(401)
  })
})
