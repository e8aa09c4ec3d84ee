import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

/** Tag colours are names from the stylesheet's palette: no inline styles under the CSP. */
export const TAG_COLOURS = ['slate', 'red', 'orange', 'amber', 'green', 'teal', 'blue', 'indigo', 'purple', 'pink'] as const

export const tagInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(50, schemaMessage('validation.useAtMost', { max: 50 })),
  colour: z.enum(TAG_COLOURS).catch('slate'),
})

export async function createTag(ctx: DomainContext, admin: Actor, input: z.input<typeof tagInput>) {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(tagInput, input)
  return transaction(ctx, async (tx) => {
    if (await tx.tag.findFirst({ where: { name: { equals: data.name, mode: 'insensitive' } } }))
      throw new ConflictError('error.tagNameTaken', { name: data.name })
    const tag = await tx.tag.create({ data })
    await recordAdminEvent(tx, { type: 'tag.created', agentId: admin.id, at: ctx.clock(), target: { type: 'tag', id: String(tag.id) }, data })
    return tag
  })
}
