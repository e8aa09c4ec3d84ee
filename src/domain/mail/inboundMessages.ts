import type { InboundStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { authorize, INSTANCE } from '../policy.ts'

// Received e-mail as stored, for administrators: what failed and why, and the raw message.

export const INBOUND_STATUSES = ['received', 'processed', 'failed'] as const satisfies readonly InboundStatus[]

const LIST_SIZE = 100

/** The latest received e-mails (all, or those in one status), with how many are in each status. */
export async function listInboundMessages(ctx: QueryContext, admin: Actor, input: { status?: InboundStatus }) {
  authorize(admin, 'administer', INSTANCE)
  const [rows, grouped] = await Promise.all([
    ctx.prisma.inboundMessage.findMany({
      where: input.status ? { status: input.status } : {},
      orderBy: { id: 'desc' },
      take: LIST_SIZE,
      select: {
        id: true,
        source: true,
        size: true,
        envelopeFrom: true,
        subject: true,
        status: true,
        error: true,
        note: true,
        receivedAt: true,
        conversation: { select: { number: true } },
      },
    }),
    ctx.prisma.inboundMessage.groupBy({ by: ['status'], _count: { _all: true } }),
  ])
  const counts: Partial<Record<InboundStatus, number>> = Object.fromEntries(grouped.map((g) => [g.status, g._count._all]))
  return { rows, counts }
}

/** The message exactly as it was received (RFC 5322 bytes). */
export async function getRawInboundMessage(ctx: QueryContext, admin: Actor, id: number): Promise<Buffer> {
  authorize(admin, 'administer', INSTANCE)
  const row = await ctx.prisma.inboundMessage.findUnique({ where: { id }, select: { raw: true } })
  if (!row) throw new NotFoundError()
  return Buffer.from(row.raw)
}

/** A stored e-mail's id and status, before it is processed again. */
export async function findInboundMessage(ctx: QueryContext, admin: Actor, id: number) {
  authorize(admin, 'administer', INSTANCE)
  const row = await ctx.prisma.inboundMessage.findUnique({ where: { id }, select: { id: true, status: true } })
  if (!row) throw new NotFoundError()
  return row
}
