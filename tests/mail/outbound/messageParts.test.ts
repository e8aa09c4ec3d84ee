import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { deliverDueEmails } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { renderMail } from '../../../src/mail/outbound/templates.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import { inviteAgent } from '../../../src/domain/agents/manageAgents.ts'
import { requestPasswordReset } from '../../../src/domain/agents/passwordReset.ts'
import { VISITOR, type Actor } from '../../../src/domain/actor.ts'
import { assignConversation } from '../../../src/domain/conversations/commands/assignConversation.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startSmtpCapture, type CapturedMessage, type SmtpCapture } from '../../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const FROM = 'Suivi Support <support@suivi.test>'
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

describe('what outgoing e-mails are made of', () => {
  let app: TestApp
  let smtp: SmtpCapture
  let transport: MailTransport
  let admin: Actor
  let folderId: number
  const time = testClock()
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: FROM }, { clock: time.clock })
    smtp = await startSmtpCapture()
    transport = createSmtpTransport(smtp.url)!
    folderId = (await buildFolder(prisma())).id
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada Admin', folderIds: [folderId] })
  })
  afterAll(async () => {
    transport?.close()
    await smtp?.stop()
    await app?.close()
  })
  beforeEach(async () => {
    smtp.messages.length = 0
    await prisma().outboxEmail.deleteMany()
  })

  /** Delivers everything queued and returns what the server received, by recipient. */
  async function deliverAll(): Promise<Map<string, CapturedMessage>> {
    const queued = await prisma().outboxEmail.count({ where: { status: 'queued' } })
    const result = await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: FROM, batchSize: 100 })
    expect(result).toEqual({ sent: queued, failed: 0, retried: 0 })
    await smtp.waitFor(queued)
    return new Map(smtp.messages.map((m) => [m.envelope.rcptTo[0]!, m]))
  }

  const toHeader = (m: CapturedMessage) => (m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.value : [])

  it('invitations and password resets are marked Auto-Submitted, and name their recipient', async () => {
    await inviteAgent(app.ctx.domain, admin, { name: 'Zoë Ålander', email: 'zoe@example.test', role: 'agent' })
    await requestPasswordReset(app.ctx.domain, VISITOR, { email: admin.email })
    for (const row of await prisma().outboxEmail.findMany()) expect(row.headers, row.kind).toMatchObject({ 'Auto-Submitted': 'auto-generated' })

    const received = await deliverAll()
    const invitation = received.get('zoe@example.test')!
    expect(invitation.parsed.headers.get('auto-submitted')).toBe('auto-generated')
    expect(toHeader(invitation)).toEqual([{ name: 'Zoë Ålander', address: 'zoe@example.test' }])
    const reset = received.get(admin.email)!
    expect(reset.parsed.headers.get('auto-submitted')).toBe('auto-generated')
    expect(toHeader(reset)).toEqual([{ name: 'Ada Admin', address: admin.email }])
  })

  it('replies, reminders and notifications name their recipient; acknowledgements do not (their address is unverified)', async () => {
    const conversation = await buildConversation(app.ctx.domain, admin, {
      folderId,
      customerEmail: 'casey@example.com',
      customerName: 'Casey Customer',
      mode: 'send',
    })
    const colleague = await buildAgent(prisma(), { name: 'Colin Colleague', folderIds: [folderId] })
    await assignConversation(app.ctx.domain, admin, { conversationId: conversation.id, assigneeId: colleague.id })
    // The sweep writes its rows itself, without a name.
    await prisma().outboxEmail.create({
      data: {
        kind: 'reminder',
        messageId: '<reminder-1@suivi.test>',
        conversationId: conversation.id,
        toAddress: 'casey@example.com',
        subject: 'Is your problem solved?',
        html: '<p>x</p>',
        text: 'x',
      },
    })
    await receiveRawMessage(app.ctx.domain, {
      source: 'smtp',
      raw: Buffer.from(
        'From: "Win a prize at evil.example" <lin@example.org>\r\nTo: support@suivi.test\r\nSubject: Help\r\nMessage-ID: <lin-1@example.org>\r\n\r\nHello\r\n',
      ),
      envelopeFrom: 'lin@example.org',
      envelopeTo: ['support@suivi.test'],
    })

    await deliverAll()
    const byKind = (subject: RegExp) => smtp.messages.find((m) => subject.test(m.parsed.subject ?? ''))!
    expect(toHeader(byKind(/^\[#\d+\] Where is my parcel/))).toEqual([{ name: 'Casey Customer', address: 'casey@example.com' }])
    expect(toHeader(byKind(/^Is your problem solved/))).toEqual([{ name: 'Casey Customer', address: 'casey@example.com' }])
    expect(toHeader(byKind(/assigned you a conversation/))).toEqual([{ name: 'Colin Colleague', address: colleague.email }])
    const acknowledgement = byKind(/^We received your request/)
    expect(toHeader(acknowledgement)).toEqual([{ name: '', address: 'lin@example.org' }])
    expect(acknowledgement.raw.toString('latin1')).not.toMatch(/prize/i)
  })

  it('a name cannot add a recipient or a header, whatever it holds', async () => {
    const hostile = 'Boss, "Big" <boss@evil.example>\r\nBcc: evil@example.com'
    await prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', { kind: 'agent_reply', to: 'victim@example.com', toName: hostile, subject: 'Hello', html: '<p>x</p>', text: 'x' }),
    )
    await prisma().outboxEmail.create({
      data: {
        kind: 'notification',
        messageId: '<raw-name@suivi.test>',
        toAddress: 'victim2@example.com',
        toName: 'Eve\r\nBcc: evil@example.com',
        subject: 'Hi',
        html: '<p>x</p>',
        text: 'x',
      },
    })
    const received = await deliverAll()
    expect([...received.keys()].sort()).toEqual(['victim2@example.com', 'victim@example.com'])
    for (const m of received.values()) {
      expect(m.parsed.bcc).toBeUndefined()
      expect(m.raw.toString('latin1')).not.toMatch(/^Bcc:/im)
      expect(toHeader(m).map((a) => a.address)).toEqual(m.envelope.rcptTo)
    }
    expect(toHeader(received.get('victim@example.com')!)[0]!.name).toBe('Boss, "Big" <boss@evil.example> Bcc: evil@example.com')
  })

  it('every HTML part has a head with its charset and a title', async () => {
    const samples: Record<string, Record<string, unknown>> = {
      'agent-notification': { agentName: 'Ada', headline: 'The customer replied', number: 7, subject: 'Lamp', excerpt: 'x', link: 'https://h/c/7' },
      'agent-reply': { title: '[#7] Lamp', bodyHtml: '<p>x</p>', bodyText: 'x', agentName: 'Ada', signatureHtml: '', number: 7, statusUrl: 'https://h/s/7' },
      closing: { name: 'Casey', text: 'Closed.', statusUrl: 'https://h/s/7', number: 7 },
      confirmation: { text: 'We got it.', number: 7, statusUrl: 'https://h/s/7' },
      invitation: { name: 'Zoë', inviter: 'Ada', link: 'https://h/i', days: 7 },
      'password-reset': { name: 'Zoë', link: 'https://h/r', minutes: 60 },
      reminder: { name: 'Casey', text: 'Solved?', solvedUrl: 'https://h/y', notSolvedUrl: 'https://h/n', statusUrl: 'https://h/s/7', number: 7 },
    }
    for (const [name, data] of Object.entries(samples)) {
      const { html } = await renderMail(name, data)
      expect(html, name).toMatch(/^<!doctype html>\s*<html lang="en">\s*<head>\s*<meta charset="utf-8">[\s\S]*<title>[^<\s][^<]*<\/title>\s*<\/head>\s*<body/)
    }

    const conversation = await buildConversation(app.ctx.domain, admin, { folderId, customerEmail: 'title@example.com', mode: 'send', subject: 'Lamp & shade' })
    const [received] = [...(await deliverAll()).values()]
    expect(received!.parsed.html).toContain(`<title>[#${conversation.number}] Lamp &amp; shade</title>`)
    expect(received!.raw.toString('latin1')).toMatch(/Content-Type: text\/html; charset=utf-8/i)
  })

  it('the text part says where the HTML part shows a picture', async () => {
    const conversation = await buildConversation(app.ctx.domain, admin, { folderId, customerEmail: 'pictures@example.com', mode: 'record' })
    await replyAsAgent(app.ctx.domain, admin, {
      conversationId: conversation.id,
      html: `<p>Here is the label:</p><p><img src="data:image/png;base64,${PNG}"></p><p>And the box: <img src="data:image/png;base64,${PNG}" alt="the box"></p>`,
    })
    const [received] = [...(await deliverAll()).values()]
    const text = received!.parsed.text ?? ''
    expect(text).toContain('Here is the label:')
    expect(text).toMatch(/\[image: image-1\.png\]/)
    expect(text).toContain('And the box: [image: the box]')
    expect(String(received!.parsed.html).match(/<img [^>]*src="cid:/g)).toHaveLength(2)
    // The same picture twice travels once.
    expect(received!.parsed.attachments.filter((a) => a.contentDisposition === 'inline')).toHaveLength(1)
  })
})
