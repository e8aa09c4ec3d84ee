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
    const raw = Buffer.from('To: support@localhost\r\nSubject: Nobody sent this\r\n\r\nA message without a sender.\r\n')
    const { id, outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw })
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('no sender address') })
    // The next message is not held up by the broken one.
    const next = await receiveRawMessage(app.ctx.domain, { source: 'http', raw: Buffer.from('From: ok@example.org\r\nSubject: Fine\r\n\r\nHello\r\n') })
    expect(next.outcome.status).toBe('processed')

    const page = await admin.get('/settings/inbound?status=failed')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Nobody sent this')
    expect(page.text).toContain('no sender address')
    const original = await admin.get(`/settings/inbound/${id}/raw`).responseType('arraybuffer')
    expect(original.headers['content-disposition']).toContain('attachment')
    expect(Buffer.from(original.body).toString()).toContain('A message without a sender.')

    // An admin fixes the cause (here: the stored bytes gain a sender) and processes it again.
    await app.ctx.db.prisma.inboundMessage.update({ where: { id }, data: { raw: Buffer.concat([Buffer.from('From: found@example.org\r\n'), raw]) } })
    const res = await admin.post(`/settings/inbound/${id}/reprocess`).type('form').send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    const row = await app.ctx.db.prisma.inboundMessage.findUniqueOrThrow({ where: { id } })
    expect(row.status).toBe('processed')
    expect(row.conversationId).not.toBeNull()
  })

  it('is for administrators only', async () => {
    const agent = await buildAgent(app.ctx.db.prisma)
    const { client } = await signIn(app, agent.email, PASSWORD)
    expect((await client.get('/settings/inbound')).status).toBe(403)
  })
})
