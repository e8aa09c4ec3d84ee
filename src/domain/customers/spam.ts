import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { parseId } from '../input.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { unblockCustomer } from './blockCustomer.ts'
import { findCustomerByAddress } from './findOrCreateCustomer.ts'

/**
 * Mail from blocked senders (InboundMessage status `blocked`): kept with its raw bytes, started
 * no conversation and was not acknowledged. Only admins see it: a held e-mail belongs to no
 * conversation, so no folder's agents can be said to own it.
 */

const SPAM_PAGE = 100

/** The blocked customer an address belongs to (through merges), or null: the intake holds their mail. */
export async function blockedSender(prisma: Prisma, address: string): Promise<{ id: number; email: string } | null> {
  const customer = await findCustomerByAddress(prisma, address)
  return customer?.blockedAt ? { id: customer.id, email: customer.email } : null
}

/** The note of a held e-mail: the sender's address first, so that "Not spam" finds them again. */
export function heldNote(address: string, customerId: number): string {
  return `held as spam: from <${address}>, a blocked sender (customer #${customerId}); no conversation, no acknowledgement`
}

/** The sender's address written by heldNote, else null. */
export function heldSender(note: string | null): string | null {
  return /^held as spam: from <([^<>\s]+)>/.exec(note ?? '')?.[1] ?? null
}

/** The latest held e-mails, newest first. */
export async function listHeldMessages(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  const [rows, total] = await Promise.all([
    ctx.prisma.inboundMessage.findMany({
      where: { status: 'blocked' },
      orderBy: { id: 'desc' },
      take: SPAM_PAGE,
      select: { id: true, subject: true, size: true, receivedAt: true, note: true, envelopeFrom: true },
    }),
    ctx.prisma.inboundMessage.count({ where: { status: 'blocked' } }),
  ])
  return { rows: rows.map(({ note, envelopeFrom, ...r }) => ({ ...r, from: heldSender(note) ?? envelopeFrom ?? '' })), total }
}

/**
 * "Not spam": the sender of a held e-mail is unblocked (recorded as such). The caller then takes
 * the e-mail through the intake again, which now makes a conversation of it.
 */
export async function markNotSpam(ctx: DomainContext, admin: Actor, input: { inboundId: unknown }) {
  authorize(admin, 'administer', INSTANCE)
  const inboundId = parseId(input.inboundId, 'spam.error.notFound')
  const row = await ctx.prisma.inboundMessage.findFirst({ where: { id: inboundId, status: 'blocked' }, select: { id: true, note: true } })
  if (!row) throw new NotFoundError('spam.error.notFound')
  const address = heldSender(row.note)
  const customer = address ? await findCustomerByAddress(ctx.prisma, address) : null
  if (customer?.blockedAt) await unblockCustomer(ctx, admin, { customerId: customer.id, inboundId })
  return { inboundId, customerId: customer?.id ?? null }
}
