import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('managing agents', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://desk.example.test' })
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })
  const prisma = () => app.ctx.db.prisma

  it('invites an agent to one folder; the link sets the password once and signs them in', async () => {
    const billing = await buildFolder(prisma(), 'Billing')
    const page = await admin.get('/settings/agents')
    const res = await admin
      .post('/settings/agents')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Iris', email: 'Iris@Example.test', role: 'agent', folderIds: String(billing.id) })
    expect(res.status).toBe(303)
    const iris = await prisma().agent.findUniqueOrThrow({ where: { email: 'iris@example.test' }, include: { folders: true } })
    expect(iris.passwordHash).toBeNull()
    expect(iris.folders.map((f) => f.folderId)).toEqual([billing.id])
    const mail = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'invitation', toAddress: 'iris@example.test' } })
    const link = /https:\/\/desk\.example\.test(\/invite\/[\w-]+)/.exec(mail.text)?.[1]
    expect(link).toBeDefined()

    // An invited agent without a password cannot sign in.
    expect((await signIn(app, 'iris@example.test', 'anything at all')).res.status).toBe(401)
    const client = request.agent(app.url)
    const form = await client.get(link!)
    expect(form.text).toContain('Welcome, Iris')
    const done = await client
      .post(link!)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'iris password 1' })
    expect(done.status).toBe(303)
    expect((await client.get('/conversations')).status).toBe(200)
    expect((await request(app.url).get(link!)).status).toBe(404)
    expect(await prisma().auditEvent.count({ where: { action: { in: ['agent.invited', 'agent.joined'] } } })).toBe(2)
  })

  it('refuses an address already in use, with the message on the field', async () => {
    const page = await admin.get('/settings/agents')
    const res = await admin
      .post('/settings/agents')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Twin', email: ADMIN.email })
    expect(res.status).toBe(400)
    expect(res.text).toContain('An agent with this address exists already.')
  })

  it('changes role, folders and notifications, audited', async () => {
    const f = await buildFolder(prisma())
    const bo = await buildAgent(prisma(), { name: 'Bo' })
    const page = await admin.get(`/settings/agents/${bo.id}`)
    await admin
      .post(`/settings/agents/${bo.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Bo B.', role: 'agent', folderIds: String(f.id), pref_assigned: 'email', pref_mention: 'none' })
    const after = await prisma().agent.findUniqueOrThrow({ where: { id: bo.id }, include: { folders: true } })
    // The administrator chooses per kind, as the agent does on their profile; kinds left out keep theirs.
    expect(page.text).toContain('name="pref_followed_reply"')
    expect(after).toMatchObject({ name: 'Bo B.', notifyOnNewInFolder: false })
    expect(after.notificationPrefs).toMatchObject({ assigned: 'email', mention: 'none', customer_reply: 'app' })
    expect(after.folders.map((x) => x.folderId)).toEqual([f.id])
  })

  it('deactivates an agent: signed out at once, cannot sign in, assignments listed, history kept; reactivates', async () => {
    const f = await buildFolder(prisma())
    const cy = await buildAgent(prisma(), { name: 'Cy', folderIds: [f.id] })
    const adminActor = await buildAgent(prisma(), { role: 'admin' })
    await buildConversation(app.ctx.domain, adminActor, { folderId: f.id, assigneeId: cy.id, subject: 'Held by Cy' })
    const { client } = await signIn(app, cy.email, PASSWORD)
    expect((await client.get('/conversations')).status).toBe(200)
    const page = await admin.get(`/settings/agents/${cy.id}`)
    await admin
      .post(`/settings/agents/${cy.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect((await client.get('/conversations')).status).toBe(303)
    expect((await signIn(app, cy.email, PASSWORD)).res.status).toBe(401)
    const after = await admin.get(`/settings/agents/${cy.id}`)
    expect(after.text).toContain('Held by Cy')
    expect(await prisma().historyEvent.count({ where: { actorAgentId: adminActor.id } })).toBeGreaterThan(0)
    await admin
      .post(`/settings/agents/${cy.id}/reactivate`)
      .type('form')
      .send({ _csrf: csrfFrom(after.text) })
    expect((await signIn(app, cy.email, PASSWORD)).res.status).toBe(303)
  })

  it('never demotes or deactivates the last active administrator', async () => {
    await prisma().agent.updateMany({ where: { role: 'admin', email: { not: ADMIN.email } }, data: { role: 'agent' } })
    const me = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    const page = await admin.get(`/settings/agents/${me.id}`)
    const demote = await admin
      .post(`/settings/agents/${me.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: me.name, role: 'agent' })
    expect(demote.status).toBe(409)
    expect(demote.text).toContain('last active administrator')
    await admin
      .post(`/settings/agents/${me.id}/deactivate`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(await prisma().agent.findUniqueOrThrow({ where: { id: me.id } })).toMatchObject({ role: 'admin', active: true })
  })

  it('keeps agents out of agent management', async () => {
    const dee = await buildAgent(prisma())
    const { client } = await signIn(app, dee.email, PASSWORD)
    expect((await client.get('/settings/agents')).status).toBe(403)
    const token = csrfFrom((await client.get('/conversations')).text)
    expect((await client.post('/settings/agents').type('form').send({ _csrf: token, name: 'Evil', email: 'evil@example.test', role: 'admin' })).status).toBe(
      403,
    )
    expect(await prisma().agent.count({ where: { email: 'evil@example.test' } })).toBe(0)
  })

  it('lets every agent choose their own notifications', async () => {
    const eve = await buildAgent(prisma())
    const { client } = await signIn(app, eve.email, PASSWORD)
    const page = await client.get('/profile')
    await client
      .post('/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), notifyOnNewInFolder: 'on', pref_assigned: 'none', pref_customer_reply: 'both' })
    // Per kind of news: in the app, by e-mail, both or none (src/domain/notifications/preferences.ts).
    expect(await prisma().agent.findUniqueOrThrow({ where: { id: eve.id } })).toMatchObject({
      notificationPrefs: { assigned: 'none', customer_reply: 'both', mention: 'both' },
      notifyOnNewInFolder: true,
    })
  })
})
