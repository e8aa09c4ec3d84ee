import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, NotFoundError, parseInput, ValidationError } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { parseId } from '../input.ts'
import { transaction } from '../transaction.ts'
import { lockVisibleCustomer } from './customerAccess.ts'
import { findCustomerByAddress } from './findOrCreateCustomer.ts'
import { customerIdOf, keepPrimaryAddress, type CustomerRef } from './updateCustomer.ts'

const duplicateByEmail = z.object({ duplicateEmail: z.string().trim().toLowerCase().pipe(z.email('validation.enterValidEmail').max(254)) })

/**
 * Merges a duplicate into the customer that stays (the survivor), in one transaction: the
 * duplicate's conversations, messages and addresses become the survivor's, notes are put
 * together, and the duplicate keeps a pointer to the survivor (`mergedIntoId`), so that mail from
 * its old addresses and old links find the survivor. The actor must see both customers.
 * The duplicate is named by id, or by one of its e-mail addresses (the profile's form).
 */
export async function mergeCustomers(ctx: DomainContext, agent: Actor, input: CustomerRef & { duplicateId?: unknown; duplicateEmail?: unknown }) {
  const survivorId = customerIdOf(input)
  const byEmail = input.duplicateId === undefined ? parseInput(duplicateByEmail, { duplicateEmail: input.duplicateEmail }).duplicateEmail : null
  return transaction(ctx, async (tx) => {
    let duplicateId: number
    if (byEmail !== null) {
      const found = await findCustomerByAddress(tx, byEmail)
      if (!found)
        throw new ValidationError('validation.checkFields', { duplicateEmail: { key: 'customers.error.noCustomerWithAddress', values: { email: byEmail } } })
      duplicateId = found.id
    } else duplicateId = parseId(input.duplicateId, 'customers.error.notFound')
    if (duplicateId === survivorId) throw new ConflictError('customers.error.mergeSame')
    // Locked in id order, so that two merges of the same pair wait for each other, not deadlock.
    const [first, second] = [survivorId, duplicateId].sort((a, b) => a - b) as [number, number]
    const locked = new Map([
      [first, (await lockVisibleCustomer(tx, agent, first).catch(notFoundAsHidden)).customer],
      [second, (await lockVisibleCustomer(tx, agent, second).catch(notFoundAsHidden)).customer],
    ])
    const survivor = locked.get(survivorId)!
    const duplicate = locked.get(duplicateId)!
    const now = ctx.clock()
    await keepPrimaryAddress(tx, duplicate)
    const conversations = await tx.conversation.updateMany({ where: { customerId: duplicateId }, data: { customerId: survivorId } })
    const messages = await tx.message.updateMany({ where: { customerId: duplicateId }, data: { customerId: survivorId } })
    const addresses = await tx.customerAddress.updateMany({ where: { customerId: duplicateId }, data: { customerId: survivorId } })
    // Customers merged into the duplicate before now lead straight to the survivor.
    await tx.customer.updateMany({ where: { mergedIntoId: duplicateId }, data: { mergedIntoId: survivorId } })
    const notes = [survivor.notes, duplicate.notes].filter((n) => n.trim()).join('\n\n')
    await tx.customer.update({
      where: { id: survivorId },
      data: {
        notes,
        name: survivor.name || duplicate.name,
        organisation: survivor.organisation || duplicate.organisation,
        locale: survivor.locale ?? duplicate.locale,
      },
    })
    await tx.customer.update({ where: { id: duplicateId }, data: { mergedIntoId: survivorId } })
    const moved = { conversations: conversations.count, messages: messages.count, addresses: addresses.count }
    await recordAdminEvent(tx, {
      type: 'customer.merged',
      agentId: agent.id,
      at: now,
      target: { type: 'customer', id: survivorId },
      data: { duplicateId, duplicateEmail: duplicate.email, ...moved },
    })
    return { survivorId, duplicateId, duplicateEmail: duplicate.email, ...moved }
  })
}

/** A duplicate one may not see (or one merged already) is refused like an unknown one, on its own key. */
function notFoundAsHidden(err: unknown): never {
  if (err instanceof NotFoundError) throw new NotFoundError('customers.error.notFound')
  throw err
}
