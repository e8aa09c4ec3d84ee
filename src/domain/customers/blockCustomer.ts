import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { recordAdminEvent } from '../events/record.ts'
import { transaction } from '../transaction.ts'
import { lockVisibleCustomer } from './customerAccess.ts'
import { customerIdOf, type CustomerRef } from './updateCustomer.ts'

/**
 * Blocks a sender: from now on their e-mail (from any of their addresses) is kept in the spam
 * view, with no conversation, no acknowledgement and nobody told. Their existing conversations
 * stay as they are. Admins, and agents who can see the customer.
 */
export async function blockCustomer(ctx: DomainContext, agent: Actor, input: CustomerRef) {
  return setBlocked(ctx, agent, customerIdOf(input), true)
}

/** Their e-mail starts conversations again (what was held stays in the spam view until someone says "Not spam"). */
export async function unblockCustomer(ctx: DomainContext, agent: Actor, input: CustomerRef & { inboundId?: number }) {
  return setBlocked(ctx, agent, customerIdOf(input), false, input.inboundId)
}

async function setBlocked(ctx: DomainContext, agent: Actor, customerId: number, blocked: boolean, inboundId?: number) {
  return transaction(ctx, async (tx) => {
    const { customer } = await lockVisibleCustomer(tx, agent, customerId)
    // Already so: nothing changes and nothing is recorded.
    if ((customer.blockedAt !== null) === blocked) return { changed: false, customer }
    const now = ctx.clock()
    const updated = await tx.customer.update({ where: { id: customerId }, data: { blockedAt: blocked ? now : null } })
    await recordAdminEvent(tx, {
      type: blocked ? 'customer.blocked' : 'customer.unblocked',
      agentId: agent.id,
      at: now,
      target: { type: 'customer', id: customerId },
      data: { email: customer.email, ...(inboundId !== undefined ? { inboundId } : {}) },
    })
    return { changed: true, customer: updated }
  })
}
