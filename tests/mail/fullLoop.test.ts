import nodemailer, { type SendMailOptions } from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { assignConversation } from '../../src/domain/conversations/commands/assignConversation.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { buildAgent } from '../helpers/factories.ts'
import { getConversationPage } from '../../src/domain/conversations/getConversation.ts'
import { presentConversationPage } from '../../src/web/presenters/conversationPage.ts'
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('e-mail both ways, over real SMTP', () => {
  let capture: SmtpCapture
  let app: TestApp
  let agent: Actor
  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url, MAIL_FROM: 'Acme Support <help@acme.example>' })
    agent = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Sam Support' })
  })
  afterAll(async () => {
    await app?.close()
    await capture?.stop()
  })

  const customerMail = () => nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true })
  async function send(message: SendMailOptions) {
    await customerMail().sendMail({ from: 'Lin Customer <lin@customer.example>', to: 'help@acme.example', ...message })
    await app.ctx.intake.drain()
  }
  const conversationOf = (messageId: string) =>
    app.ctx.db.prisma.message.findUniqueOrThrow({ where: { emailMessageId: messageId }, include: { conversation: true } })

  it('customer e-mail → new conversation → agent reply e-mail with thread headers → customer reply threaded back, open', async () => {
    await send({ subject: 'Invoice missing', text: 'I did not get my invoice for March.', messageId: '<first@customer.example>' })
    const { conversation } = await conversationOf('<first@customer.example>')
    expect(conversation).toMatchObject({ status: 'new', subject: 'Invoice missing' })

    const { message } = await replyAsAgent(app.ctx.domain, agent, { conversationId: conversation.id, text: 'Here it is, sorry for the delay.' })
    const delivered = await capture.waitForMatch((m) => m.parsed.messageId === message.emailMessageId)
    const mail = delivered!.parsed
    expect(mail.messageId).toBe(message.emailMessageId)
    expect(mail.inReplyTo).toBe('<first@customer.example>')
    expect(mail.references).toContain('<first@customer.example>')
    expect(mail.subject).toBe(`Re: [#${conversation.number}] Invoice missing`)
    expect(mail.to).toMatchObject({ value: [{ address: 'lin@customer.example' }] })
    const replyTo = mail.replyTo!.value[0]!.address!
    expect(replyTo).toMatch(new RegExp(`^help\\+c${conversation.id}-[0-9a-f]{16}@acme\\.example$`))
    expect(mail.text).toContain('Here it is, sorry for the delay.')
    expect(mail.text).toMatch(/\/s\/\d+\.[\w-]{22}/)
    expect(delivered!.envelope.rcptTo).toEqual(['lin@customer.example'])
    expect((await app.ctx.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('pending')

    // The customer answers from their mail program: In-Reply-To and References point at our reply.
    await send({
      to: replyTo,
      subject: `Re: ${mail.subject}`,
      text: 'Thanks! But the amount looks wrong.\n\nOn Monday Sam wrote:\n> Here it is',
      inReplyTo: mail.messageId,
      references: [mail.messageId!],
      messageId: '<second@customer.example>',
    })
    const threaded = await conversationOf('<second@customer.example>')
    expect(threaded.conversationId).toBe(conversation.id)
    expect(threaded.conversation.status).toBe('open')
    expect(await app.ctx.db.prisma.conversation.count({ where: { customer: { email: 'lin@customer.example' } } })).toBe(1)

    // In the thread the quoted history is folded away, the full message one click away.
    const page = presentConversationPage(await getConversationPage(app.ctx.db.prisma, agent, null, conversation.number), new Date(), {})
    const shown = page.messages.find((m) => m.id === threaded.id)!
    expect(shown.html).toContain('the amount looks wrong')
    expect(shown.html).not.toContain('Here it is')
    expect(shown.fullHtml).toContain('Here it is')
    // Folded once, when it arrived: a page view shows what is stored and parses no body.
    expect(threaded.visibleHtml).toContain('the amount looks wrong')
    await app.ctx.db.prisma.message.update({ where: { id: threaded.id }, data: { visibleHtml: '<p>as stored</p>' } })
    const again = presentConversationPage(await getConversationPage(app.ctx.db.prisma, agent, null, conversation.number), new Date(), {})
    expect(again.messages.find((m) => m.id === threaded.id)!.html).toBe('<p>as stored</p>')
  })

  it('threads by the reply address alone when a mail program drops the headers', async () => {
    await send({ subject: 'Password', text: 'I cannot log in.', messageId: '<p1@customer.example>' })
    const { conversation } = await conversationOf('<p1@customer.example>')
    const { message: reply } = await replyAsAgent(app.ctx.domain, agent, { conversationId: conversation.id, text: 'Try resetting it.' })
    const out = await capture.waitForMatch((m) => m.parsed.messageId === reply.emailMessageId)
    const replyTo = out!.parsed.replyTo!.value[0]!.address!
    await send({ to: replyTo, subject: 'no subject at all', text: 'Worked, thanks', messageId: '<p2@customer.example>' })
    expect((await conversationOf('<p2@customer.example>')).conversationId).toBe(conversation.id)
    // A forged token (right shape, wrong signature) does not thread; it opens a new conversation.
    await send({ to: replyTo.replace(/-[0-9a-f]{16}@/, '-0000000000000000@'), subject: 'sneaky', text: 'x', messageId: '<p3@customer.example>' })
    expect((await conversationOf('<p3@customer.example>')).conversationId).not.toBe(conversation.id)
  })

  it('threads by [#number] in the subject only when the sender is that conversation’s customer', async () => {
    await send({ subject: 'Order 77', text: 'Where is it?', messageId: '<o1@customer.example>' })
    const { conversation } = await conversationOf('<o1@customer.example>')
    await send({ subject: `Re: [#${conversation.number}] Order 77`, text: 'Any news?', messageId: '<o2@customer.example>' })
    expect((await conversationOf('<o2@customer.example>')).conversationId).toBe(conversation.id)
    await customerMail().sendMail({
      from: 'mallory@evil.example',
      to: 'help@acme.example',
      subject: `[#${conversation.number}] Order 77`,
      text: 'let me in',
      messageId: '<evil@evil.example>',
    })
    await app.ctx.intake.drain()
    const evil = await conversationOf('<evil@evil.example>')
    expect(evil.conversationId).not.toBe(conversation.id)
    expect(evil.conversation.subject).toBe('Order 77')
  })

  it('does not let Sender, Reply-To or a second From line stand in for the customer in [#number] threading', async () => {
    await send({ subject: 'Parcel 12', text: 'Lost parcel.', messageId: '<pa1@customer.example>' })
    const { conversation } = await conversationOf('<pa1@customer.example>')
    const forged = (id: string, fromLines: string) =>
      [fromLines, 'To: help@acme.example', `Subject: Re: [#${conversation.number}] Parcel 12`, `Message-ID: <${id}@evil.example>`, '', 'Let me in.', ''].join(
        '\r\n',
      )
    const attempts = {
      'sender-only': forged('sender-only', 'From: undisclosed-recipients:;\r\nSender: Lin Customer <lin@customer.example>'),
      'reply-to-only': forged('reply-to-only', 'From: <>\r\nReply-To: lin@customer.example'),
      'two-from-lines': forged('two-from-lines', 'From: Mallory <mallory@evil.example>\r\nFrom: Lin Customer <lin@customer.example>'),
      'two-from-lines-customer-first': forged(
        'two-from-lines-customer-first',
        'From: Lin Customer <lin@customer.example>\r\nFrom: Mallory <mallory@evil.example>',
      ),
    }
    for (const raw of Object.values(attempts)) {
      await customerMail().sendMail({ envelope: { from: 'lin@customer.example', to: ['help@acme.example'] }, raw })
    }
    await app.ctx.intake.drain()
    for (const id of Object.keys(attempts)) {
      const stored = await app.ctx.db.prisma.message.findUnique({ where: { emailMessageId: `<${id}@evil.example>` } })
      expect(stored?.conversationId, id).not.toBe(conversation.id)
    }
    expect(await app.ctx.db.prisma.message.count({ where: { conversationId: conversation.id } })).toBe(1)
  })

  it('never lets a reply to an agent notification become the customer’s words', async () => {
    await send({ subject: 'Broken hinge', text: 'The hinge broke.', messageId: '<h1@customer.example>' })
    const { conversation } = await conversationOf('<h1@customer.example>')
    const colleague = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Kai Colleague' })
    await assignConversation(app.ctx.domain, agent, { conversationId: conversation.id, assigneeId: colleague.id })
    const notice = await capture.waitForMatch((m) => m.envelope.rcptTo.includes(colleague.email))
    const mail = notice!.parsed
    expect(notice!.envelope.rcptTo).toEqual([colleague.email])
    // "Reply" in the agent's mail program goes nowhere near the support address, and the e-mail says so.
    expect(mail.replyTo!.value[0]!.address).toBe('no-reply@acme.example')
    expect(mail.text).toMatch(/do not reply to this e-mail/i)
    expect(mail.html).toMatch(/do not reply to this e-mail/i)

    // The agent replies anyway, to the support address, quoting the customer's text.
    await customerMail().sendMail({
      from: colleague.email,
      to: 'help@acme.example',
      subject: `Re: ${mail.subject}`,
      text: 'I will look at it.',
      inReplyTo: mail.messageId,
      references: [mail.messageId!],
      messageId: '<agent-answer@example.test>',
    })
    // A person the notification was forwarded to replies as well.
    await customerMail().sendMail({
      from: 'friend@elsewhere.example',
      to: 'help@acme.example',
      subject: `Re: ${mail.subject}`,
      text: 'Forwarded to me.',
      inReplyTo: mail.messageId,
      references: [mail.messageId!],
      messageId: '<forwarded@elsewhere.example>',
    })
    await app.ctx.intake.drain()

    const prisma = app.ctx.db.prisma
    expect(await prisma.message.count({ where: { conversationId: conversation.id, kind: 'customer' } })).toBe(1)
    expect(await prisma.message.findUnique({ where: { emailMessageId: '<agent-answer@example.test>' } })).toBeNull()
    const refused = await prisma.inboundMessage.findFirstOrThrow({ where: { messageIdHeader: '<agent-answer@example.test>' } })
    expect(refused).toMatchObject({ status: 'processed', conversationId: null })
    expect(refused.note).toMatch(/agent/i)
    const forwarded = await conversationOf('<forwarded@elsewhere.example>')
    expect(forwarded.conversationId).not.toBe(conversation.id)
  })

  it('keeps an out-of-office in the thread without changing the status or answering it', async () => {
    await send({ subject: 'Refund', text: 'Please refund.', messageId: '<r1@customer.example>' })
    const { conversation } = await conversationOf('<r1@customer.example>')
    const { message } = await replyAsAgent(app.ctx.domain, agent, { conversationId: conversation.id, text: 'Refunded.' })
    const outboxBefore = await app.ctx.db.prisma.outboxEmail.count()
    await send({
      subject: 'Automatic reply: Refund',
      text: 'I am away until Monday.',
      inReplyTo: message.emailMessageId!,
      headers: { 'Auto-Submitted': 'auto-replied' },
      messageId: '<ooo@customer.example>',
    })
    const ooo = await conversationOf('<ooo@customer.example>')
    expect(ooo.conversationId).toBe(conversation.id)
    expect(ooo.kind).toBe('system')
    expect(ooo.conversation.status).toBe('pending')
    expect(await app.ctx.db.prisma.outboxEmail.count()).toBe(outboxBefore)
  })

  it('records a hard bounce in its conversation and marks the address undeliverable', async () => {
    await send({ from: 'gone@customer.example', subject: 'Hello', text: 'Question', messageId: '<g1@customer.example>' })
    const { conversation } = await conversationOf('<g1@customer.example>')
    const { message } = await replyAsAgent(app.ctx.domain, agent, { conversationId: conversation.id, text: 'Answer' })
    const report = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
      'To: help@acme.example',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.customer.example>',
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
      'Final-Recipient: rfc822; gone@customer.example',
      'Action: failed',
      'Status: 5.1.1',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${message.emailMessageId}`,
      'Subject: Re: Hello',
      '--B--',
      '',
    ].join('\r\n')
    await customerMail().sendMail({ envelope: { from: '', to: ['help@acme.example'] }, raw: report })
    await app.ctx.intake.drain()
    const bounce = await conversationOf('<bounce-1@mx.customer.example>')
    expect(bounce.conversationId).toBe(conversation.id)
    expect(bounce.kind).toBe('system')
    expect(bounce.conversation.status).toBe('pending')
    const customer = await app.ctx.db.prisma.customer.findUniqueOrThrow({ where: { email: 'gone@customer.example' } })
    expect(customer.undeliverableAt).not.toBeNull()
    expect(customer.undeliverableReason).toContain('5.1.1')
  })
})
