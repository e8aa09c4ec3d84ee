import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1')
function email(options: { from: string; messageId: string; date?: string; text?: string; trace?: string[] }) {
  return crlf([
    ...(options.trace ?? []),
    `From: ${options.from}`,
    'To: help@acme.example',
    'Subject: My order',
    `Message-ID: ${options.messageId}`,
    `Date: ${options.date ?? 'Wed, 2 Dec 2026 10:00:00 +0100'}`,
    '',
    options.text ?? 'Where is my order?',
    '',
  ])
}

describe('the same Message-ID twice', () => {
  let app: TestApp
  const prisma = () => app.ctx.db.prisma
  const receive = (raw: Buffer) =>
    receiveRawMessage(app.ctx.domain, { source: 'smtp', raw, envelopeFrom: 'x@sender.example', envelopeTo: ['help@acme.example'] })
  const customerMessages = (email: string) => prisma().message.findMany({ where: { customer: { email } }, orderBy: { id: 'asc' } })

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('keeps the same e-mail delivered twice once', async () => {
    const raw = email({ from: 'lin@customer.example', messageId: '<same-bytes@customer.example>' })
    const first = await receive(raw)
    const second = await receive(raw)
    expect(second.outcome).toMatchObject({ status: 'processed', note: 'duplicate of a message already in the conversation' })
    expect(second.outcome.status === 'processed' && first.outcome.status === 'processed' && second.outcome.conversationId).toBe(
      first.outcome.status === 'processed' && first.outcome.conversationId,
    )
    expect(await customerMessages('lin@customer.example')).toHaveLength(1)
  })

  it('keeps it once when only its trace headers differ (same sender and date), and with other line ends', async () => {
    const raw = email({ from: 'Kim <kim@customer.example>', messageId: '<same-sender-date@customer.example>' })
    await receive(raw)
    const relayed = await receive(
      email({
        from: 'Kim <KIM@customer.example>',
        messageId: '<same-sender-date@customer.example>',
        trace: ['Received: from mx2.acme.example by suivi; Wed, 2 Dec 2026 10:00:05 +0100'],
      }),
    )
    expect(relayed.outcome).toMatchObject({ status: 'processed', note: 'duplicate of a message already in the conversation' })
    const noDate = crlf([
      'From: ana@customer.example',
      'To: help@acme.example',
      'Subject: No date',
      'Message-ID: <line-ends@customer.example>',
      '',
      'Hello',
      '',
    ])
    await receive(noDate)
    const lf = await receive(Buffer.from(noDate.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'))
    expect(lf.outcome).toMatchObject({ status: 'processed', note: 'duplicate of a message already in the conversation' })
    expect(await customerMessages('kim@customer.example')).toHaveLength(1)
    expect(await customerMessages('ana@customer.example')).toHaveLength(1)
  })

  it('keeps another sender’s e-mail that reuses the Message-ID as a message of its own, without the id', async () => {
    const id = '<reused@mailer.example>'
    const first = await receive(email({ from: 'sam@customer.example', messageId: id }))
    const second = await receive(email({ from: 'noor@other.example', messageId: id, text: 'My own, different question.' }))
    expect(second.outcome.status).toBe('processed')
    expect(second.outcome.status === 'processed' && second.outcome.note).toContain('already belongs to another e-mail')
    const [noors] = await customerMessages('noor@other.example')
    expect(noors).toMatchObject({ kind: 'customer', emailMessageId: null, inboundId: second.id })
    expect(noors!.bodyText).toContain('My own, different question.')
    expect(noors!.conversationId).not.toBe(first.outcome.status === 'processed' && first.outcome.conversationId)
    // The first keeps its id, and the second, delivered again, is still kept once.
    expect((await prisma().message.findUniqueOrThrow({ where: { emailMessageId: id } })).inboundId).toBe(first.id)
    const again = await receive(email({ from: 'noor@other.example', messageId: id, text: 'My own, different question.' }))
    expect(again.outcome.status === 'processed' && again.outcome.note).toMatch(/^duplicate/)
    expect(await customerMessages('noor@other.example')).toHaveLength(1)
  })

  it('keeps a second e-mail of the same sender with the same Message-ID but another date', async () => {
    const id = '<broken-client@customer.example>'
    await receive(email({ from: 'eva@customer.example', messageId: id, date: 'Wed, 2 Dec 2026 10:00:00 +0100' }))
    await receive(email({ from: 'eva@customer.example', messageId: id, date: 'Thu, 3 Dec 2026 08:30:00 +0100', text: 'Any news?' }))
    const messages = await customerMessages('eva@customer.example')
    expect(messages.map((m) => m.emailMessageId)).toEqual([id, null])
  })

  it('keeps both when two e-mails with one Message-ID arrive at the same moment', async () => {
    const id = '<race@mailer.example>'
    const outcomes = await Promise.all([
      receive(email({ from: 'ola@customer.example', messageId: id })),
      receive(email({ from: 'max@other.example', messageId: id })),
    ])
    expect(outcomes.map((o) => o.outcome.status)).toEqual(['processed', 'processed'])
    expect(await customerMessages('ola@customer.example')).toHaveLength(1)
    expect(await customerMessages('max@other.example')).toHaveLength(1)
  })
})
