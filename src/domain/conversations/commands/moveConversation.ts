import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput } from '../../errors.ts'
import { assertFolderVisible, canWorkInFolder } from '../access.ts'
import { changeConversation } from '../changeConversation.ts'

export const moveSchema = z.object({
  conversationId: z.number().int().positive(),
  folderId: z.number().int().positive(),
})

/**
 * Moves a conversation to another folder the agent belongs to. An assignee who cannot see the
 * new folder is unassigned in the same step, so nobody holds a conversation they cannot open.
 */
export async function moveConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof moveSchema>) {
  const { conversationId, folderId } = parseInput(moveSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, actor, record }) => {
    const folder = await assertFolderVisible(tx, actor, folderId)
    if (conversation.folderId === folder.id) return conversation
    const keepsAssignee = conversation.assigneeId === null || (await canWorkInFolder(tx, conversation.assigneeId, folder.id))
    const updated = await tx.conversation.update({
      where: { id: conversationId },
      data: { folderId: folder.id, ...(keepsAssignee ? {} : { assigneeId: null }) },
    })
    await record('conversation.moved', { from: conversation.folderId, to: folder.id }, updated)
    if (!keepsAssignee) await record('conversation.assigned', { from: conversation.assigneeId, to: null, reason: 'not in the new folder' }, updated)
    return updated
  })
}
