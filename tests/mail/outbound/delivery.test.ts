import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  deliverDueEmails,
  describeError,
  MAX_ATTEMPTS,
  PERMANENT_REJECTION_ATTEMPTS,
  retryDelayMs,
  type MailSender,
} from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail, type OutgoingEmail } from '../../../src/mail/outbound/outbox.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import { startOutboxWorker } from '../../../src/jobs/outboxWorker.ts'
import { testClock } from '../../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

// A 1×1 PNG and a small but complete PDF.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'),
  Buffer.alloc(70_000, 0xa7),
  Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
])
const FROM = 'Suivi Support <support@suivi.test>'
const MAIL_DOMAIN = 'suivi.test'
const MINUTE = 60_000

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

describe('outbound delivery over SMTP', () => {
  let app: TestApp
  let smtp: SmtpCapture
  let transport: MailTransport
  const time = testClock()
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    smtp = await startSmtpCapture()
    transport = createSmtpTransport(smtp.url)!
  })
  afterAll(async () => {
    transport?.close()
    await smtp?.stop()
    await app?.close()
  })
  beforeEach(async () => {
    await smtp.restart()
    smtp.rejectNext(0)
    smtp.messages.length = 0
    await prisma().outboxEmail.deleteMany()
  })

  function deliver(options: { transport?: MailSender; batchSize?: number } = {}) {
    return deliverDueEmails({
      prisma: prisma(),
      transport: options.transport ?? transport,
      clock: time.clock,
      logger: app.ctx.logger,
      batchSize: options.batchSize ?? 50,
      from: FROM,
    })
  }

  async function enqueue(email: Partial<OutgoingEmail> = {}) {
    return prisma().$transaction((tx) =>
      enqueueEmail(tx, MAIL_DOMAIN, { kind: 'notification', to: 'casey@example.com', subject: 'Your request', html: '<p>Hello</p>', text: 'Hello', ...email }),
    )
  }

  async function storeBlob(data: Buffer) {
    const hash = sha256(data)
    await prisma().blob.upsert({ where: { sha256: hash }, create: { sha256: hash, size: data.length, data: new Uint8Array(data) }, update: {} })
    return hash
  }

  const row = (id: number) => prisma().outboxEmail.findUniqueOrThrow({ where: { id } })

  it('delivers an e-mail with its Message-ID, thread headers, text and HTML alternatives, an inline image and a PDF', async () => {
    const [png, pdf] = [await storeBlob(PNG), await storeBlob(PDF)]
    const email = await enqueue({
      kind: 'agent_reply',
      to: 'Casey Customer <casey@example.com>',
      subject: '[#12] Where is my parcel? — déjà vu',
      html: '<p>Hello Casey, here is the label:</p><p><img src="cid:att-7@suivi.test" alt="label"></p>',
      text: 'Hello Casey, here is the label.',
      headers: {
        'In-Reply-To': '<c2@customer.example>',
        References: '<c1@customer.example> <c2@customer.example>',
        'Reply-To': 'Suivi <reply+t0k3n@suivi.test>',
        'Auto-Submitted': 'auto-replied',
        'X-Suivi-Conversation': '12',
      },
      attachments: [
        { blobSha256: png, fileName: 'label.png', mimeType: 'image/png', contentId: 'att-7@suivi.test' },
        { blobSha256: pdf, fileName: 'invoice 2027.pdf', mimeType: 'application/pdf' },
      ],
    })

    expect(await deliver()).toEqual({ sent: 1, failed: 0, retried: 0 })

    const [received] = await smtp.waitFor(1)
    const mail = received!.parsed
    expect(received!.envelope).toEqual({ mailFrom: 'support@suivi.test', rcptTo: ['casey@example.com'] })
    expect(mail.messageId).toBe(email.messageId)
    expect(mail.subject).toBe('[#12] Where is my parcel? — déjà vu')
    expect(mail.from?.value).toEqual([{ name: 'Suivi Support', address: 'support@suivi.test' }])
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Casey Customer', address: 'casey@example.com' }])
    expect(mail.inReplyTo).toBe('<c2@customer.example>')
    expect(mail.references).toEqual(['<c1@customer.example>', '<c2@customer.example>'])
    expect(mail.replyTo?.value).toEqual([{ name: 'Suivi', address: 'reply+t0k3n@suivi.test' }])
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied')
    expect(mail.headers.get('x-suivi-conversation')).toBe('12')
    expect(received!.raw.toString('latin1')).toMatch(/Content-Type: multipart\/alternative/i)
    expect(mail.text?.trim()).toBe('Hello Casey, here is the label.')
    expect(mail.html).toContain('src="cid:att-7@suivi.test"')

    const image = mail.attachments.find((a) => a.filename === 'label.png')!
    expect(image.contentId).toBe('<att-7@suivi.test>')
    expect(image.cid).toBe('att-7@suivi.test')
    expect(image.contentDisposition).toBe('inline')
    expect(image.content.equals(PNG)).toBe(true)
    const invoice = mail.attachments.find((a) => a.filename === 'invoice 2027.pdf')!
    expect(invoice.contentType).toBe('application/pdf')
    expect(invoice.contentDisposition).toBe('attachment')
    expect(sha256(invoice.content)).toBe(pdf)

    const after = await row(email.id)
    expect(after).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null, lastError: null })
    expect(after.sentAt).toEqual(time.clock())
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 0 })
    expect(smtp.messages).toHaveLength(1)
  })

  it('a line break in the subject, the recipient’s name or a header cannot add a header or a recipient', async () => {
    // Written straight to the table: delivery must not rely on enqueueEmail's own cleaning.
    const base = { kind: 'notification' as const, html: '<p>x</p>', text: 'x' }
    const quotedName = await prisma().outboxEmail.create({
      data: {
        ...base,
        messageId: `<inject-1@${MAIL_DOMAIN}>`,
        toAddress: '"Casey\r\nBcc: evil@example.com" <casey@example.com>',
        subject: 'Hello\r\nBcc: evil@example.com',
        headers: {
          'X-Evil': 'a\r\nBcc: evil@example.com',
          'Bad Name': 'x',
          'X-Bell': 'a\u0007b',
          Bcc: 'evil@example.com',
          To: 'evil@example.com',
          'Auto-Submitted': 'auto-generated',
        },
      },
    })
    const bareName = await prisma().outboxEmail.create({
      data: { ...base, messageId: `<inject-2@${MAIL_DOMAIN}>`, toAddress: 'Casey <casey@example.com>\r\nBcc: evil@example.com', subject: 'Hi' },
    })
    const viaEnqueue = await enqueue({ subject: 'Order\r\nBcc: evil@example.com', to: 'casey@example.com' })

    expect(await deliver()).toEqual({ sent: 2, failed: 1, retried: 0 })

    await smtp.waitFor(2)
    for (const m of smtp.messages) {
      expect(m.envelope.rcptTo).toEqual(['casey@example.com'])
      expect(m.parsed.headers.has('bcc')).toBe(false)
      expect(m.parsed.bcc).toBeUndefined()
      expect(m.raw.toString('latin1')).not.toMatch(/^(Bcc|X-Evil|X-Bell|Bad Name):/im)
      expect(m.parsed.subject).not.toMatch(/[\r\n]/)
      expect(m.parsed.to && !Array.isArray(m.parsed.to) ? m.parsed.to.value.map((a) => a.address) : []).toEqual(['casey@example.com'])
    }
    const first = smtp.messages.find((m) => m.parsed.messageId === quotedName.messageId)!
    expect(first.parsed.subject).toBe('Hello Bcc: evil@example.com')
    expect(first.parsed.headers.get('auto-submitted')).toBe('auto-generated')
    expect(smtp.messages.some((m) => m.parsed.messageId === viaEnqueue.messageId)).toBe(true)
    // An address list hidden behind a line break is refused outright, never guessed at.
    expect(await row(bareName.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'invalid recipient address' })
  })

  it('keeps e-mails queued while SMTP is down, backs off, then delivers each exactly once', async () => {
    const emails = [await enqueue({ to: 'a@example.com' }), await enqueue({ to: 'b@example.com' }), await enqueue({ to: 'c@example.com' })]
    await smtp.stop()

    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 3 })
    for (const e of emails) {
      const r = await row(e.id)
      expect(r).toMatchObject({ status: 'queued', attempts: 1, lockedUntil: null })
      expect(r.nextAttemptAt).toEqual(new Date(time.clock().getTime() + MINUTE))
      expect(r.lastError).toMatch(/ECONNREFUSED|connect/i)
    }
    // Not due yet: nothing is tried again.
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 0 })

    time.advance(MINUTE)
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 3 })
    expect((await row(emails[0]!.id)).nextAttemptAt).toEqual(new Date(time.clock().getTime() + 2 * MINUTE))

    await smtp.restart()
    time.advance(2 * MINUTE)
    expect(await deliver()).toEqual({ sent: 3, failed: 0, retried: 0 })
    time.advance(60 * MINUTE)
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 0 })

    expect(smtp.messages.map((m) => m.parsed.messageId).sort()).toEqual(emails.map((e) => e.messageId).sort())
    for (const e of emails) expect(await row(e.id)).toMatchObject({ status: 'sent', attempts: 3, lastError: null })
  })

  it('resends with the same Message-ID an e-mail whose sender died mid-send, and leaves a live claim alone', async () => {
    const email = await enqueue()
    expect(await deliver()).toEqual({ sent: 1, failed: 0, retried: 0 })
    // The process died after the server took the message and before it could record it.
    const now = time.clock().getTime()
    await prisma().outboxEmail.update({ where: { id: email.id }, data: { status: 'sending', sentAt: null, lockedUntil: new Date(now + MINUTE) } })
    const live = await enqueue({ to: 'other@example.com' })
    await prisma().outboxEmail.update({ where: { id: live.id }, data: { status: 'sending', attempts: 1, lockedUntil: new Date(now + MINUTE) } })

    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 0 })

    time.advance(MINUTE)
    // The crashed claim has expired; so has the other one now, which is the point of the lock.
    await prisma().outboxEmail.update({ where: { id: live.id }, data: { lockedUntil: new Date(time.clock().getTime() + MINUTE) } })
    expect(await deliver()).toEqual({ sent: 1, failed: 0, retried: 0 })

    await smtp.waitFor(2)
    expect(smtp.messages.map((m) => m.parsed.messageId)).toEqual([email.messageId, email.messageId])
    expect(await row(email.id)).toMatchObject({ status: 'sent', attempts: 2 })
    expect(await row(live.id)).toMatchObject({ status: 'sending', attempts: 1 })
  })

  it('two passes running at once send each e-mail exactly once', async () => {
    const emails = []
    for (let i = 0; i < 30; i++) emails.push(await enqueue({ to: `customer${i}@example.com`, subject: `Mail ${i}` }))
    const second = createSmtpTransport(smtp.url)!
    try {
      let total = 0
      for (let round = 0; round < 5 && total < 30; round++) {
        const results = await Promise.all([deliver({ batchSize: 12 }), deliver({ transport: second, batchSize: 12 })])
        for (const r of results) {
          expect(r.failed + r.retried).toBe(0)
          total += r.sent
        }
      }
      expect(total).toBe(30)
    } finally {
      second.close()
    }
    await smtp.waitFor(30)
    const perMessageId = new Map<string, number>()
    for (const m of smtp.messages) perMessageId.set(m.parsed.messageId!, (perMessageId.get(m.parsed.messageId!) ?? 0) + 1)
    expect(smtp.messages).toHaveLength(30)
    expect([...perMessageId.keys()].sort()).toEqual(emails.map((e) => e.messageId).sort())
    expect([...perMessageId.values()].every((n) => n === 1)).toBe(true)
    expect(await prisma().outboxEmail.count({ where: { status: 'sent', attempts: 1 } })).toBe(30)
  })

  it(`gives up after ${MAX_ATTEMPTS} failed attempts and records why`, async () => {
    const email = await enqueue()
    await smtp.stop()
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await deliver()
      expect(result).toEqual(attempt < MAX_ATTEMPTS ? { sent: 0, failed: 0, retried: 1 } : { sent: 0, failed: 1, retried: 0 })
      time.advance(retryDelayMs(attempt))
    }
    const failed = await row(email.id)
    expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lockedUntil: null, sentAt: null })
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i)
    expect(failed.lastError!.length).toBeLessThanOrEqual(500)
    await smtp.restart()
    time.advance(24 * 60 * MINUTE)
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 0 })
    expect(smtp.messages).toHaveLength(0)
  })

  it(`retries a 4xx reply, and gives up on a 5xx rejection after ${PERMANENT_REJECTION_ATTEMPTS} attempts`, async () => {
    const deferred = await enqueue({ to: 'deferred@example.com' })
    smtp.rejectNext(1, 451)
    expect(await deliver()).toEqual({ sent: 0, failed: 0, retried: 1 })
    expect((await row(deferred.id)).lastError).toMatch(/451/)
    time.advance(MINUTE)
    expect(await deliver()).toEqual({ sent: 1, failed: 0, retried: 0 })

    const rejected = await enqueue({ to: 'nobody@example.com' })
    smtp.rejectNext(PERMANENT_REJECTION_ATTEMPTS, 550)
    for (let attempt = 1; attempt <= PERMANENT_REJECTION_ATTEMPTS; attempt++) {
      const result = await deliver()
      expect(result).toEqual(attempt < PERMANENT_REJECTION_ATTEMPTS ? { sent: 0, failed: 0, retried: 1 } : { sent: 0, failed: 1, retried: 0 })
      time.advance(retryDelayMs(attempt))
    }
    expect(await row(rejected.id)).toMatchObject({ status: 'failed', attempts: PERMANENT_REJECTION_ATTEMPTS })
    expect((await row(rejected.id)).lastError).toMatch(/550/)
  })

  it('fails at once an e-mail whose attachment is missing from storage', async () => {
    const email = await enqueue({ attachments: [{ blobSha256: 'f'.repeat(64), fileName: 'gone.pdf', mimeType: 'application/pdf' }] })
    expect(await deliver()).toEqual({ sent: 0, failed: 1, retried: 0 })
    expect(await row(email.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'attachment gone.pdf is missing from storage' })
  })

  it('backs off 1 min, 2, 4 ... at most 6 h, and keeps credentials out of error messages', () => {
    expect([1, 2, 3, 4, 8].map(retryDelayMs)).toEqual([1, 2, 4, 8, 128].map((m) => m * MINUTE))
    expect(retryDelayMs(20)).toBe(6 * 60 * MINUTE)
    const reason = describeError(Object.assign(new Error('Invalid login via smtps://bob:hunter2@mail.example.com:465\r\n535 denied'), { code: 'EAUTH' }))
    expect(reason).toBe('EAUTH: Invalid login via smtps://***@mail.example.com:465 535 denied')
  })

  describe('the outbox worker', () => {
    it('delivers on kick(), never runs two passes at once, and waits for the pass in flight on stop()', async () => {
      let sending = 0
      let mostAtOnce = 0
      const slowTransport: MailSender = {
        async sendMail(message) {
          sending++
          mostAtOnce = Math.max(mostAtOnce, sending)
          try {
            await new Promise((r) => setTimeout(r, 30))
            return await transport.sendMail(message)
          } finally {
            sending--
          }
        },
      }
      // A short interval and small batches: passes are asked for far more often than they can run.
      const worker = startOutboxWorker({
        prisma: prisma(),
        transport: slowTransport,
        clock: time.clock,
        logger: app.ctx.logger,
        from: FROM,
        intervalMs: 5,
        batchSize: 2,
      })
      let stopped = false
      try {
        for (let i = 0; i < 6; i++) {
          await enqueue({ to: `kick${i}@example.com` })
          worker.kick()
        }
        await smtp.waitFor(6)
        const last = await enqueue({ to: 'last@example.com' })
        worker.kick()
        while (sending === 0) await new Promise((r) => setTimeout(r, 2))
        await worker.stop()
        stopped = true
        // stop() returned only after the send in flight was recorded.
        expect(await row(last.id)).toMatchObject({ status: 'sent' })
      } finally {
        if (!stopped) await worker.stop()
      }
      expect(mostAtOnce).toBe(1)
      expect(smtp.messages.map((m) => m.envelope.rcptTo[0]).sort()).toEqual([
        'kick0@example.com',
        'kick1@example.com',
        'kick2@example.com',
        'kick3@example.com',
        'kick4@example.com',
        'kick5@example.com',
        'last@example.com',
      ])
      expect(await prisma().outboxEmail.count({ where: { status: 'sent', attempts: 1 } })).toBe(7)
    })

    it('does nothing without an SMTP transport: mail stays in the outbox', async () => {
      const email = await enqueue()
      const worker = startOutboxWorker({ prisma: prisma(), transport: null, clock: time.clock, logger: app.ctx.logger, from: FROM, intervalMs: 10 })
      worker.kick()
      await new Promise((r) => setTimeout(r, 100))
      await worker.stop()
      expect(await row(email.id)).toMatchObject({ status: 'queued', attempts: 0 })
      expect(createSmtpTransport(undefined)).toBeNull()
      expect(createSmtpTransport('')).toBeNull()
      expect(() => createSmtpTransport('http://mail.example.com')).toThrow(/smtp:\/\//)
    })
  })
})
