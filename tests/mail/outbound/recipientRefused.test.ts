import { recordRefusalAsBounce } from '../../../src/jobs/outboxWorker.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { addressRefusal, deliverDueEmails, PERMANENT_REJECTION_ATTEMPTS, retryDelayMs } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import type { Actor } from '../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { startRelay, type Relay } from './relayPeer.ts'

const FROM = 'Suivi Support <support@suivi.test>'

/** What Postfix and others answer at RCPT, by recipient. */
const REFUSALS: Record<string, { code: number; message: string }> = {
  'gone@example.com': { code: 550, message: '5.1.1 <gone@example.com>: Recipient address rejected: User unknown in virtual mailbox table' },
  'nodomain@example.com': { code: 550, message: '5.1.2 <nodomain@example.com>: Recipient address rejected: Domain not found' },
  'plain@example.com': { code: 550, message: 'User unknown' },
  'relaydenied@example.com': { code: 554, message: '5.7.1 <relaydenied@example.com>: Relay access denied' },
  'full@example.com': { code: 552, message: '5.2.2 <full@example.com>: Mailbox full' },
  'policy@example.com': { code: 550, message: 'Rejected by policy' },
}

describe('a relay refusing a customer address at RCPT', () => {
  let app: TestApp
  let relay: Relay
  let transport: MailTransport
  let agent: Actor
  let folderId: number
  const time = testClock()
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    relay = await startRelay({ refuse: (address) => REFUSALS[address.toLowerCase()] ?? null })
    app = await startTestApp({}, { clock: time.clock })
    transport = createSmtpTransport(relay.url)!
    folderId = (await buildFolder(prisma())).id
    agent = await buildAgent(prisma(), { role: 'admin', folderIds: [folderId] })
  })
  afterAll(async () => {
    transport?.close()
    await relay?.stop()
    await app?.close()
  })
  beforeEach(async () => {
    relay.messages.length = 0
    await prisma().outboxEmail.deleteMany()
  })

  const deliver = () =>
    deliverDueEmails({
      prisma: prisma(),
      transport,
      clock: time.clock,
      logger: app.ctx.logger,
      from: FROM,
      onAddressRefused: recordRefusalAsBounce(app.ctx.domain),
    })

  /** A conversation whose first e-mail (an agent's message) goes to `email`. */
  const writeTo = (email: string) =>
    buildConversation(app.ctx.domain, agent, { folderId, customerEmail: email, customerName: 'Gone Customer', mode: 'send', subject: `Order for ${email}` })

  async function deliverUntilSettled() {
    for (let attempt = 1; attempt <= PERMANENT_REJECTION_ATTEMPTS; attempt++) {
      await deliver()
      time.advance(retryDelayMs(attempt))
    }
  }

  it('marks the customer undeliverable and says so in the conversation once the refusal is final (550 5.1.1)', async () => {
    const conversation = await writeTo('gone@example.com')
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 1 })
    // One refusal may be a relay's passing trouble: nothing is marked yet.
    expect((await prisma().customer.findUniqueOrThrow({ where: { email: 'gone@example.com' } })).undeliverableAt).toBeNull()
    time.advance(retryDelayMs(1))
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 1 })
    time.advance(retryDelayMs(2))
    expect(await deliver()).toEqual({ sent: 0, failed: 1, retried: 0 })

    const row = await prisma().outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id } })
    expect(row.status).toBe('failed')
    expect(row.lastError).toMatch(/550 5\.1\.1/)
    const customer = await prisma().customer.findUniqueOrThrow({ where: { email: 'gone@example.com' } })
    expect(customer.undeliverableAt).toEqual(time.clock())
    expect(customer.undeliverableReason).toMatch(/^5\.1\.1: .*refused the address \(550 5\.1\.1 <gone@example\.com>: Recipient address rejected: User unknown/)
    const notes = await prisma().message.findMany({ where: { conversationId: conversation.id, kind: 'system' } })
    expect(notes).toHaveLength(1)
    expect(notes[0]!.bodyText).toMatch(/could not be delivered to gone@example\.com: the mail server refused the address \(550 5\.1\.1/)
    const history = await prisma().historyEvent.findMany({ where: { conversationId: conversation.id, type: 'auto_reply.received' } })
    expect(history.map((h) => h.data)).toEqual([{ bounce: true, recipient: 'gone@example.com', status: '5.1.1', messageCount: 2 }])
    // The status is not the refusal's business.
    expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('pending')
  })

  it('a bad domain (5.1.2) and a plain "550 User unknown" mark the address too', async () => {
    await writeTo('nodomain@example.com')
    await writeTo('plain@example.com')
    await deliverUntilSettled()
    for (const email of ['nodomain@example.com', 'plain@example.com']) {
      expect((await prisma().customer.findUniqueOrThrow({ where: { email } })).undeliverableAt, email).not.toBeNull()
    }
  })

  it('a refusal that is not about the address (relaying denied, a full mailbox, a policy) marks nobody', async () => {
    const conversations = [await writeTo('relaydenied@example.com'), await writeTo('full@example.com'), await writeTo('policy@example.com')]
    await deliverUntilSettled()
    expect(await prisma().outboxEmail.count({ where: { status: 'failed' } })).toBe(3)
    expect(
      await prisma().customer.count({
        where: { email: { in: ['relaydenied@example.com', 'full@example.com', 'policy@example.com'] }, undeliverableAt: { not: null } },
      }),
    ).toBe(0)
    expect(await prisma().message.count({ where: { conversationId: { in: conversations.map((c) => c.id) }, kind: 'system' } })).toBe(0)
  })

  it('an agent’s notification refused at RCPT marks no customer, even one with that address', async () => {
    await prisma().customer.upsert({ where: { email: 'gone-agent@example.com' }, create: { email: 'gone-agent@example.com' }, update: {} })
    REFUSALS['gone-agent@example.com'] = { code: 550, message: '5.1.1 <gone-agent@example.com>: User unknown' }
    await prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', { kind: 'notification', to: 'gone-agent@example.com', subject: 'Assigned to you', html: '<p>x</p>', text: 'x' }),
    )
    await deliverUntilSettled()
    expect(await prisma().outboxEmail.count({ where: { status: 'failed' } })).toBe(1)
    expect((await prisma().customer.findUniqueOrThrow({ where: { email: 'gone-agent@example.com' } })).undeliverableAt).toBeNull()
  })

  it('tells refusals of the address from other refusals', () => {
    const rcpt = (response: string) =>
      Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        response,
        responseCode: Number(response.slice(0, 3)),
      })
    expect(addressRefusal(rcpt('550 5.1.1 <a@b.example>: Recipient address rejected'))).toEqual({
      status: '5.1.1',
      response: '550 5.1.1 <a@b.example>: Recipient address rejected',
    })
    expect(addressRefusal(rcpt('550-5.1.1 The email account that you tried to reach does not exist.'))).toMatchObject({ status: '5.1.1' })
    expect(addressRefusal(rcpt('553 5.1.3 Bad recipient address syntax'))).toMatchObject({ status: '5.1.3' })
    expect(addressRefusal(rcpt('550 5.1.10 Recipient address has null MX'))).toMatchObject({ status: '5.1.10' })
    expect(addressRefusal(rcpt('550 5.2.1 Mailbox disabled'))).toMatchObject({ status: '5.2.1' })
    expect(addressRefusal(rcpt('550 No such user here'))).toMatchObject({ status: '550' })
    for (const other of [
      '450 4.1.1 <a@b.example>: Recipient address rejected: unverified address',
      '554 5.7.1 Relay access denied',
      '552 5.2.2 Mailbox full',
      '550 5.7.1 Service unavailable; client host blocked',
      '550 Rejected',
      '421 4.4.2 Timeout',
    ]) {
      expect(addressRefusal(rcpt(other)), other).toBeNull()
    }
    // Only a refusal at RCPT is about the recipient: the same words after DATA or MAIL FROM are not.
    expect(addressRefusal(Object.assign(new Error('x'), { code: 'EMESSAGE', command: 'DATA', response: '550 5.1.1 User unknown' }))).toBeNull()
    expect(addressRefusal(Object.assign(new Error('x'), { code: 'EENVELOPE', command: 'MAIL FROM', response: '550 5.1.1 User unknown' }))).toBeNull()
    expect(addressRefusal(new Error('connect ECONNREFUSED'))).toBeNull()
  })

  it('the running app records the refusal through its outbox worker', async () => {
    const clock = testClock()
    const running = await startTestApp({ SMTP_URL: relay.url }, { clock: clock.clock })
    try {
      const p = running.ctx.db.prisma
      const folder = await buildFolder(p)
      const admin = await buildAgent(p, { role: 'admin', folderIds: [folder.id] })
      const conversation = await buildConversation(running.ctx.domain, admin, { folderId: folder.id, customerEmail: 'gone@example.com', mode: 'send' })
      const attempts = async (n: number) => {
        const deadline = Date.now() + 10_000
        while (Date.now() < deadline) {
          const row = await p.outboxEmail.findFirstOrThrow({ where: { conversationId: conversation.id } })
          if (row.attempts >= n && row.status !== 'sending') return row
          await new Promise((r) => setTimeout(r, 50))
        }
        throw new Error(`no attempt ${n} within 10 s`)
      }
      for (let n = 1; n < PERMANENT_REJECTION_ATTEMPTS; n++) {
        await attempts(n)
        clock.advance(retryDelayMs(n))
      }
      expect(await attempts(PERMANENT_REJECTION_ATTEMPTS)).toMatchObject({ status: 'failed' })
      expect((await p.customer.findUniqueOrThrow({ where: { email: 'gone@example.com' } })).undeliverableAt).not.toBeNull()
      expect(await p.message.count({ where: { conversationId: conversation.id, kind: 'system' } })).toBe(1)
    } finally {
      await running.close()
    }
  }, 40_000)
})
