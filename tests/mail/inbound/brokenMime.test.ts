import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { parseMail } from '../../../src/mail/inbound/parse.ts'
import { BROKEN_MESSAGES } from '../../fixtures/mail/brokenMessages.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** Broken MIME structure (tests/fixtures/mail/brokenMessages.ts), end to end through the intake. */
describe('e-mails with a broken MIME structure', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  for (const fixture of BROKEN_MESSAGES) {
    it(`${fixture.name}: the subject, sender and text are recovered`, async () => {
      const want = fixture.expect
      const { id, outcome } = await receiveRawMessage(app.ctx.domain, {
        source: 'smtp',
        raw: fixture.raw,
        envelopeFrom: 'ines@customer.example',
        envelopeTo: ['help@acme.example'],
      })
      expect(outcome.status).toBe('processed')
      const prisma = app.ctx.db.prisma
      const row = await prisma.inboundMessage.findUniqueOrThrow({ where: { id } })
      expect(Buffer.from(row.raw).equals(fixture.raw)).toBe(true)
      expect(row.subject).toBe(want.subject)
      const message = await prisma.message.findFirstOrThrow({
        where: { inboundId: id },
        include: { conversation: { include: { customer: true } }, attachments: { orderBy: { id: 'asc' } } },
      })
      expect(message.kind).toBe('customer')
      expect(message.conversation.subject).toBe(want.subject)
      expect(message.conversation.customer.email).toBe(want.from)
      expect(message.bodyText).not.toContain('(This e-mail has no text.)')
      for (const words of want.text) expect(message.bodyText).toContain(words)
      for (const words of want.notText ?? []) expect(message.bodyText).not.toContain(words)
      expect(message.attachments.filter((a) => !a.inline).map((a) => a.fileName)).toEqual(want.attachments ?? [])
    })
  }

  it('leaves well-formed messages as they are: a boundary that does occur is kept, even beside look-alikes', async () => {
    const raw = Buffer.from(
      [
        'From: a@customer.example',
        'Subject: Sound',
        'Content-Type: multipart/mixed; boundary="real"',
        '',
        '--real',
        'Content-Type: text/plain',
        '',
        'Forwarded below.',
        '',
        '-----Original Message-----',
        'From: someone@example.org',
        '',
        'Old text.',
        '--real--',
        '',
      ].join('\r\n'),
    )
    const mail = await parseMail(raw)
    expect(mail.text).toContain('Forwarded below.')
    expect(mail.text).toContain('-----Original Message-----')
    expect(mail.text).toContain('Old text.')
    expect(mail.attachments).toEqual([])
  })

  it('reads a CR-only message the same as its CRLF twin', async () => {
    const lines = ['From: Ines <ines@customer.example>', 'Subject: Same', 'Content-Type: text/plain; charset=utf-8', '', 'One.', 'Two.', '']
    const fromCr = await parseMail(Buffer.from(lines.join('\r')))
    const fromCrlf = await parseMail(Buffer.from(lines.join('\r\n')))
    expect(fromCr.subject).toBe('Same')
    expect(fromCr.text).toBe(fromCrlf.text)
    expect(fromCr.from).toEqual(fromCrlf.from)
  })
})
