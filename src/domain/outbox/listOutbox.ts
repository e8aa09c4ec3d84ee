import type { OutboxStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, INSTANCE } from '../policy.ts'

export type { OutboxStatus }

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const satisfies readonly OutboxStatus[]

export const OUTBOX_PAGE_SIZE = 100

export interface OutboxListInput {
  status?: OutboxStatus
  /** Keyset cursor: only e-mails older (lower id) than this one. */
  before?: number
}

/**
 * One page of the outbox, newest first, with how many e-mails are in each status (the filter
 * tabs); for administrators.
 */
export async function listOutbox(ctx: QueryContext, admin: Actor, input: OutboxListInput) {
  authorize(admin, 'administer', INSTANCE)
  const [rows, grouped] = await Promise.all([
    ctx.prisma.outboxEmail.findMany({
      where: { ...(input.status ? { status: input.status } : {}), ...(input.before ? { id: { lt: input.before } } : {}) },
      orderBy: { id: 'desc' },
      take: OUTBOX_PAGE_SIZE + 1,
      select: {
        id: true,
        kind: true,
        toAddress: true,
        subject: true,
        status: true,
        attempts: true,
        nextAttemptAt: true,
        sentAt: true,
        createdAt: true,
        lastError: true,
      },
    }),
    ctx.prisma.outboxEmail.groupBy({ by: ['status'], _count: { _all: true } }),
  ])
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>
  for (const g of grouped) counts[g.status] = g._count._all
  const page = rows.slice(0, OUTBOX_PAGE_SIZE)
  return { rows: page, counts, olderBefore: rows.length > OUTBOX_PAGE_SIZE ? page.at(-1)!.id : null }
}

export type OutboxPage = Awaited<ReturnType<typeof listOutbox>>
