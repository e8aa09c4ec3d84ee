import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/config.ts'
import { deliverDueEmails, describeError } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import { inviteAgent } from '../../../src/domain/agents/manageAgents.ts'
import { buildAgent, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { selfSignedCertificate, startRelay, type Certificate, type Relay } from './relayPeer.ts'

const FROM = 'Suivi Support <support@suivi.test>'

/**
 * A relay that offers STARTTLS with a self-signed certificate, as Debian's Postfix does out of the
 * box with its "snakeoil" one.
 */
describe('a relay offering STARTTLS with a self-signed certificate', () => {
  let app: TestApp
  let certificate: Certificate
  let otherName: Certificate
  let relay: Relay
  let wrongNameRelay: Relay
  const transports: MailTransport[] = []
  const time = testClock()
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    certificate = selfSignedCertificate('relay.suivi.test', ['DNS:localhost', 'IP:127.0.0.1'])
    otherName = selfSignedCertificate('mail.elsewhere.test', ['DNS:mail.elsewhere.test'])
    relay = await startRelay({ tls: certificate })
    wrongNameRelay = await startRelay({ tls: otherName })
    app = await startTestApp({}, { clock: time.clock })
  })
  afterAll(async () => {
    for (const t of transports) t.close()
    await relay?.stop()
    await wrongNameRelay?.stop()
    await app?.close()
    certificate?.remove()
    otherName?.remove()
  })
  beforeEach(async () => {
    relay.messages.length = 0
    await prisma().outboxEmail.deleteMany()
  })

  function transportFor(url: string, env: Record<string, string>) {
    const config = loadConfig({ SMTP_URL: url, ...env })
    const t = createSmtpTransport(config.smtpUrl, { tls: config.smtpTls })!
    transports.push(t)
    return t
  }

  async function sendOne(transport: MailTransport) {
    const email = await prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', { kind: 'agent_reply', to: 'casey@example.com', subject: 'Your parcel', html: '<p>On its way</p>', text: 'On its way' }),
    )
    const result = await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: FROM })
    return { result, row: await prisma().outboxEmail.findUniqueOrThrow({ where: { id: email.id } }) }
  }

  it('by default refuses the certificate, keeps the e-mail queued and says which setting fixes it', async () => {
    const { result, row } = await sendOne(transportFor(relay.url, {}))
    expect(result).toEqual({ sent: 0, failed: 0, retried: 1 })
    expect(row.status).toBe('queued')
    expect(row.lastError).toMatch(/self[- ]signed certificate/)
    expect(row.lastError).toMatch(/TLS certificate is not trusted/)
    expect(row.lastError).toContain('SMTP_TLS_CA_FILE')
    expect(row.lastError).toContain('SMTP_TLS_REJECT_UNAUTHORIZED=false')
    expect(row.lastError!.length).toBeLessThanOrEqual(500)
    expect(relay.messages).toHaveLength(0)
  })

  it('delivers over TLS once SMTP_TLS_CA_FILE names the certificate', async () => {
    const { result, row } = await sendOne(transportFor(relay.url, { SMTP_TLS_CA_FILE: certificate.certFile }))
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 })
    expect(row.status).toBe('sent')
    expect(relay.messages).toHaveLength(1)
    expect(relay.messages[0]!.secure).toBe(true)
    expect(relay.messages[0]!.parsed.subject).toBe('Your parcel')
  })

  it('delivers over TLS without checking the certificate when SMTP_TLS_REJECT_UNAUTHORIZED=false', async () => {
    const { result } = await sendOne(transportFor(relay.url, { SMTP_TLS_REJECT_UNAUTHORIZED: 'false' }))
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 })
    expect(relay.messages[0]!.secure).toBe(true)
  })

  it('a trusted certificate for another name is still refused, with advice about the host name', async () => {
    const { row } = await sendOne(transportFor(wrongNameRelay.url, { SMTP_TLS_CA_FILE: otherName.certFile }))
    expect(row.status).toBe('queued')
    expect(row.lastError).toMatch(/for another name than SMTP_URL's host/)
    expect(wrongNameRelay.messages).toHaveLength(0)
  })

  it('the running app uses the settings: an invitation reaches the relay over TLS', async () => {
    const tlsApp = await startTestApp({ SMTP_URL: relay.url, SMTP_TLS_CA_FILE: certificate.certFile })
    try {
      const admin = await buildAgent(tlsApp.ctx.db.prisma, { role: 'admin' })
      await inviteAgent(tlsApp.ctx.domain, admin, { name: 'Tess Tls', email: 'tess@example.test', role: 'agent' })
      const deadline = Date.now() + 10_000
      while (relay.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(relay.messages.map((m) => [m.envelope.rcptTo, m.secure])).toEqual([[['tess@example.test'], true]])
    } finally {
      await tlsApp.close()
    }
  })

  it('refuses to start with a CA file that cannot be read or holds no certificate', () => {
    expect(() => loadConfig({ SMTP_TLS_CA_FILE: '/nonexistent/ca.pem' })).toThrowError(/SMTP_TLS_CA_FILE: cannot read/)
    const notPem = `${certificate.certFile}.txt`
    writeFileSync(notPem, 'not a certificate')
    expect(() => loadConfig({ SMTP_TLS_CA_FILE: notPem })).toThrowError(ConfigError)
    expect(() => loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: 'maybe' })).toThrowError(/SMTP_TLS_REJECT_UNAUTHORIZED/)
    expect(loadConfig({}).smtpTls).toEqual({ caFile: undefined, ca: undefined, rejectUnauthorized: true })
  })

  it('describes other errors as before', () => {
    expect(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }))).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:25')
  })
})
