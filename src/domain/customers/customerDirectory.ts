import { createHash } from 'node:crypto'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { folderScope } from '../policy.ts'
import { getCustomerProfile } from './customerQueries.ts'

/**
 * Customers for the API, with the same visibility as the customer pages (those with a conversation
 * in the caller's folders; admins: all): a customer's conversations counted by status rather than
 * listed. The list is the pages' own (listCustomers, with the page size asked).
 */

export type ConversationCounts = Record<'new' | 'open' | 'pending' | 'closed', number> & { total: number }

/**
 * A customer's profile with their conversations (those the caller may read) counted by status.
 * A merged duplicate answers with the customer that took it in.
 */
export async function customerWithCounts(ctx: QueryContext, agent: Actor, customerId: unknown) {
  let profile = await getCustomerProfile(ctx, agent, { customerId })
  if (profile.mergedIntoId !== null) profile = await getCustomerProfile(ctx, agent, { customerId: profile.mergedIntoId })
  if (profile.mergedIntoId !== null) throw new NotFoundError('customers.error.notFound')
  const scope = await folderScope(ctx.prisma, agent)
  const groups = await ctx.prisma.conversation.groupBy({
    by: ['status'],
    where: { customerId: profile.customer.id, ...(scope === null ? {} : { folderId: { in: scope } }) },
    _count: { _all: true },
  })
  const counts: ConversationCounts = { total: 0, new: 0, open: 0, pending: 0, closed: 0 }
  for (const g of groups) {
    counts[g.status as keyof ConversationCounts] = g._count._all
    counts.total += g._count._all
  }
  return { customer: profile.customer, addresses: profile.addresses, conversations: counts }
}

/**
 * A customer's version, as the API's ETag: it changes with every field a client may change or
 * read as the customer's details (not with their conversations, which have versions of their own).
 */
export function customerVersion(c: {
  customer: { name: string; email: string; organisation: string; notes: string; blockedAt: Date | null; undeliverableAt: Date | null }
  addresses: { email: string }[]
}): string {
  const { name, email, organisation, notes, blockedAt, undeliverableAt } = c.customer
  const state = [name, email, organisation, notes, blockedAt?.toISOString() ?? null, undeliverableAt?.toISOString() ?? null, c.addresses.map((a) => a.email)]
  return createHash('sha256').update(JSON.stringify(state)).digest('base64url').slice(0, 27)
}
