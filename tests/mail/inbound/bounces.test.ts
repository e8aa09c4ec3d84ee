import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { classifyMail } from '../../../src/mail/inbound/classify.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { parseMail } from '../../../src/mail/inbound/parse.ts'
import { replyAddressFor } from '../../../src/mail/replyAddress.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1')
let n = 0

/** A delivery report (RFC 3464) about `aboutMessageId`, naming `recipient`. */
function deliveryReport(recipient: string, aboutMessageId: string, status = '5.1.1') {
  return crlf([
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
    'To: help@acme.example',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <report-${++n}@mx.customer.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.customer.example',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    `Status: ${status}`,
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'From: Acme Support <help@acme.example>',
    `To: ${recipient}`,
    `Message-ID: ${aboutMessageId}`,
    'Subject: Re: Hello',
    '--B--',
    '',
  ])
}

/** A feedback-loop report (RFC 5965) about `aboutMessageId`. */
function complaint(aboutMessageId: string, rcptTo: string) {
  return crlf([
    'From: Feedback Loop <fbl@isp.example>',
    'To: help@acme.example',
    'Subject: FW: Re: Hello',
    `Message-ID: <fbl-${++n}@isp.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    '',
    '--F',
    'Content-Type: text/plain',
    '',
    'This is an abuse report.',
    '--F',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'Version: 1',
    `Original-Rcpt-To: ${rcptTo}`,
    '--F',
    'Content-Type: message/rfc822',
    '',
    'From: Acme Support <help@acme.example>',
    `Message-ID: ${aboutMessageId}`,
    'Subject: Re: Hello',
    '',
    'Here is your answer.',
    '--F--',
    '',
  ])
}

describe('delivery reports and complaints', () => {
  let app: TestApp
  let agent: Actor
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer, envelopeFrom: string | null = '', envelopeTo = ['help@acme.example']) =>
    receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom, envelopeTo })
  const customer = (email: string) => prisma().customer.findUniqueOrThrow({ where: { email } })

  /** A customer who wrote in and got our answer by e-mail: the conversation and our reply's Message-ID. */
  async function answeredCustomer(email: string) {
    const raw = crlf([`From: ${email}`, 'To: help@acme.example', 'Subject: Hello', `Message-ID: <ask-${++n}@customer.example>`, '', 'A question.', ''])
    const { outcome } = await receive(raw, email)
    if (outcome.status !== 'processed' || !outcome.conversationId) throw new Error('no conversation')
    const { message } = await replyAsAgent(app.ctx.domain, agent, { conversationId: outcome.conversationId, text: 'Here is your answer.' })
    expect(await prisma().outboxEmail.count({ where: { messageId: message.emailMessageId!, toAddress: email } })).toBe(1)
    return { conversationId: outcome.conversationId, replyId: message.emailMessageId! }
  }

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>' })
    agent = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('a forged report that names a customer but is about none of our e-mails leaves the address as it is', async () => {
    const { conversationId } = await answeredCustomer('kept@customer.example')
    const { outcome } = await receive(deliveryReport('kept@customer.example', '<made-up@elsewhere.example>'))
    expect(outcome).toMatchObject({ status: 'processed', conversationId: null })
    expect(outcome.status === 'processed' && outcome.note).toContain('left as it is')
    expect((await customer('kept@customer.example')).undeliverableAt).toBeNull()
    // Nor when it quotes the customer's own Message-ID (which anybody who wrote with them may know).
    const asked = await prisma().message.findFirstOrThrow({ where: { conversationId, kind: 'customer' } })
    await receive(deliveryReport('kept@customer.example', asked.emailMessageId!))
    expect((await customer('kept@customer.example')).undeliverableAt).toBeNull()
  })

  it('a report about our e-mail to that customer marks the address, in the conversation, without changing its status', async () => {
    const { conversationId, replyId } = await answeredCustomer('gone@customer.example')
    const { outcome } = await receive(deliveryReport('gone@customer.example', replyId))
    expect(outcome).toMatchObject({ status: 'processed', conversationId })
    const gone = await customer('gone@customer.example')
    expect(gone.undeliverableAt).not.toBeNull()
    expect(gone.undeliverableReason).toContain('5.1.1')
    const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } })
    expect(conversation.status).toBe('pending')
    const last = await prisma().message.findFirstOrThrow({ where: { conversationId }, orderBy: { id: 'desc' } })
    expect(last.kind).toBe('system')
  })

  it('a report about our e-mail to one customer does not mark another customer it names', async () => {
    const { replyId } = await answeredCustomer('first@customer.example')
    await answeredCustomer('second@customer.example')
    await receive(deliveryReport('second@customer.example', replyId))
    expect((await customer('second@customer.example')).undeliverableAt).toBeNull()
    expect((await customer('first@customer.example')).undeliverableAt).toBeNull()
  })

  it('a plain-text report that quotes our reply address (and no Message-ID) marks the customer it names', async () => {
    const { conversationId } = await answeredCustomer('plain@customer.example')
    const replyAddress = replyAddressFor('help@acme.example', app.ctx.domain.mail.secret, conversationId)
    const raw = crlf([
      'From: MAILER-DAEMON@mx.customer.example',
      'To: help@acme.example',
      'Subject: failure notice',
      `Message-ID: <q-${++n}@mx.customer.example>`,
      '',
      'Hi. This is the qmail-send program at mx.customer.example.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      '',
      '<plain@customer.example>:',
      'Sorry, no mailbox here by that name. (#5.1.1)',
      '',
      '--- Below this line is a copy of the message.',
      '',
      'From: Acme Support <help@acme.example>',
      `Reply-To: ${replyAddress}`,
      'To: plain@customer.example',
      '',
      'Here is your answer.',
      '',
    ])
    const { outcome } = await receive(raw)
    expect(outcome).toMatchObject({ status: 'processed', conversationId })
    expect((await customer('plain@customer.example')).undeliverableAt).not.toBeNull()
  })

  it('a report in prose only that names nobody marks the one address our quoted e-mail went to', async () => {
    const { replyId } = await answeredCustomer('quiet@customer.example')
    const raw = crlf([
      'From: Mail Delivery Subsystem <mailer-daemon@mail.customer.example>',
      'To: help@acme.example',
      'Subject: Delivery Status Notification (Failure)',
      `Message-ID: <g-${++n}@mail.customer.example>`,
      `References: ${replyId}`,
      `In-Reply-To: ${replyId}`,
      '',
      '** Address not found **',
      '',
      'The email account that you tried to reach does not exist.',
      '',
    ])
    await receive(raw)
    expect((await customer('quiet@customer.example')).undeliverableAt).not.toBeNull()
  })

  it('a temporary failure marks nothing', async () => {
    const { replyId } = await answeredCustomer('full@customer.example')
    await receive(deliveryReport('full@customer.example', replyId, '4.2.2'))
    expect((await customer('full@customer.example')).undeliverableAt).toBeNull()
  })

  it('a spam complaint about our e-mail is a system note that stops automatic e-mail to the customer; a forged one changes nothing', async () => {
    const { conversationId, replyId } = await answeredCustomer('annoyed@customer.example')
    const before = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } })
    const { outcome } = await receive(complaint(replyId, 'redacted@customer.example'), 'fbl-bounces@isp.example')
    expect(outcome).toMatchObject({ status: 'processed', conversationId })
    expect(outcome.status === 'processed' && outcome.note).toMatch(/^complaint \(abuse\); automatic e-mails to annoyed@customer\.example stopped/)
    const annoyed = await customer('annoyed@customer.example')
    expect(annoyed.undeliverableReason).toMatch(/^complaint/)
    const after = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } })
    expect(after.status).toBe(before.status)
    const messages = await prisma().message.findMany({ where: { conversationId }, orderBy: { id: 'asc' } })
    expect(messages.map((m) => m.kind)).toEqual(['customer', 'agent', 'system'])

    await answeredCustomer('other@customer.example')
    const forged = await receive(complaint('<not-ours@elsewhere.example>', 'other@customer.example'), 'fbl-bounces@isp.example')
    expect(forged.outcome).toMatchObject({ status: 'processed', conversationId: null })
    expect((await customer('other@customer.example')).undeliverableAt).toBeNull()
    // Never a customer's conversation of its own.
    expect(await prisma().conversation.count({ where: { customer: { email: 'fbl@isp.example' } } })).toBe(0)
  })

  it('a read receipt is an automatic message, not the customer speaking', async () => {
    const raw = crlf([
      'From: Lin <lin@customer.example>',
      'To: help@acme.example',
      'Subject: Read: Hello',
      `Message-ID: <mdn-${++n}@customer.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="M"',
      '',
      '--M',
      'Content-Type: text/plain',
      '',
      'Your message was read.',
      '--M',
      'Content-Type: message/disposition-notification',
      '',
      'Final-Recipient: rfc822; lin@customer.example',
      'Disposition: manual-action/MDN-sent-manually; displayed',
      '--M--',
      '',
    ])
    expect(classifyMail(await parseMail(raw), raw)).toEqual({ kind: 'autoReply', reason: 'read receipt' })
  })

  it('an empty return path alone keeps a message a customer message; with a report’s words it is a bounce', async () => {
    const plain = crlf([
      'From: Form <form@shop.example>',
      'To: help@acme.example',
      'Subject: Contact form',
      `Message-ID: <f-${++n}@shop.example>`,
      '',
      'Please call me back.',
      '',
    ])
    expect(classifyMail(await parseMail(plain), plain, '').kind).toBe('normal')
    const report = crlf([
      'From: Relay <relay@shop.example>',
      'To: help@acme.example',
      'Subject: Problem',
      `Message-ID: <f-${++n}@shop.example>`,
      '',
      'Your message could not be delivered to someone@shop.example: no such user.',
      '',
    ])
    expect(classifyMail(await parseMail(report), report, 'relay@shop.example').kind).toBe('normal')
    expect(classifyMail(await parseMail(report), report, '')).toMatchObject({ kind: 'bounce', bounce: { recipient: 'someone@shop.example', hard: true } })
  })
})
