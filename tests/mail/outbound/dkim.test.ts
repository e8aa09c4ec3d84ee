import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { dkimVerify } from 'mailauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/config.ts'
import { inviteAgent } from '../../../src/domain/agents/manageAgents.ts'
import { deliverDueEmails } from '../../../src/mail/outbound/delivery.ts'
import { enqueueEmail } from '../../../src/mail/outbound/outbox.ts'
import { createSmtpTransport, type MailTransport } from '../../../src/mail/outbound/transport.ts'
import { buildAgent, testClock } from '../../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const FROM = 'Suivi Support <support@suivi.test>'
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
/** The TXT record a domain publishes at <selector>._domainkey.<domain>. */
const publicRecord = `v=DKIM1; k=rsa; p=${keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`

/** DNS for the verifier, answered here: only the key's TXT record exists, so nothing goes to the network. */
function resolverFor(records: Record<string, string>) {
  const asked: string[] = []
  const resolver = async (name: string, type: string) => {
    asked.push(`${type} ${name}`)
    const txt = records[name.toLowerCase()]
    if (type === 'TXT' && txt) return [[txt]]
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
  }
  return { resolver, asked }
}

async function verify(raw: Buffer, records: Record<string, string> = { 'suivi._domainkey.suivi.test': publicRecord }) {
  const { resolver, asked } = resolverFor(records)
  const { results } = await dkimVerify(raw, { resolver: resolver as never })
  return { results, asked }
}

describe('DKIM signing of outgoing mail', () => {
  let app: TestApp
  let smtp: SmtpCapture
  let dir: string
  const transports: MailTransport[] = []
  const time = testClock()
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'suivi-dkim-'))
    app = await startTestApp({}, { clock: time.clock })
    smtp = await startSmtpCapture()
  })
  afterAll(async () => {
    for (const t of transports) t.close()
    await smtp?.stop()
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function sendWith(env: Record<string, string>) {
    smtp.messages.length = 0
    await prisma().outboxEmail.deleteMany()
    const config = loadConfig({ MAIL_FROM: FROM, SMTP_URL: smtp.url, ...env })
    const transport = createSmtpTransport(config.smtpUrl, { dkim: config.dkim })!
    transports.push(transport)
    const sha = 'a'.repeat(64)
    await prisma().blob.upsert({ where: { sha256: sha }, create: { sha256: sha, size: PNG.length, data: new Uint8Array(PNG) }, update: {} })
    await prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', {
        kind: 'agent_reply',
        to: 'casey@example.com',
        toName: 'Casey Çustomer',
        subject: '[#12] Where is my parcel? — déjà vu',
        html: '<p>Hello Casey,</p><p><img src="cid:label@suivi.test" alt="label"></p>',
        text: 'Hello Casey,\n\n[image: label]\n',
        headers: { 'In-Reply-To': '<c1@customer.example>', References: '<c1@customer.example>', 'Reply-To': 'support+c12-0123456789abcdef@suivi.test' },
        attachments: [{ blobSha256: sha, fileName: 'label.png', mimeType: 'image/png', contentId: 'label@suivi.test' }],
      }),
    )
    expect(await deliverDueEmails({ prisma: prisma(), transport, clock: time.clock, logger: app.ctx.logger, from: FROM })).toEqual({
      sent: 1,
      failed: 0,
      retried: 0,
    })
    const [received] = await smtp.waitFor(1)
    return received!
  }

  it('signs with the key from the environment; a verifier given the published key finds the signature valid', async () => {
    const received = await sendWith({ DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY: privatePem.replace(/\n/g, '\\n') })
    expect(received.raw.toString('latin1')).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=suivi\.test;/m)
    const { results, asked } = await verify(received.raw)
    expect(results).toHaveLength(1)
    expect(results[0]).toMatchObject({ signingDomain: 'suivi.test', selector: 'suivi', status: { result: 'pass', aligned: 'suivi.test' } })
    // The signature covers the headers that matter to the reader and to threading.
    const signature = /^DKIM-Signature:[^]*?(?=\r\n\S)/m.exec(received.raw.toString('latin1'))![0].replace(/\r\n\s+/g, '')
    const signed = /\bh=([^;]+)/.exec(signature)![1]!.toLowerCase().split(':')
    for (const header of ['from', 'to', 'subject', 'date', 'message-id', 'reply-to', 'in-reply-to', 'references', 'mime-version', 'content-type'])
      expect(signed, header).toContain(header)
    expect(asked).toEqual(['TXT suivi._domainkey.suivi.test'])
  })

  it('the verifier is not fooled: a changed body or another key fails', async () => {
    const received = await sendWith({ DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY: privatePem })
    const tampered = Buffer.from(received.raw.toString('latin1').replace('Hello Casey', 'Hello Eve!!'), 'latin1')
    // RFC 6376 §3.7: a body that no longer matches its hash makes the signature count for nothing.
    expect((await verify(tampered)).results[0]!.status).toMatchObject({ result: 'neutral', comment: expect.stringMatching(/body hash did not verify/) })
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    expect((await verify(received.raw, { 'suivi._domainkey.suivi.test': `v=DKIM1; k=rsa; p=${other}` })).results[0]!.status.result).toBe('fail')
  })

  it('signs for DKIM_DOMAIN when set, with a key from DKIM_PRIVATE_KEY_FILE', async () => {
    const keyFile = path.join(dir, 'dkim.pem')
    writeFileSync(keyFile, privatePem)
    const received = await sendWith({ DKIM_SELECTOR: '2027', DKIM_DOMAIN: 'Mail.Suivi.test', DKIM_PRIVATE_KEY_FILE: keyFile })
    const { results } = await verify(received.raw, { '2027._domainkey.mail.suivi.test': publicRecord })
    // Relaxed alignment: mail.suivi.test signs for MAIL_FROM's suivi.test.
    expect(results[0]).toMatchObject({ signingDomain: 'mail.suivi.test', selector: '2027', status: { result: 'pass' } })
  })

  it('sends unsigned mail when DKIM is not configured', async () => {
    const received = await sendWith({})
    expect(received.raw.toString('latin1')).not.toMatch(/^DKIM-Signature:/im)
  })

  it('the running app signs what its outbox worker sends', async () => {
    const keyFile = path.join(dir, 'app.pem')
    writeFileSync(keyFile, privatePem)
    smtp.messages.length = 0
    const signing = await startTestApp({ MAIL_FROM: FROM, SMTP_URL: smtp.url, DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY_FILE: keyFile })
    try {
      const admin = await buildAgent(signing.ctx.db.prisma, { role: 'admin' })
      await inviteAgent(signing.ctx.domain, admin, { name: 'Dee Kim', email: 'dee@example.test', role: 'agent' })
      const [received] = await smtp.waitFor(1, 10_000)
      expect((await verify(received!.raw)).results[0]).toMatchObject({ signingDomain: 'suivi.test', status: { result: 'pass' } })
    } finally {
      await signing.close()
    }
  })

  it('refuses to start with a DKIM setting it cannot use, naming it', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const cases: [Record<string, string>, RegExp][] = [
      [{ DKIM_SELECTOR: 'suivi' }, /DKIM_PRIVATE_KEY: required/],
      [{ DKIM_PRIVATE_KEY: privatePem }, /DKIM_SELECTOR: required/],
      [{ DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY: 'not a key' }, /DKIM_PRIVATE_KEY: not a readable private key/],
      [{ DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY: ec }, /DKIM_PRIVATE_KEY: must be an RSA key/],
      [{ DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY_FILE: path.join(dir, 'missing.pem') }, /DKIM_PRIVATE_KEY_FILE: cannot read/],
      [
        { DKIM_SELECTOR: 'suivi', DKIM_PRIVATE_KEY: privatePem, DKIM_PRIVATE_KEY_FILE: path.join(dir, 'dkim.pem') },
        /either DKIM_PRIVATE_KEY or DKIM_PRIVATE_KEY_FILE/,
      ],
      [{ DKIM_SELECTOR: 'bad selector!', DKIM_PRIVATE_KEY: privatePem }, /DKIM_SELECTOR/],
      [{ DKIM_DOMAIN: 'suivi.test' }, /DKIM_DOMAIN: DKIM also needs/],
    ]
    for (const [env, message] of cases) {
      expect(() => loadConfig({ MAIL_FROM: FROM, ...env }), JSON.stringify(Object.keys(env))).toThrowError(message)
      expect(() => loadConfig({ MAIL_FROM: FROM, ...env })).toThrowError(ConfigError)
    }
    expect(loadConfig({ MAIL_FROM: FROM }).dkim).toBeNull()
  })
})
