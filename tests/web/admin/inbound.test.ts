import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('received e-mail for administrators', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('shows a message that could not be processed, keeps its original, and processes it again once fixed', async () => {
    const prisma = app.ctx.db.prisma
    const raw = Buffer.from('From: nora@example.org\r\nTo: support@localhost\r\nSubject: Stuck message\r\n\r\nA message that hits a broken database.\r\n')
    // A fault while processing (here a constraint that refuses every new conversation).
    await prisma.$executeRawUnsafe(`ALTER TABLE conversations ADD CONSTRAINT broken CHECK (id < 0) NOT VALID`)
    let id: number
    try {
      const received = await receiveRawMessage(app.ctx.domain, { source: 'http', raw })
      id = received.id
      expect(received.outcome.status).toBe('failed')
    } finally {
      await prisma.$executeRawUnsafe(`ALTER TABLE conversations DROP CONSTRAINT broken`)
    }
    // The next message is not held up by the broken one.
    const next = await receiveRawMessage(app.ctx.domain, { source: 'http', raw: Buffer.from('From: ok@example.org\r\nSubject: Fine\r\n\r\nHello\r\n') })
    expect(next.outcome.status).toBe('processed')

    const page = await admin.get('/settings/inbound?status=failed')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Stuck message')
    const original = await admin.get(`/settings/inbound/${id}/raw`).responseType('arraybuffer')
    expect(original.headers['content-disposition']).toContain('attachment')
    expect(Buffer.from(original.body).toString()).toBe(raw.toString())

    const res = await admin
      .post(`/settings/inbound/${id}/reprocess`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    const row = await prisma.inboundMessage.findUniqueOrThrow({ where: { id } })
    expect(row.status).toBe('processed')
    expect(row.conversationId).not.toBeNull()
  })

  it('still takes a message without any sender, under a placeholder the agents can see', async () => {
    const { outcome } = await receiveRawMessage(app.ctx.domain, {
      source: 'http',
      raw: Buffer.from('To: support@localhost\r\nSubject: Nobody sent this\r\n\r\n'),
    })
    expect(outcome.status).toBe('processed')
    const c = await app.ctx.db.prisma.conversation.findFirstOrThrow({ where: { subject: 'Nobody sent this' }, include: { customer: true, messages: true } })
    expect(c.customer.email).toBe('unknown-sender@invalid')
    expect(c.messages[0]!.bodyText).toContain('no text')
  })

  it('is for administrators only', async () => {
    const agent = await buildAgent(app.ctx.db.prisma)
    const { client } = await signIn(app, agent.email, PASSWORD)
    expect((await client.get('/settings/inbound')).status).toBe(403)
  })
})
