import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput, ValidationError } from '../../errors.ts'
import { transaction } from '../../transaction.ts'
import { lockConversation } from '../access.ts'
import { recordConversationEvent } from '../history.ts'
import { SET_BY_AGENT, statusFields, transition } from '../lifecycle.ts'
import { survivingCustomerId, threadCounters } from '../merged.ts'

export const mergeSchema = z.object({
  sourceId: z.number().int().positive(),
  targetId: z.number().int().positive(),
})

/**
 * Merges a conversation (the source) into another of the same customer (the target, which
 * survives): the messages and their files move, the tags join the target's, the followers and
 * the drafts follow (a draft of an agent who already has one on the target stays where it was).
 * The source is closed and points to the target, so that mail and links to it lead there. Its
 * history stays with it (the event log is append-only); the target's page shows both.
 * E-mails of the source already in the outbox still leave: they were promised.
 */
export async function mergeConversations(ctx: DomainContext, agent: Actor, input: z.input<typeof mergeSchema>) {
  const { sourceId, targetId } = parseInput(mergeSchema, input)
  if (sourceId === targetId) throw new ValidationError('merge.error.same', { into: { key: 'merge.error.same' } })
  const actor = asAgent(agent)
  return transaction(ctx, async (tx) => {
    const now = ctx.clock()
    // Both rows, always in id order: two merges of the same pair in opposite directions wait
    // for each other instead of deadlocking.
    const [low, high] = sourceId < targetId ? [sourceId, targetId] : [targetId, sourceId]
    const locked = new Map([
      [low, await lockConversation(tx, actor, low)],
      [high, await lockConversation(tx, actor, high)],
    ])
    const source = locked.get(sourceId)!
    const target = locked.get(targetId)!
    // A merge asked on a version of the source read earlier (If-Match) is refused if it changed since.
    await ctx.precondition?.(tx, source)
    if (source.mergedIntoId !== null || target.mergedIntoId !== null) {
      throw new ValidationError('merge.error.alreadyMerged', { into: { key: 'merge.error.alreadyMerged' } })
    }
    if (source.customerId !== target.customerId && (await survivingCustomerId(tx, source.customerId)) !== (await survivingCustomerId(tx, target.customerId))) {
      throw new ValidationError('merge.error.otherCustomer', { into: { key: 'merge.error.otherCustomer' } })
    }

    const moved = await tx.message.updateMany({ where: { conversationId: sourceId }, data: { conversationId: targetId } })
    await tx.attachment.updateMany({ where: { conversationId: sourceId }, data: { conversationId: targetId } })
    // What the intake noted for the source's e-mails (duplicates are recognised by it) follows them.
    await tx.inboundMessage.updateMany({ where: { conversationId: sourceId }, data: { conversationId: targetId } })
    await tx.$executeRaw`
      INSERT INTO conversation_tags ("conversationId", "tagId", "createdAt")
      SELECT ${targetId}, "tagId", ${now} FROM conversation_tags WHERE "conversationId" = ${sourceId}
      ON CONFLICT DO NOTHING`
    await tx.$executeRaw`
      INSERT INTO conversation_followers ("agentId", "conversationId", "createdAt")
      SELECT "agentId", ${targetId}, "createdAt" FROM conversation_followers WHERE "conversationId" = ${sourceId}
      ON CONFLICT DO NOTHING`
    await tx.conversationFollower.deleteMany({ where: { conversationId: sourceId } })
    await tx.$executeRaw`
      UPDATE drafts d SET "conversationId" = ${targetId}
      WHERE d."conversationId" = ${sourceId}
        AND NOT EXISTS (SELECT 1 FROM drafts t WHERE t."conversationId" = ${targetId} AND t."agentId" = d."agentId")`

    const thread = await threadCounters(tx, targetId)
    const latest = (a: Date | null, b: Date | null) => (a === null ? b : b === null || a > b ? a : b)
    const updatedTarget = await tx.conversation.update({
      where: { id: targetId },
      data: {
        // The thread's version only grows: a page loaded before the merge sees that it changed.
        messageCount: { increment: Math.max(moved.count, 1) },
        lastActivityAt: latest(latest(target.lastActivityAt, source.lastActivityAt), thread.lastMessageAt)!,
        lastCustomerMessageAt: thread.lastCustomerMessageAt,
        lastAgentReplyAt: thread.lastAgentReplyAt,
        snippet: thread.snippet,
      },
    })

    const closing = transition(source.status, SET_BY_AGENT.closed)
    const updatedSource = await tx.conversation.update({
      where: { id: sourceId },
      data: {
        ...statusFields(closing, now, actor),
        mergedIntoId: targetId,
        messageCount: { increment: 1 },
        snippet: '',
        lastCustomerMessageAt: null,
        lastAgentReplyAt: null,
        // A closed, merged conversation has nothing to wake up for.
        snoozedAt: null,
        snoozedUntil: null,
        snoozedById: null,
      },
    })

    const record = (c: { id: number; folderId: number }, type: Parameters<typeof recordConversationEvent>[4], data: Record<string, number | string>) =>
      recordConversationEvent(ctx, tx, c, actor, type, now, data)
    if (closing.changed) await record(source, 'status.changed', { from: closing.from, to: closing.to })
    await record(source, 'conversation.merged_into', { intoId: target.id, intoNumber: target.number })
    await record(target, 'conversation.merged', { fromId: source.id, fromNumber: source.number, messages: moved.count })
    return { source: updatedSource, target: updatedTarget, movedMessages: moved.count }
  })
}
