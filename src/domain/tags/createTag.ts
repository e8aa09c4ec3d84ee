import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

/** Tag colours are names from the stylesheet's palette: no inline styles under the CSP. */
export const TAG_COLOURS = ['slate', 'red', 'orange', 'amber', 'green', 'teal', 'blue', 'indigo', 'purple', 'pink'] as const

export const tagInput = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(50, 'Use at most 50 characters'),
  colour: z.enum(TAG_COLOURS).catch('slate'),
})

export async function createTag(ctx: DomainContext, admin: Actor, input: z.input<typeof tagInput>) {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(tagInput, input)
  return transaction(ctx, async (tx) => {
    if (await tx.tag.findFirst({ where: { name: { equals: data.name, mode: 'insensitive' } } }))
      throw new ConflictError(`A tag named “${data.name}” already exists`)
    const tag = await tx.tag.create({ data })
    await recordAdminEvent(tx, { type: 'tag.created', agentId: admin.id, at: ctx.clock(), target: { type: 'tag', id: String(tag.id) }, data })
    return tag
  })
}
