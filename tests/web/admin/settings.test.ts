import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('settings: tags and folders', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lets an administrator create a tag with a palette colour and a folder, both audited', async () => {
    const page = await admin.get('/settings')
    const token = csrfFrom(page.text)
    expect((await admin.post('/settings/tags').type('form').send({ _csrf: token, name: 'refund', colour: 'red' })).status).toBe(303)
    expect((await admin.post('/settings/tags').type('form').send({ _csrf: token, name: 'odd', colour: '#ff0000;background:url(x)' })).status).toBe(303)
    expect((await admin.post('/settings/folders').type('form').send({ _csrf: token, name: 'Billing' })).status).toBe(303)
    const prisma = app.ctx.db.prisma
    expect(await prisma.tag.findMany({ orderBy: { name: 'asc' }, select: { name: true, colour: true } })).toEqual([
      { name: 'odd', colour: 'slate' },
      { name: 'refund', colour: 'red' },
    ])
    expect(await prisma.folder.count({ where: { name: 'Billing' } })).toBe(1)
    expect((await prisma.auditEvent.findMany({ where: { action: { in: ['tag.created', 'folder.created'] } } })).length).toBe(3)
    const after = await admin.get('/settings')
    expect(after.text).toContain('class="tag tag-red">refund<')
  })

  it('refuses a duplicate name with a clear message', async () => {
    const page = await admin.get('/settings')
    await admin
      .post('/settings/tags')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'REFUND', colour: 'blue' })
    const next = await admin.get('/settings')
    expect(next.text).toContain('A tag named “REFUND” already exists')
    expect(await app.ctx.db.prisma.tag.count({ where: { name: { equals: 'refund', mode: 'insensitive' } } })).toBe(1)
  })

  it('keeps agents out', async () => {
    const agent = await buildAgent(app.ctx.db.prisma)
    const { client } = await signIn(app, agent.email, PASSWORD)
    const page = await client.get('/conversations')
    const res = await client
      .post('/settings/tags')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'sneaky' })
    expect(res.status).toBe(403)
    expect(await app.ctx.db.prisma.tag.count({ where: { name: 'sneaky' } })).toBe(0)
  })
})

describe('the mail card', () => {
  it('shows where mail goes without ever showing the password', async () => {
    const app = await startTestApp({
      SMTP_URL: 'smtp://mailer:s3cr3t-pass@smtp.example.test:587',
      INBOUND_ADDRESSES: 'help@example.test,@support.example.test',
    })
    try {
      const admin = await setUpAndSignIn(app)
      const page = await admin.get('/settings')
      expect(page.text).toContain('smtp://mailer@smtp.example.test:587')
      expect(page.text).toContain('@support.example.test')
      expect(page.text).not.toContain('s3cr3t-pass')
    } finally {
      await app.close()
    }
  })
})
