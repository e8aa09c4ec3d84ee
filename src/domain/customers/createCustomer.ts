import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { AddressTakenError, customerAddressInput, customerDetailsInput } from './updateCustomer.ts'

export const newCustomerInput = customerDetailsInput.extend({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(200, schemaMessage('validation.useAtMost', { max: 200 })),
  email: customerAddressInput.shape.email,
})

/**
 * A customer known before they write (an import from a shop or a CRM), with their first address.
 * An address that is already someone's is refused: the caller finds that customer instead.
 * Any agent may add one; like every customer, they are seen by the agents of the folders of
 * their conversations (admins: always).
 */
export async function createCustomer(ctx: DomainContext, agent: Actor, input: z.input<typeof newCustomerInput>) {
  authorize(agent, 'read', INSTANCE)
  const wanted = parseInput(newCustomerInput, input)
  try {
    return await transaction(ctx, async (tx) => {
      const taken = (await tx.customerAddress.count({ where: { email: wanted.email } })) || (await tx.customer.count({ where: { email: wanted.email } }))
      if (taken) throw new AddressTakenError(wanted.email)
      const now = ctx.clock()
      const customer = await tx.customer.create({
        data: {
          email: wanted.email,
          name: wanted.name,
          organisation: wanted.organisation ?? '',
          notes: wanted.notes ?? '',
          createdAt: now,
          addresses: { create: { email: wanted.email, createdAt: now } },
        },
      })
      await recordAdminEvent(tx, {
        type: 'customer.created',
        agentId: agent.id,
        at: now,
        target: { type: 'customer', id: customer.id },
        data: { email: wanted.email },
      })
      return customer
    })
  } catch (err) {
    // Created by someone else at the same moment.
    if ((err as { code?: unknown })?.code === 'P2002') throw new AddressTakenError(wanted.email)
    throw err
  }
}
