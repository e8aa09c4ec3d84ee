import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { ConflictError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'

export const folderInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(80, schemaMessage('validation.useAtMost', { max: 80 })),
})

export async function createFolder(ctx: DomainContext, admin: Actor, input: z.input<typeof folderInput>) {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(folderInput, input)
  return transaction(ctx, async (tx) => {
    if (await tx.folder.findFirst({ where: { name: { equals: data.name, mode: 'insensitive' } } }))
      throw new ConflictError('error.folderNameTaken', { name: data.name })
    const last = await tx.folder.aggregate({ _max: { position: true } })
    const folder = await tx.folder.create({ data: { name: data.name, position: (last._max.position ?? 0) + 1 } })
    await recordAdminEvent(tx, { type: 'folder.created', agentId: admin.id, at: ctx.clock(), target: { type: 'folder', id: String(folder.id) }, data })
    return folder
  })
}
