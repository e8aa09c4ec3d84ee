import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/**
 * An agent whose address falls under INBOUND_ADDRESSES: the mail server in front hands mail for it
 * to the listener, so the agent's notifications come back to the help desk instead of reaching them.
 */
describe('our own e-mail delivered back to the help desk', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@support.example>', INBOUND_ADDRESSES: '@support.example' })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A conversation assigned to a new agent at `email`, and the notification that went out for it (as the relay sent it on). */
  async function notifiedAgent(email: string) {
    const admin = await buildAgent(prisma(), { role: 'admin' })
    const bob = await prisma().agent.create({ data: { name: 'Bob Agent', email, role: 'admin' } })
    const raw = Buffer.from(
      ['From: lin@customer.example', 'To: help@support.example', 'Subject: Help', `Message-ID: <ask-${bob.id}@customer.example>`, '', 'Please help.', ''].join(
        '\r\n',
      ),
    )
    const { outcome } = await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw,
      envelopeFrom: 'lin@customer.example',
      envelopeTo: ['help@support.example'],
    })
    await assignConversation(app.ctx.domain, admin, { conversationId: outcome.status === 'processed' ? outcome.conversationId! : 0, assigneeId: bob.id })
    const row = await prisma().outboxEmail.findFirstOrThrow({ where: { kind: 'notification', toAddress: { contains: email } } })
    await prisma().outboxEmail.update({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date() } })
    const sent = Buffer.from(
      [
        `From: Acme Support <help@support.example>`,
        `To: Bob Agent <${email}>`,
        `Subject: ${row.subject}`,
        `Message-ID: ${row.messageId}`,
        'Auto-Submitted: auto-generated',
        '',
        row.text,
        '',
      ].join('\r\n'),
    )
    return { row, sent }
  }

  it('does not swallow a notification the mail server handed back as mail for the agent: the outbox says it never reached them', async () => {
    const { row, sent } = await notifiedAgent('bob@support.example')
    const { outcome } = await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: sent,
      envelopeFrom: 'help@support.example',
      envelopeTo: ['bob@support.example'],
    })
    expect(outcome.status).toBe('processed')
    const note = outcome.status === 'processed' ? outcome.note : ''
    expect(note).toContain('not to the agent Bob Agent (bob@support.example)')
    expect(note).not.toContain('ignored')
    const after = await prisma().outboxEmail.findUniqueOrThrow({ where: { id: row.id } })
    expect(after.status).toBe('failed')
    expect(after.lastError).toContain('bob@support.example')
    expect(after.lastError).toContain('INBOUND_ADDRESSES')
  })

  it('still ignores our own e-mail that merely loops back to the support address', async () => {
    const { row, sent } = await notifiedAgent('carla@elsewhere.example')
    const { outcome } = await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: sent,
      envelopeFrom: 'help@support.example',
      envelopeTo: ['help@support.example'],
    })
    expect(outcome).toMatchObject({ status: 'processed', conversationId: null, note: 'our own e-mail came back; ignored' })
    expect((await prisma().outboxEmail.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('sent')
  })
})
