import { forgetOutboxFailures } from '../../mail/outbound/outboxHealth.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { parseId } from '../input.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

// Attempts start again from zero, so a retried e-mail gets the full series of attempts (and
// back-off) instead of failing at its next error. The last error stays until the next attempt.
const queuedAgain = (now: Date) => ({ status: 'queued' as const, attempts: 0, nextAttemptAt: now, lockedUntil: null })

/** Queues every e-mail the outbox gave up on again; returns how many. Audited when there were any. */
export async function retryFailedEmails(ctx: DomainContext, admin: Actor): Promise<number> {
  authorize(admin, 'administer', INSTANCE)
  const now = ctx.clock()
  const count = await transaction(ctx, async (tx) => {
    const { count } = await tx.outboxEmail.updateMany({ where: { status: 'failed' }, data: queuedAgain(now) })
    if (count) await recordAdminEvent(tx, { type: 'outbox.retried', agentId: admin.id, at: now, target: { type: 'outbox' }, data: { failed: count } })
    return count
  })
  // The admins' warning counts failures: it must not keep showing those just retried.
  forgetOutboxFailures(ctx.prisma)
  return count
}

export type RetryOutcome = { retried: true } | { retried: false; status: 'sent' | 'sending' }

/**
 * Queues one e-mail again (a failed one, or a queued one now instead of at its next attempt).
 * One already sent, or being sent right now, stays as it is: the outcome says which.
 */
export async function retryEmail(ctx: DomainContext, admin: Actor, input: { id: unknown }): Promise<RetryOutcome> {
  authorize(admin, 'administer', INSTANCE)
  const id = parseId(input.id)
  const now = ctx.clock()
  const retried = await transaction(ctx, async (tx) => {
    const { count } = await tx.outboxEmail.updateMany({ where: { id, status: { in: ['failed', 'queued'] } }, data: queuedAgain(now) })
    if (count) await recordAdminEvent(tx, { type: 'outbox.retried', agentId: admin.id, at: now, target: { type: 'outbox', id: String(id) } })
    return count > 0
  })
  forgetOutboxFailures(ctx.prisma)
  if (retried) return { retried: true }
  const found = await ctx.prisma.outboxEmail.findUnique({ where: { id }, select: { status: true } })
  if (!found) throw new NotFoundError()
  return { retried: false, status: found.status === 'sent' ? 'sent' : 'sending' }
}
