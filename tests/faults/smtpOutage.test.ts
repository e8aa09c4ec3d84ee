import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { retryDelayMs } from '../../src/mail/outbound/delivery.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/**
 * Reliability §1: the outgoing SMTP server is down for a while. Replies written meanwhile wait in
 * the outbox, are retried with back-off (the app's clock is moved, not waited for), and once the
 * server is back every e-mail arrives exactly once, counted by Message-ID at the server.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const SECOND = 1000

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, state?: () => Promise<unknown>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${state ? `; state: ${JSON.stringify(await state())}` : ''}`)
    await sleep(100)
  }
}

describe('outgoing SMTP server down for a while', () => {
  // Real time plus an offset the test moves forward: rows are first due at the database's now(),
  // so the app's clock must keep up with real time, and jump ahead to pass a back-off.
  let offset = 0
  const time = { clock: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) }
  let capture: SmtpCapture
  let app: TestApp
  let agent: Actor
  let folderId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    capture = await startSmtpCapture()
    app = await startTestApp({ SMTP_URL: capture.url, MAIL_FROM: 'Acme Support <help@acme.example>' }, { clock: time.clock })
    agent = await buildAgent(prisma(), { role: 'admin', name: 'Olga Outage' })
    folderId = (await buildFolder(prisma(), 'Outage')).id
  })
  afterAll(async () => {
    await app?.close()
    await capture?.stop()
  })

  /** `count` conversations recorded by the agent, each answered once: one agent_reply e-mail each. */
  async function replies(count: number, label: string): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const conversation = await buildConversation(app.ctx.domain, agent, {
        folderId,
        customerEmail: `${label}-${i}@customer.example`,
        subject: `${label} ${i}`,
      })
      const { message } = await replyAsAgent(app.ctx.domain, agent, { conversationId: conversation.id, text: `Answer ${label} ${i}` })
      ids.push(message.emailMessageId!)
    }
    return ids
  }

  /** What the rows look like, for a timeout's message. */
  const summary = (messageIds: string[]) => async () =>
    (await rowsOf(messageIds)).map((r) => ({
      id: r.id,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      lockedUntil: r.lockedUntil,
      lastError: r.lastError,
    }))
  const rowsOf = (messageIds: string[]) => prisma().outboxEmail.findMany({ where: { messageId: { in: messageIds } }, orderBy: { id: 'asc' } })

  it('retries with back-off while the server is down, then delivers every e-mail exactly once', async () => {
    await capture.stop()

    // 1. Replies written during the outage: each first attempt fails (connection refused).
    const t0 = time.clock().getTime()
    const first = await replies(12, 'early')
    await until(
      'every first attempt to fail',
      async () => {
        const rows = await rowsOf(first)
        return rows.length === first.length && rows.every((r) => r.status === 'queued' && r.attempts === 1 && r.lastError)
      },
      20_000,
      summary(first),
    )
    const t1 = time.clock().getTime()
    for (const r of await rowsOf(first)) {
      expect(r.lastError).toMatch(/ECONNREFUSED|connect/i)
      // Next attempt one back-off step (1 min) after the failure, as the app's clock tells it.
      const failedAt = r.nextAttemptAt.getTime() - retryDelayMs(1)
      expect(failedAt).toBeGreaterThanOrEqual(t0)
      expect(failedAt).toBeLessThanOrEqual(t1)
    }

    // Not retried before it is due: the worker polls every 2 s; give it a few polls.
    await sleep(4.5 * SECOND)
    expect((await rowsOf(first)).map((r) => r.attempts)).toEqual(first.map(() => 1))

    // 2. A minute later (by the app's clock) the second attempt fails too; the wait doubles.
    time.advance(retryDelayMs(1) + SECOND)
    const t1b = time.clock().getTime()
    await until('every second attempt to fail', async () => (await rowsOf(first)).every((r) => r.status === 'queued' && r.attempts === 2))
    const t2 = time.clock().getTime()
    for (const r of await rowsOf(first)) {
      const failedAt = r.nextAttemptAt.getTime() - retryDelayMs(2)
      expect(failedAt).toBeGreaterThanOrEqual(t1b)
      expect(failedAt).toBeLessThanOrEqual(t2)
    }

    // 3. More replies while it is still down.
    const second = await replies(8, 'late')
    await until('the late replies to fail once', async () => (await rowsOf(second)).every((r) => r.status === 'queued' && r.attempts === 1))
    expect(capture.messages).toHaveLength(0)

    // 4. The server is back, but nothing is due yet: the back-off is honoured.
    await capture.restart()
    await sleep(4.5 * SECOND)
    expect(capture.messages).toHaveLength(0)

    // 5. Once the back-off has passed, everything goes out.
    time.advance(retryDelayMs(2) + SECOND)
    const all = [...first, ...second]
    await capture.waitFor(all.length, 30_000)
    await until('every row to be recorded as sent', async () => (await rowsOf(all)).every((r) => r.status === 'sent'))
    // A few more polls: nothing is sent again.
    await sleep(4.5 * SECOND)

    const received = new Map<string, number>()
    for (const m of capture.messages) received.set(m.parsed.messageId!, (received.get(m.parsed.messageId!) ?? 0) + 1)
    expect(capture.messages).toHaveLength(all.length)
    expect([...received.keys()].sort()).toEqual([...all].sort())
    expect([...received.values()].every((n) => n === 1)).toBe(true)
    const rows = await rowsOf(all)
    expect(rows.filter((r) => first.includes(r.messageId)).map((r) => r.attempts)).toEqual(first.map(() => 3))
    expect(rows.filter((r) => second.includes(r.messageId)).map((r) => r.attempts)).toEqual(second.map(() => 2))
    expect(rows.every((r) => r.lastError === null && r.lockedUntil === null && r.sentAt)).toBe(true)
    // Each e-mail went to its own customer.
    for (const m of capture.messages) {
      const row = rows.find((r) => r.messageId === m.parsed.messageId)!
      expect(m.envelope.rcptTo).toEqual([row.toAddress])
    }
  }, 120_000)
})
