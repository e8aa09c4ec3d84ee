import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { ForbiddenError, NotFoundError } from '../../../src/domain/errors.ts'
import { retryEmail, retryFailedEmails } from '../../../src/domain/outbox/retryOutbox.ts'
import { buildAgent, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('retrying outbox e-mails', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    agent = await buildAgent(ctx.prisma, { name: 'Bob' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const email = (status: 'queued' | 'sending' | 'sent' | 'failed') =>
    ctx.prisma.outboxEmail.create({
      data: {
        kind: 'notification',
        messageId: `<${randomUUID()}@suivi.test>`,
        toAddress: 'casey@example.com',
        subject: 'Hello',
        html: '<p>Hello</p>',
        text: 'Hello',
        status,
        attempts: 8,
        lastError: 'refused',
      },
    })
  const audits = (targetId?: string) =>
    ctx.prisma.auditEvent.findMany({ where: { action: 'outbox.retried', ...(targetId ? { targetId } : {}) }, orderBy: { id: 'asc' } })

  it('queues one failed e-mail again from its first attempt, with an audit entry', async () => {
    const failed = await email('failed')
    expect(await retryEmail(ctx, admin, { id: failed.id })).toEqual({ retried: true })
    expect(await ctx.prisma.outboxEmail.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({
      status: 'queued',
      attempts: 0,
      nextAttemptAt: time.clock(),
      lockedUntil: null,
    })
    expect(await audits(String(failed.id))).toMatchObject([{ actorAgentId: admin.id, targetType: 'outbox' }])
  })

  it('leaves an e-mail already sent, or being sent, as it is and says which', async () => {
    const sent = await email('sent')
    const sending = await email('sending')
    expect(await retryEmail(ctx, admin, { id: sent.id })).toEqual({ retried: false, status: 'sent' })
    expect(await retryEmail(ctx, admin, { id: sending.id })).toEqual({ retried: false, status: 'sending' })
    expect((await ctx.prisma.outboxEmail.findUniqueOrThrow({ where: { id: sent.id } })).status).toBe('sent')
    expect(await audits(String(sent.id))).toHaveLength(0)
    await expect(retryEmail(ctx, admin, { id: 999_999 })).rejects.toBeInstanceOf(NotFoundError)
  })

  it('queues every failed e-mail again with one audit entry naming how many', async () => {
    await Promise.all([email('failed'), email('failed')])
    const failed = await ctx.prisma.outboxEmail.count({ where: { status: 'failed' } })
    expect(await retryFailedEmails(ctx, admin)).toBe(failed)
    expect(await ctx.prisma.outboxEmail.count({ where: { status: 'failed' } })).toBe(0)
    expect((await audits()).at(-1)).toMatchObject({ actorAgentId: admin.id, targetId: null, data: { failed } })
    // Nothing left to retry: nothing audited.
    const before = (await audits()).length
    expect(await retryFailedEmails(ctx, admin)).toBe(0)
    expect(await audits()).toHaveLength(before)
  })

  it('is for administrators only', async () => {
    const failed = await email('failed')
    await expect(retryEmail(ctx, agent, { id: failed.id })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(retryFailedEmails(ctx, agent)).rejects.toBeInstanceOf(ForbiddenError)
    expect((await ctx.prisma.outboxEmail.findUniqueOrThrow({ where: { id: failed.id } })).status).toBe('failed')
  })
})
