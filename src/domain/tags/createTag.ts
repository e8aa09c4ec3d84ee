import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { ConflictError, ForbiddenError, fromZodError } from '../errors.ts'

/** Tag colours are names from the stylesheet's palette: no inline styles under the CSP. */
export const TAG_COLOURS = ['slate', 'red', 'orange', 'amber', 'green', 'teal', 'blue', 'indigo', 'purple', 'pink'] as const

export const tagInput = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(50, 'Use at most 50 characters'),
  colour: z.enum(TAG_COLOURS).catch('slate'),
})

export async function createTag(prisma: Prisma, admin: Actor, input: z.input<typeof tagInput>) {
  if (admin.role !== 'admin') throw new ForbiddenError()
  const parsed = tagInput.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  return prisma.$transaction(async (tx) => {
    if (await tx.tag.findFirst({ where: { name: { equals: parsed.data.name, mode: 'insensitive' } } })) throw new ConflictError(`A tag named “${parsed.data.name}” already exists`)
    const tag = await tx.tag.create({ data: parsed.data })
    await tx.auditEvent.create({ data: { actorAgentId: admin.id, action: 'tag.created', targetType: 'tag', targetId: String(tag.id), data: parsed.data } })
    return tag
  })
}
