import { z } from 'zod'
import type { Tx } from '../../../db/database.ts'
import type { Conversation } from '../../../generated/prisma/client.ts'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { fromZodError, ValidationError } from '../../errors.ts'
import { enqueueAgentNotification } from '../../../mail/outbound/conversationEmails.ts'
import { canWorkInFolder, lockConversation } from '../access.ts'
import { recordHistory } from '../history.ts'

export const assignSchema = z.object({
  conversationId: z.number().int().positive(),
  assigneeId: z.number().int().positive().nullable(),
})

/** E-mails the new assignee, unless they assigned it to themselves or turned it off. */
export async function notifyAssignment(tx: Tx, ctx: DomainContext, by: Actor, conversation: Conversation, assigneeId: number, excerpt: string) {
  if (assigneeId === by.id) return
  const assignee = await tx.agent.findUnique({ where: { id: assigneeId } })
  if (!assignee?.active || !assignee.notifyOnAssign) return
  if (!(await canWorkInFolder(tx, assignee.id, conversation.folderId))) return
  await enqueueAgentNotification(tx, ctx.mail, { conversation, to: assignee.email, agentName: assignee.name, headline: `${by.name} assigned you a conversation`, excerpt: excerpt.slice(0, 500) })
}

export async function assignConversation(ctx: DomainContext, agent: Actor, input: z.input<typeof assignSchema>) {
  const parsed = assignSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { conversationId, assigneeId } = parsed.data
  const actor = asAgent(agent)
  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const conversation = await lockConversation(tx, actor, conversationId)
    if (conversation.assigneeId === assigneeId) return { conversation, changed: false }
    if (assigneeId !== null && !(await canWorkInFolder(tx, assigneeId, conversation.folderId))) {
      throw new ValidationError('That agent cannot work in this folder', { assigneeId: 'Choose an active agent of this folder.' })
    }
    const updated = await tx.conversation.update({ where: { id: conversationId }, data: { assigneeId } })
    await recordHistory(tx, conversationId, actor, 'assigned', now, { from: conversation.assigneeId, to: assigneeId })
    if (assigneeId !== null) {
      const last = await tx.message.findFirst({ where: { conversationId, kind: { in: ['customer', 'agent'] } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { bodyText: true } })
      await notifyAssignment(tx, ctx, agent, updated, assigneeId, last?.bodyText ?? '')
    }
    return { conversation: updated, changed: true }
  })
  if (result.changed) ctx.events.publish({ type: 'conversation.updated', conversationId, folderId: result.conversation.folderId })
  return result.conversation
}
