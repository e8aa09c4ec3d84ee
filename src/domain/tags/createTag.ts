import { recordAdminEvent } from '../events/record.ts'
import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { ConflictError, fromZodError } from '../errors.ts'

/** Tag colours are names from the stylesheet's palette: no inline styles under the CSP. */
export const TAG_COLOURS = ['slate', 'red', 'orange', 'amber', 'green', 'teal', 'blue', 'indigo', 'purple', 'pink'] as const

export const tagInput = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(50, 'Use at most 50 characters'),
  colour: z.enum(TAG_COLOURS).catch('slate'),
})

export async function createTag(prisma: Prisma, admin: Actor, input: z.input<typeof tagInput>) {
  authorize(admin, 'administer', INSTANCE)
  const parsed = tagInput.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  return prisma.$transaction(async (tx) => {
    if (await tx.tag.findFirst({ where: { name: { equals: parsed.data.name, mode: 'insensitive' } } })) throw new ConflictError(`A tag named “${parsed.data.name}” already exists`)
    const tag = await tx.tag.create({ data: parsed.data })
    await recordAdminEvent(tx, { type: 'tag.created', agentId: admin.id, at: new Date(), target: { type: 'tag', id: String(tag.id) }, data: parsed.data })
    return tag
  })
}
