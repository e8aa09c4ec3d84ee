import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { parseId } from '../input.ts'
import { folderScope } from '../policy.ts'
import { assertCustomerVisible, visibleCustomerWhere } from './customerAccess.ts'

export const CUSTOMERS_PAGE = 50
/** The conversations a profile lists (newest activity first). */
const PROFILE_CONVERSATIONS = 200

/**
 * The customers the agent may see (those with a conversation in their folders), newest first,
 * a page at a time (keyset on id), found by name, organisation or any of their addresses.
 * Merged duplicates are left out: they live on in the customer that took them in.
 */
export async function listCustomers(ctx: QueryContext, agent: Actor, input: { q?: string; before?: number; limit?: number }) {
  const limit = input.limit ?? CUSTOMERS_PAGE
  const scope = await folderScope(ctx.prisma, agent)
  const q = (input.q ?? '').trim().slice(0, 200)
  const contains = { contains: q, mode: 'insensitive' as const }
  const rows = await ctx.prisma.customer.findMany({
    where: {
      mergedIntoId: null,
      ...visibleCustomerWhere(scope),
      ...(input.before ? { id: { lt: input.before } } : {}),
      ...(q ? { OR: [{ name: contains }, { email: contains }, { organisation: contains }, { addresses: { some: { email: contains } } }] } : {}),
    },
    orderBy: { id: 'desc' },
    take: limit + 1,
    select: {
      id: true,
      name: true,
      email: true,
      organisation: true,
      blockedAt: true,
      createdAt: true,
      _count: { select: { conversations: { where: scope === null ? {} : { folderId: { in: scope } } } } },
    },
  })
  const more = rows.length > limit
  const page = rows.slice(0, limit).map(({ _count, ...c }) => ({ ...c, conversations: _count.conversations }))
  return { rows: page, nextBefore: more ? page[page.length - 1]!.id : null }
}

/**
 * A customer's profile: who they are, their addresses and the conversations the agent may see.
 * A merged duplicate answers with the customer that took it in (`mergedIntoId`), to go there.
 */
export async function getCustomerProfile(ctx: QueryContext, agent: Actor, input: { customerId: unknown }) {
  const customerId = parseId(input.customerId, 'customers.error.notFound')
  const scope = await folderScope(ctx.prisma, agent)
  const customer = await ctx.prisma.customer.findUnique({ where: { id: customerId } })
  if (!customer) throw new NotFoundError('customers.error.notFound')
  if (customer.mergedIntoId !== null) {
    await assertCustomerVisible(ctx.prisma, scope, customer.mergedIntoId)
    return { mergedIntoId: customer.mergedIntoId } as const
  }
  await assertCustomerVisible(ctx.prisma, scope, customerId)
  const [addresses, conversations] = await Promise.all([
    ctx.prisma.customerAddress.findMany({ where: { customerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, email: true } }),
    ctx.prisma.conversation.findMany({
      where: { customerId, ...(scope === null ? {} : { folderId: { in: scope } }) },
      orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }],
      take: PROFILE_CONVERSATIONS,
      select: { id: true, number: true, subject: true, status: true, lastActivityAt: true, folder: { select: { name: true } } },
    }),
  ])
  // A customer from before addresses existed: their own address is shown (it gets its row at the first change).
  const listed = addresses.some((a) => a.email === customer.email) ? addresses : [{ id: null, email: customer.email }, ...addresses]
  return {
    mergedIntoId: null,
    customer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      organisation: customer.organisation,
      notes: customer.notes,
      blockedAt: customer.blockedAt,
      undeliverableAt: customer.undeliverableAt,
      createdAt: customer.createdAt,
    },
    addresses: listed.map((a) => ({ ...a, primary: a.email === customer.email })),
    conversations,
  }
}
