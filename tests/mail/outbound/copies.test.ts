import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverDueEmails } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import { testClock } from '../../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const FROM = 'Suivi Support <support@suivi.test>'

describe('delivering a reply with copies over SMTP', () => {
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

  it('shows Cc in the headers, and Bcc only in the envelope (RCPT TO), never in a header', async () => {
    await prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', {
        kind: 'agent_reply',
        to: 'casey@example.com',
        subject: '[#7] Invoice',
        html: '<p>Here it is.</p>',
        text: 'Here it is.',
        cc: ['boss@example.com', 'accounts@example.com'],
        bcc: ['audit@example.org'],
      }),
    )
    const result = await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: FROM })
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 })

    const [received] = await smtp.waitFor(1)
    expect(received!.envelope.rcptTo.sort()).toEqual(['accounts@example.com', 'audit@example.org', 'boss@example.com', 'casey@example.com'])
    const cc = received!.parsed.cc
    expect(cc && !Array.isArray(cc) ? cc.value.map((v) => v.address) : []).toEqual(['boss@example.com', 'accounts@example.com'])
    expect(received!.parsed.bcc).toBeUndefined()
    const headerBlock = received!.raw.toString('latin1').split(/\r?\n\r?\n/)[0]!
    expect(headerBlock).toMatch(/^Cc: boss@example\.com, accounts@example\.com$/m)
    expect(headerBlock).not.toMatch(/^Bcc:/im)
    expect(received!.raw.toString('latin1')).not.toContain('audit@example.org')
  })
})
