import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, NotFoundError, parseInput, PreconditionFailedError, ValidationError } from '../errors.ts'
import { ifMatchAccepts } from '../conversations/version.ts'
import { customerVersion } from './customerDirectory.ts'
import { recordAdminEvent } from '../events/record.ts'
import { parseId } from '../input.ts'
import { transaction } from '../transaction.ts'
import { lockVisibleCustomer } from './customerAccess.ts'

export const NOTES_MAX = 5000

export const customerDetailsInput = z.object({
  name: z
    .string()
    .trim()
    .max(200, schemaMessage('validation.useAtMost', { max: 200 }))
    .optional(),
  organisation: z
    .string()
    .trim()
    .max(200, schemaMessage('validation.useAtMost', { max: 200 }))
    .optional(),
  notes: z
    .string()
    .trim()
    .max(NOTES_MAX, schemaMessage('validation.useAtMost', { max: NOTES_MAX }))
    .optional(),
})

export const customerAddressInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('validation.enterValidEmail').max(254)),
})

/** The customer a command acts on (any form of id; a malformed one is a customer that does not exist). */
export type CustomerRef = { customerId: unknown }

export const customerIdOf = (input: CustomerRef) => parseId(input.customerId, 'customers.error.notFound')

/**
 * Refused because the address is another customer's: the page offers to merge that customer into
 * this one instead (the address is the form's field, so it can be posted to the merge).
 */
export class AddressTakenError extends ConflictError {
  override name = 'AddressTakenError'
  constructor(readonly email: string) {
    super('customers.error.addressTaken', { email })
  }
}

/**
 * Name, organisation and notes (the fields given); what changed is recorded, the notes' text is not.
 * With `ifMatch` (an API caller's If-Match), nothing changes unless the customer is still at that
 * version, checked under the row lock.
 */
export async function updateCustomer(
  ctx: DomainContext,
  agent: Actor,
  input: CustomerRef & z.input<typeof customerDetailsInput> & { ifMatch?: string | null },
) {
  const customerId = customerIdOf(input)
  const wanted = parseInput(customerDetailsInput, input)
  return transaction(ctx, async (tx) => {
    const { customer } = await lockVisibleCustomer(tx, agent, customerId)
    if (input.ifMatch) {
      const addresses = await tx.customerAddress.findMany({ where: { customerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { email: true } })
      if (!ifMatchAccepts(input.ifMatch, customerVersion({ customer, addresses }))) throw new PreconditionFailedError()
    }
    const next = {
      name: wanted.name ?? customer.name,
      organisation: wanted.organisation ?? customer.organisation,
      notes: wanted.notes ?? customer.notes,
    }
    const changes: Record<string, string | { from: string; to: string }> = {}
    if (next.name !== customer.name) changes.name = { from: customer.name, to: next.name }
    if (next.organisation !== customer.organisation) changes.organisation = { from: customer.organisation, to: next.organisation }
    // Notes may hold what only the agents of some folders should read: the log says they changed.
    if (next.notes !== customer.notes) changes.notes = 'changed'
    if (Object.keys(changes).length === 0) return customer
    const updated = await tx.customer.update({ where: { id: customerId }, data: next })
    await recordAdminEvent(tx, { type: 'customer.updated', agentId: agent.id, at: ctx.clock(), target: { type: 'customer', id: customerId }, data: changes })
    return updated
  })
}

/** Another address the customer writes from; one that belongs to another customer is refused (merge them instead). */
export async function addCustomerAddress(ctx: DomainContext, agent: Actor, input: CustomerRef & { email?: unknown }) {
  const customerId = customerIdOf(input)
  const { email } = parseInput(customerAddressInput, { email: input.email })
  try {
    return await transaction(ctx, async (tx) => {
      const { customer } = await lockVisibleCustomer(tx, agent, customerId)
      await keepPrimaryAddress(tx, customer)
      const owner = await tx.customerAddress.findUnique({ where: { email }, select: { customerId: true } })
      if (owner?.customerId === customerId)
        throw new ValidationError('validation.checkFields', { email: { key: 'customers.error.alreadyTheirs', values: { email } } })
      // Another customer's address, or the address of a customer from before addresses existed.
      if (owner || (await tx.customer.count({ where: { email, id: { not: customerId }, mergedIntoId: null } }))) throw new AddressTakenError(email)
      const address = await tx.customerAddress.create({ data: { customerId, email, createdAt: ctx.clock() } })
      await recordAdminEvent(tx, {
        type: 'customer.address_added',
        agentId: agent.id,
        at: ctx.clock(),
        target: { type: 'customer', id: customerId },
        data: { email },
      })
      return address
    })
  } catch (err) {
    // Given to another customer at the same moment.
    if ((err as { code?: unknown })?.code === 'P2002') throw new AddressTakenError(email)
    throw err
  }
}

/**
 * Removes one of the customer's addresses, never the last one. Removing the primary address
 * (the customer's `email`, where replies go) makes the oldest remaining one primary.
 */
export async function removeCustomerAddress(ctx: DomainContext, agent: Actor, input: CustomerRef & { addressId: unknown }) {
  const customerId = customerIdOf(input)
  const addressId = parseId(input.addressId, 'customers.error.addressNotFound')
  return transaction(ctx, async (tx) => {
    const { customer } = await lockVisibleCustomer(tx, agent, customerId)
    await keepPrimaryAddress(tx, customer)
    const address = await tx.customerAddress.findFirst({ where: { id: addressId, customerId } })
    if (!address) throw new NotFoundError('customers.error.addressNotFound')
    const others = await tx.customerAddress.findMany({ where: { customerId, id: { not: addressId } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    if (others.length === 0) throw new ConflictError('customers.error.lastAddress')
    let primary = customer.email
    if (address.email === customer.email) {
      // A merged duplicate keeps its own `email`: such an address cannot become this one's.
      const taken = new Set((await tx.customer.findMany({ where: { email: { in: others.map((o) => o.email) } }, select: { email: true } })).map((c) => c.email))
      const next = others.find((o) => !taken.has(o.email))
      if (!next) throw new ConflictError('customers.error.cannotRemovePrimary')
      primary = next.email
      await tx.customer.update({ where: { id: customerId }, data: { email: primary } })
    }
    await tx.customerAddress.delete({ where: { id: addressId } })
    await recordAdminEvent(tx, {
      type: 'customer.address_removed',
      agentId: agent.id,
      at: ctx.clock(),
      target: { type: 'customer', id: customerId },
      data: { email: address.email, ...(primary !== customer.email ? { primary } : {}) },
    })
    return { removed: address.email, primary }
  })
}

/** A customer from before addresses existed gets the row of their own address first. */
export async function keepPrimaryAddress(tx: Tx, customer: { id: number; email: string; createdAt: Date }) {
  await tx.$executeRaw`INSERT INTO customer_addresses ("customerId", email, "createdAt") VALUES (${customer.id}, ${customer.email}, ${customer.createdAt}) ON CONFLICT (email) DO NOTHING`
}
