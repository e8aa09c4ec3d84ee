import nodemailer from 'nodemailer'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processInboundMessage, receiveRawMessage, storeRawMessage } from '../../../src/mail/inbound/intake.ts'
import { countQueries, formatStatements, type CapturedStatement } from '../../helpers/queryCounter.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

/**
 * One intake path for every way in: the SMTP listener, POST /inbound/raw and receiveRawMessage
 * called directly (tests, the fuzzer, tools) write a message's inbound row the same number of
 * times, counted as statements on the wire. Fewer writes mean fewer round trips and dead tuples
 * per e-mail; the claim that keeps two instances apart and lets the recovery take over after a
 * crash rides on the insert.
 */
const INBOUND_SECRET = 'inbound-secret-for-the-writes-test-0123'
const WRITE = /^\s*(INSERT\s+INTO|UPDATE)\s+("public"\.)?"?inbound_messages"?\s/i

let seq = 0
function email(subject: string) {
  seq++
  return Buffer.from(
    [`From: Lin <lin${seq}@customer.example>`, 'To: help@acme.example', `Subject: ${subject}`, 'Date: Tue, 01 Dec 2026 10:00:00 +0000', `Message-ID: <writes-${seq}@customer.example>`, '', `Text ${seq}`, ''].join('\r\n'),
  )
}

const writes = (statements: CapturedStatement[]) => statements.filter((s) => WRITE.test(s.text))

describe('writes to the inbound row of one e-mail', () => {
  let app: TestApp
  const figures: string[] = []
  beforeAll(async () => {
    app = await startTestApp({ MAIL_FROM: 'Acme Support <help@acme.example>', INBOUND_SECRET })
  })
  afterAll(async () => {
    if (figures.length) console.log(`[intake writes] ${figures.join('; ')}`)
    await app?.close()
  })

  async function counted(label: string, fn: () => Promise<unknown>) {
    const { statements } = await countQueries(app, fn)
    const found = writes(statements)
    figures.push(`${label}: ${found.length}`)
    return { count: found.length, listing: formatStatements(found) }
  }

  it('over SMTP: the insert (claimed) and the outcome', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true })
    const { count, listing } = await counted('SMTP listener', async () => {
      await transport.sendMail({ envelope: { from: 'lin@customer.example', to: ['help@acme.example'] }, raw: email('Over SMTP') })
      await app.ctx.intake.drain()
    })
    transport.close()
    expect(await app.ctx.db.prisma.inboundMessage.findFirstOrThrow({ where: { subject: 'Over SMTP' } })).toMatchObject({ status: 'processed', attempts: 1, claimedAt: null })
    expect(count, listing).toBe(2)
  })

  it('over POST /inbound/raw: the same two', async () => {
    const { count, listing } = await counted('HTTP raw endpoint', async () => {
      const res = await request(app.url).post('/inbound/raw').set('Authorization', `Bearer ${INBOUND_SECRET}`).type('message/rfc822').send(email('Over HTTP'))
      expect(res.status).toBe(202)
      await app.ctx.intake.drain()
    })
    expect(await app.ctx.db.prisma.inboundMessage.findFirstOrThrow({ where: { subject: 'Over HTTP' } })).toMatchObject({ status: 'processed', attempts: 1, claimedAt: null })
    expect(count, listing).toBe(2)
  })

  it('through receiveRawMessage, as tests and tools call it: the same two', async () => {
    const { count, listing } = await counted('receiveRawMessage', async () => {
      const { outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw: email('Called directly'), envelopeTo: ['help@acme.example'] })
      expect(outcome.status).toBe('processed')
    })
    expect(count, listing).toBe(2)
  })

  it('a row stored before a crash, taken by the recovery: the claim and the outcome', async () => {
    const id = await storeRawMessage(app.ctx.db.prisma, { source: 'smtp', raw: email('After a crash'), envelopeTo: ['help@acme.example'] })
    const { count, listing } = await counted('recovery of a stored row', async () => {
      expect((await processInboundMessage(app.ctx.domain, id)).status).toBe('processed')
    })
    expect(count, listing).toBe(2)
  })
})
