import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { NotFoundError, parseInput, ValidationError } from '../../errors.ts'
import { changeConversation } from '../changeConversation.ts'
import { recordConversationEvent } from '../history.ts'
import { initialStatusFields } from '../lifecycle.ts'
import { threadCounters } from '../merged.ts'

export const splitSchema = z.object({
  messageId: z.number().int().positive(),
  /** When given (the page's URL), the message must be of this conversation. */
  conversationId: z.number().int().positive().optional(),
})

/**
 * Takes a customer's message (a new question asked in an old thread) out of its conversation into
 * a new one of the same customer and folder, open, with the message's files. The first message
 * stays: it is what the conversation is about. The new conversation is nobody's yet; the message
 * keeps its Message-ID, so the customer's replies to it follow it there.
 */
export async function splitMessage(ctx: DomainContext, agent: Actor, input: z.input<typeof splitSchema>) {
  const { messageId, conversationId } = parseInput(splitSchema, input)
  const found = await ctx.prisma.message.findUnique({ where: { id: messageId }, select: { conversationId: true } })
  if (!found || (conversationId !== undefined && found.conversationId !== conversationId)) throw new NotFoundError('error.notFound')
  return changeConversation(ctx, asAgent(agent), found.conversationId, async ({ tx, conversation, actor, now, record }) => {
    // Read again under the lock: a merge or another split may have moved it meanwhile.
    const message = await tx.message.findUnique({ where: { id: messageId } })
    if (!message || message.conversationId !== conversation.id) throw new NotFoundError('error.notFound')
    if (message.kind !== 'customer') throw new ValidationError('split.error.notCustomer')
    const first = await tx.message.findFirst({
      where: { conversationId: conversation.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    })
    if (first?.id === message.id) throw new ValidationError('split.error.firstMessage')

    const created = await tx.conversation.create({
      data: {
        subject: conversation.subject,
        channel: conversation.channel,
        ...initialStatusFields(now, actor, 'agentSetsOpen'),
        folderId: conversation.folderId,
        customerId: conversation.customerId,
        lastActivityAt: now,
        createdAt: now,
      },
    })
    await tx.message.update({ where: { id: message.id }, data: { conversationId: created.id } })
    await tx.attachment.updateMany({ where: { messageId: message.id }, data: { conversationId: created.id } })

    const [moved, left] = [await threadCounters(tx, created.id), await threadCounters(tx, conversation.id)]
    const split = await tx.conversation.update({
      where: { id: created.id },
      data: { messageCount: 1, snippet: moved.snippet, lastCustomerMessageAt: moved.lastCustomerMessageAt },
    })
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: {
        // The thread's version only grows (a page loaded before sees that it changed).
        messageCount: { increment: 1 },
        snippet: left.snippet,
        lastCustomerMessageAt: left.lastCustomerMessageAt,
        lastAgentReplyAt: left.lastAgentReplyAt,
      },
    })

    await record('message.split', { messageId: message.id, toId: split.id, toNumber: split.number })
    await recordConversationEvent(ctx, tx, split, actor, 'conversation.created', now, { channel: split.channel, splitFrom: conversation.number })
    await recordConversationEvent(ctx, tx, split, actor, 'conversation.split_from', now, {
      fromId: conversation.id,
      fromNumber: conversation.number,
      messageId: message.id,
    })
    return { conversation: split, source: updated, message }
  })
}
