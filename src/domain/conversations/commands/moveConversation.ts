import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError } from '../../errors.ts'
import { assertFolderVisible, canWorkInFolder, lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'

export const moveSchema = z.object({
  conversationId: z.number().int().positive(),
  folderId: z.number().int().positive(),
})

/**
 * Moves a conversation to another folder the agent belongs to. An assignee who cannot see the
 * new folder is unassigned in the same step, so nobody holds a conversation they cannot open.
 */
export async function moveConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof moveSchema>) {
  const parsed = moveSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { conversationId, folderId } = parsed.data
  const actor = asAgent(agent)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    const folder = await assertFolderVisible(tx, actor, folderId)
    if (conversation.folderId === folder.id) return { conversation, from: null }
    const keepsAssignee = conversation.assigneeId === null || (await canWorkInFolder(tx, conversation.assigneeId, folder.id))
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: { folderId: folder.id, ...(keepsAssignee ? {} : { assigneeId: null }) } })
    await recordConversationEvent(ctx, tx, updated, actor, 'conversation.moved', now, { from: conversation.folderId, to: folder.id })
    if (!keepsAssignee) await recordConversationEvent(ctx, tx, updated, actor, 'conversation.assigned', now, { from: conversation.assigneeId, to: null, reason: 'not in the new folder' })
    return { conversation: updated, from: conversation.folderId }
  })
  return result.conversation
}
