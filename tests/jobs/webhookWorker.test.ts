import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { addInternalComment } from '../../src/domain/conversations/commands/addInternalComment.ts'
import { setConversationStatus } from '../../src/domain/conversations/commands/setConversationStatus.ts'
import { updateSettings } from '../../src/domain/settings/updateSettings.ts'
import { RETRY_DELAYS_MS, RETRY_WINDOW_MS } from '../../src/domain/webhooks/deliver.ts'
import { createWebhookEndpoint, deleteWebhookEndpoint, sendWebhookTest } from '../../src/domain/webhooks/endpoints.ts'
import { redeliverWebhook } from '../../src/domain/webhooks/deliveries.ts'
import { until } from '../helpers/childProcess.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'
import { closedPort, startReceiver, type Receiver } from '../domain/webhooks/receiver.ts'

describe('webhook deliveries from the event log to a real receiver', () => {
  let app: TestApp
  let admin: Actor
  let folderId: number
  // Near the real time, so that receivers accept the signatures' timestamps (5 minutes' tolerance).
  const time = testClock(new Date())
  const receivers: Receiver[] = []
  const endpoints: number[] = []

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
    folderId = (await buildFolder(app.ctx.db.prisma)).id
    await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: true })
  })
  afterEach(async () => {
    // Each test has its endpoint: it must not hear the next test's events.
    for (const id of endpoints.splice(0)) await deleteWebhookEndpoint(app.ctx.domain, admin, { endpointId: id }).catch(() => {})
    for (const r of receivers.splice(0)) await r.close()
  })
  afterAll(async () => {
    await app?.close()
  })

  const receiver = async (port?: number) => {
    const r = await startReceiver(port)
    receivers.push(r)
    return r
  }
  const endpoint = async (url: string, events: string[] = []) => {
    const e = await createWebhookEndpoint(app.ctx.domain, admin, { url, events })
    endpoints.push(e.id)
    return e
  }
  const deliveriesOf = (endpointId: number) =>
    app.ctx.db.prisma.webhookDelivery.findMany({ where: { endpointId }, orderBy: { id: 'asc' }, include: { log: { orderBy: { at: 'asc' } } } })

  it('signs each delivery so that the standardwebhooks library verifies it, in the Standard Webhooks shape', async () => {
    const r = await receiver()
    const e = await endpoint(`${r.url}/hooks`)
    r.secret = e.secret
    expect(e.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const c = await buildConversation(app.ctx.domain, admin, { folderId })
    await addInternalComment(app.ctx.domain, admin, { conversationId: c.id, text: 'Checked the parcel tracking.' })
    await until('two deliveries', async () => r.received.length >= 2)
    expect(r.received.map((x) => x.payload.type)).toEqual(['conversation.created', 'comment.added'])
    for (const x of r.received) {
      expect(x.verified, x.verifyError ?? '').toBe(true)
      expect(x.path).toBe('/hooks')
      expect(x.headers['content-type']).toBe('application/json')
      expect(x.headers['webhook-id']).toMatch(new RegExp(`^msg_\\d+_${e.id}$`))
    }
    const comment = r.received[1]!.payload
    expect(comment).toMatchObject({
      type: 'comment.added',
      data: { conversation: { id: c.id, number: c.number }, folderId, actor: { type: 'agent', id: admin.id }, details: { messageId: expect.any(Number) } },
    })
    expect(new Date(comment.timestamp).toISOString()).toBe(comment.timestamp)
    expect(r.received[1]!.headers['webhook-id']).toBe(`msg_${comment.data.position}_${e.id}`)
    // A tampered body does not verify: the check is real.
    r.secret = e.secret.replace(/^whsec_./, 'whsec_A')
    await sendWebhookTest(app.ctx.domain, admin, { endpointId: e.id })
    await until('the test event', async () => r.received.length >= 3)
    expect(r.received[2]!.payload.type).toBe('webhook.test')
    expect(r.received[2]!.verified).toBe(false)
    await until('the attempts recorded', async () => (await deliveriesOf(e.id)).every((d) => d.status === 'delivered'))
    const rows = await deliveriesOf(e.id)
    expect(rows).toHaveLength(3)
    expect(rows[0]!.log[0]).toMatchObject({ statusCode: 204, error: null })
    // The log keeps the headers sent, never the secret.
    expect(JSON.stringify(rows[0]!.log[0]!.request)).toContain('webhook-signature')
    expect(JSON.stringify(rows.flatMap((d) => d.log.map((a) => [a.request, a.responseBody])))).not.toContain(e.secret.slice(6))
  })

  it('sends only the events an endpoint chose', async () => {
    const r = await receiver()
    await endpoint(r.url, ['status.changed'])
    const c = await buildConversation(app.ctx.domain, admin, { folderId })
    await setConversationStatus(app.ctx.domain, admin, { conversationId: c.id, status: 'closed' })
    await until('the status change', async () => r.received.length >= 1)
    await new Promise((res) => setTimeout(res, 1500))
    expect(r.received.map((x) => x.payload.type)).toEqual(['status.changed'])
    expect(r.received[0]!.payload.data.details).toMatchObject({ to: 'closed' })
  })

  it('does not follow a redirect: a 302 is a failed attempt, and the target is never called', async () => {
    const target = await receiver()
    const r = await receiver()
    r.answer = () => ({ status: 302, headers: { location: `${target.url}/elsewhere` } })
    const e = await endpoint(r.url)
    await sendWebhookTest(app.ctx.domain, admin, { endpointId: e.id })
    await until('a failed attempt', async () => (await deliveriesOf(e.id))[0]?.log.length === 1)
    const [d] = await deliveriesOf(e.id)
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 302, lastError: 'HTTP 302' })
    expect(d!.nextAttemptAt.getTime() - d!.log[0]!.at.getTime()).toBe(RETRY_DELAYS_MS[0])
    expect(target.received).toHaveLength(0)
  })

  it('keeps a delivery while the receiver is down for minutes and delivers it once it is up, every attempt logged', async () => {
    const port = await closedPort()
    const e = await endpoint(`http://127.0.0.1:${port}/in`)
    const c = await buildConversation(app.ctx.domain, admin, { folderId })
    const attempted = (n: number) => until(`attempt ${n}`, async () => (await deliveriesOf(e.id))[0]?.attempts === n)
    await attempted(1)
    let [d] = await deliveriesOf(e.id)
    expect(d).toMatchObject({ status: 'pending', eventType: 'conversation.created', conversationId: c.id, lastStatusCode: null })
    expect(d!.log[0]!.error).toMatch(/ECONNREFUSED/)
    // Still down after 5 s and after 5 min more.
    time.advance(RETRY_DELAYS_MS[0])
    await attempted(2)
    time.advance(RETRY_DELAYS_MS[1])
    await attempted(3)
    // (Signatures are not checked here: the clock is now half an hour ahead of the receiver's.)
    const r = await receiver(port)
    // Up now, but nothing is sent before its time…
    await new Promise((res) => setTimeout(res, 1200))
    expect(r.received).toHaveLength(0)
    // …and it goes once the back-off has passed (half an hour later).
    time.advance(RETRY_DELAYS_MS[2])
    await until('the delivery', async () => r.received.length === 1)
    await until('the delivery recorded', async () => (await deliveriesOf(e.id))[0]?.status === 'delivered')
    ;[d] = await deliveriesOf(e.id)
    expect(d!.attempts).toBe(4)
    expect(d!.log.map((a) => a.statusCode)).toEqual([null, null, null, 204])
    expect(r.received[0]!.headers['webhook-id']).toBe(d!.messageId)
  })

  it('delivers the events of a conversation in their order, even when the first needs a retry', async () => {
    const r = await receiver()
    // The first request fails: the rest of that conversation waits behind it.
    r.answer = (_req, n) => ({ status: n === 1 ? 500 : 200 })
    const e = await endpoint(r.url)
    const c = await buildConversation(app.ctx.domain, admin, { folderId })
    for (let i = 1; i <= 4; i++) await addInternalComment(app.ctx.domain, admin, { conversationId: c.id, text: `Note ${i}` })
    await until('the first attempt', async () => r.received.length >= 1)
    await until('five deliveries queued', async () => (await deliveriesOf(e.id)).length === 5)
    await new Promise((res) => setTimeout(res, 1200))
    expect(r.received, 'nothing of the conversation overtakes its first event').toHaveLength(1)
    time.advance(RETRY_DELAYS_MS[0])
    await until('every delivery', async () => r.received.length >= 6)
    const positions = r.received.map((x) => x.payload.data.position)
    expect(positions[0]).toBe(positions[1]) // the retry
    const delivered = positions.slice(1)
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b))
    expect(r.received.slice(1).map((x) => x.payload.type)).toEqual(['conversation.created', ...Array(4).fill('comment.added')])
  })

  it('refuses at send time an address the setting no longer allows', async () => {
    const r = await receiver()
    const e = await endpoint(r.url)
    await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: false })
    try {
      await sendWebhookTest(app.ctx.domain, admin, { endpointId: e.id })
      await until('a refused attempt', async () => (await deliveriesOf(e.id))[0]?.attempts === 1)
      const [d] = await deliveriesOf(e.id)
      expect(d!.log[0]!.error).toMatch(/127\.0\.0\.1 is a loopback address/)
      expect(r.received).toHaveLength(0)
    } finally {
      await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: true })
    }
  })

  // Moves the clock a day on: last, since later signatures would be a day off the real time.
  it('gives up after a day of failures, turns the endpoint off and e-mails the admins; the deliveries stay', async () => {
    const r = await receiver()
    r.answer = () => ({ status: 503, body: 'x'.repeat(5000) })
    const e = await endpoint(r.url)
    const c = await buildConversation(app.ctx.domain, admin, { folderId })
    await until('the first attempt', async () => (await deliveriesOf(e.id))[0]?.attempts === 1)
    const first = (await deliveriesOf(e.id))[0]!.log[0]!.at
    // A second event of the conversation waits behind the first.
    await addInternalComment(app.ctx.domain, admin, { conversationId: c.id, text: 'Still waiting' })
    await until('the second delivery queued', async () => (await deliveriesOf(e.id)).length === 2)
    for (let attempt = 1; ; attempt++) {
      const [d] = await deliveriesOf(e.id)
      if (d!.status !== 'pending') break
      expect(attempt).toBeLessThan(12)
      time.set(d!.nextAttemptAt)
      await until(`attempt ${attempt + 1}`, async () => {
        const [x] = await deliveriesOf(e.id)
        return x!.attempts > attempt || x!.status !== 'pending'
      })
    }
    const [failed, waiting] = await deliveriesOf(e.id)
    expect(failed).toMatchObject({ status: 'failed', lastStatusCode: 503 })
    // At once, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, and the last at 24 h.
    expect(failed!.log.map((a) => a.at.getTime() - first.getTime())).toEqual([0, 5_000, 305_000, 2_105_000, 9_305_000, 27_305_000, 63_305_000, RETRY_WINDOW_MS])
    expect(failed!.log[0]!.responseBody).toHaveLength(2048)
    expect(waiting, 'kept for when the endpoint is on again').toMatchObject({ status: 'pending', attempts: 0 })
    const off = await app.ctx.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: e.id } })
    expect(off).toMatchObject({ active: false, disabledReason: 'failures' })
    const mail = await app.ctx.db.prisma.outboxEmail.findMany({ where: { toAddress: admin.email } })
    expect(mail).toHaveLength(1)
    expect(mail[0]!.subject).toContain(e.url)
    expect(mail[0]!.text).toContain(`/settings/webhooks/${e.id}`)
    // Off: nothing more is sent.
    const before = r.received.length
    time.advance(RETRY_WINDOW_MS)
    await new Promise((res) => setTimeout(res, 1500))
    expect(r.received).toHaveLength(before)
  })

  it('keeps a redelivery asked while an attempt is in flight: the late attempt is logged, not allowed to overwrite it', async () => {
    const r = await receiver()
    let slow = true
    r.answer = () => (slow ? { status: 500, delayMs: 1500 } : { status: 204 })
    const e = await endpoint(`${r.url}/slow`)
    await sendWebhookTest(app.ctx.domain, admin, { endpointId: e.id })
    await until('the slow attempt under way', async () => r.received.length >= 1)
    const [d] = await deliveriesOf(e.id)
    slow = false
    await redeliverWebhook(app.ctx.domain, admin, { endpointId: e.id, deliveryId: String(d!.id) })
    await until('delivered after the redelivery', async () => (await deliveriesOf(e.id))[0]!.status === 'delivered')
    await new Promise((res) => setTimeout(res, 2000)) // the slow attempt's answer has come and been recorded
    const [after] = await deliveriesOf(e.id)
    expect(after!.status).toBe('delivered')
    expect(after!.log.map((a) => a.statusCode).sort()).toEqual([204, 500])
  })
})
