import { recordAdminEvent } from '../events/record.ts'
import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { ConflictError, fromZodError } from '../errors.ts'

export const folderInput = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(80, 'Use at most 80 characters'),
})

export async function createFolder(prisma: Prisma, admin: Actor, input: z.input<typeof folderInput>) {
  authorize(admin, 'administer', INSTANCE)
  const parsed = folderInput.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  return prisma.$transaction(async (tx) => {
    if (await tx.folder.findFirst({ where: { name: { equals: parsed.data.name, mode: 'insensitive' } } })) throw new ConflictError(`A folder named “${parsed.data.name}” already exists`)
    const last = await tx.folder.aggregate({ _max: { position: true } })
    const folder = await tx.folder.create({ data: { name: parsed.data.name, position: (last._max.position ?? 0) + 1 } })
    await recordAdminEvent(tx, { type: 'folder.created', agentId: admin.id, at: new Date(), target: { type: 'folder', id: String(folder.id) }, data: parsed.data })
    return folder
  })
}
