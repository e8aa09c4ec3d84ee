import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError } from '../../errors.ts'
import { canWorkInFolder, lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'

export const assignSchema = z.object({
  conversationId: z.number().int().positive(),
  assigneeId: z.number().int().positive().nullable(),
})

export async function assignConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof assignSchema>) {
  const parsed = assignSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { conversationId, assigneeId } = parsed.data
  const actor = asAgent(agent)
  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    if (conversation.assigneeId === assigneeId) return { conversation, changed: false }
    if (assigneeId !== null && !(await canWorkInFolder(tx, assigneeId, conversation.folderId))) {
      throw new ValidationError('That agent cannot work in this folder', { assigneeId: 'Choose an active agent of this folder.' })
    }
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: { assigneeId } })
    await recordConversationEvent(ctx, tx, updated, actor, 'conversation.assigned', now, { from: conversation.assigneeId, to: assigneeId })
    return { conversation: updated, changed: true }
  })
  return result.conversation
}
