import nodemailer from 'nodemailer'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processInboundMessage, receiveRawMessage, storeRawMessage } from '../../../src/mail/inbound/intake.ts'
import { countQueries, formatStatements, type CapturedStatement } from '../../helpers/queryCounter.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/**
 * One intake path for every way in. The SMTP listener, POST /inbound/raw and receiveRawMessage
 * called directly (the tests, the fuzzer, the tools) send the same writes to a message's inbound
 * row, counted as statements on the wire: the insert, which claims the row for the worker that
 * processes it at once, and the outcome. The claim keeps two instances apart and lets the recovery
 * take a row over after a crash, without a write of its own.
 */
const INBOUND_SECRET = 'inbound-secret-for-the-writes-test-0123'
const WRITE = /^\s*(INSERT\s+INTO|UPDATE)\s+("public"\.)?"?inbound_messages"?\s/i

let seq = 0
function email(subject: string) {
  seq++
  return Buffer.from(
    [
      `From: Lin <lin${seq}@customer.example>`,
      'To: help@acme.example',
      `Subject: ${subject}`,
      'Date: Tue, 01 Dec 2026 10:00:00 +0000',
      `Message-ID: <writes-${seq}@customer.example>`,
      '',
      `Text ${seq}`,
      '',
    ].join('\r\n'),
  )
}

describe('writes to the inbound row of one e-mail', () => {
  let app: TestApp
  const figures: string[] = []
  /** The write statements (their SQL, without the values) of each way in. */
  const sent = new Map<string, string[]>()
  const prisma = () => app.ctx.db.prisma
  const post = (raw: Buffer) => request(app.url).post('/inbound/raw').set('Authorization', `Bearer ${INBOUND_SECRET}`).type('message/rfc822').send(raw)

  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>', INBOUND_SECRET })
  })
  afterAll(async () => {
    if (figures.length) console.log(`[intake writes] ${figures.join('; ')}`)
    await app?.close()
  })

  async function writesOf(label: string, fn: () => Promise<unknown>) {
    const { statements } = await countQueries(app, fn)
    const found = statements.filter((s: CapturedStatement) => WRITE.test(s.text))
    figures.push(`${label}: ${found.length}`)
    sent.set(
      label,
      found.map((s) => s.text),
    )
    return { count: found.length, listing: formatStatements(found) }
  }

  it('over SMTP: the insert (claimed) and the outcome', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true })
    const { count, listing } = await writesOf('SMTP listener', async () => {
      await transport.sendMail({ envelope: { from: 'lin@customer.example', to: ['help@acme.example'] }, raw: email('Over SMTP') })
      await app.ctx.intake.drain()
    })
    transport.close()
    expect(await prisma().inboundMessage.findFirstOrThrow({ where: { subject: 'Over SMTP' } })).toMatchObject({
      status: 'processed',
      attempts: 1,
      claimedAt: null,
    })
    expect(count, listing).toBe(2)
  })

  it('over POST /inbound/raw: the same two', async () => {
    const { count, listing } = await writesOf('HTTP raw endpoint', async () => {
      expect((await post(email('Over HTTP'))).status).toBe(202)
      await app.ctx.intake.drain()
    })
    expect(await prisma().inboundMessage.findFirstOrThrow({ where: { subject: 'Over HTTP' } })).toMatchObject({
      status: 'processed',
      attempts: 1,
      claimedAt: null,
    })
    expect(count, listing).toBe(2)
  })

  it('through receiveRawMessage, as the tests, the fuzzer and the tools call it: the very statements the listener and the endpoint send', async () => {
    const { count, listing } = await writesOf('receiveRawMessage', async () => {
      const { outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw: email('Called directly'), envelopeTo: ['help@acme.example'] })
      expect(outcome.status).toBe('processed')
    })
    expect(count, listing).toBe(2)
    expect(sent.get('receiveRawMessage')).toEqual(sent.get('SMTP listener'))
    expect(sent.get('receiveRawMessage')).toEqual(sent.get('HTTP raw endpoint'))
  })

  it('with every intake worker busy: stored unclaimed and queued, then claimed by the worker that takes it', async () => {
    const busy = [app.ctx.intake.reserveWorker(), app.ctx.intake.reserveWorker()]
    try {
      expect(busy.every(Boolean)).toBe(true)
      expect(app.ctx.intake.reserveWorker()).toBeNull()
      const { count, listing } = await writesOf('in line behind busy workers', async () => {
        const res = await post(email('In line'))
        expect(res.status).toBe(202)
        // Acknowledged and stored, taken by nobody yet: this process or another instance may take it.
        expect(await prisma().inboundMessage.findUniqueOrThrow({ where: { id: res.body.id } })).toMatchObject({
          status: 'received',
          claimedAt: null,
          attempts: 0,
        })
        for (const release of busy.splice(0)) release?.()
        await app.ctx.intake.drain()
      })
      expect(await prisma().inboundMessage.findFirstOrThrow({ where: { subject: 'In line' } })).toMatchObject({
        status: 'processed',
        attempts: 1,
        claimedAt: null,
      })
      expect(count, listing).toBe(3)
    } finally {
      for (const release of busy) release?.()
    }
  })

  it('a message over the size limit: one insert, already failed, never read', async () => {
    const raw = email('Too large')
    const { count, listing } = await writesOf('over the size limit', async () => {
      const { id, outcome } = await receiveRawMessage(app.ctx.domain, { source: 'imap', raw, envelopeTo: ['help@acme.example'] }, { maxBytes: raw.length - 1 })
      expect(outcome).toMatchObject({ status: 'failed', error: expect.stringMatching(/limit/) })
      expect(await prisma().inboundMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'failed', claimedAt: null, conversationId: null })
    })
    expect(count, listing).toBe(1)
  })

  it('a row stored before a crash, taken by the recovery: the claim and the outcome', async () => {
    const id = await storeRawMessage(prisma(), { source: 'smtp', raw: email('After a crash'), envelopeTo: ['help@acme.example'] })
    const { count, listing } = await writesOf('recovery of a stored row', async () => {
      expect((await processInboundMessage(app.ctx.domain, id)).status).toBe('processed')
    })
    expect(count, listing).toBe(2)
  })
})
