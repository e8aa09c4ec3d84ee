import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput, ValidationError } from '../../errors.ts'
import { canWorkInFolder } from '../access.ts'
import { changeConversation } from '../changeConversation.ts'

export const assignSchema = z.object({
  conversationId: z.number().int().positive(),
  assigneeId: z.number().int().positive().nullable(),
})

/** Gives the conversation to an agent who may work in its folder, or to nobody. */
export async function assignConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof assignSchema>) {
  const { conversationId, assigneeId } = parseInput(assignSchema, input)
  return changeConversation(ctx, asAgent(agent), conversationId, async ({ tx, conversation, record }) => {
    if (conversation.assigneeId === assigneeId) return conversation
    if (assigneeId !== null && !(await canWorkInFolder(tx, assigneeId, conversation.folderId))) {
      throw new ValidationError('error.assigneeNotInFolder', { assigneeId: { key: 'validation.chooseFolderAgent' } })
    }
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: { assigneeId } })
    await record('conversation.assigned', { from: conversation.assigneeId, to: assigneeId })
    return updated
  })
}
