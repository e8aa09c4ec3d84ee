import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Prisma } from '../../db/database.ts'
import { asAgent, type Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { recordEvents } from '../events/record.ts'
import { can, withFolderIds } from '../policy.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'
import { transaction } from '../transaction.ts'

/*
 * Following a conversation: its followers are told when the customer replies (unless they are
 * its assignee, who is told anyway). Following is the agent's own business: recorded as a
 * personal event, neither in the conversation's history nor the audit.
 */

async function setFollowing(ctx: DomainContext, agent: Actor, conversationId: number, follow: boolean): Promise<boolean> {
  return transaction(ctx, async (tx) => {
    const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true, folderId: true } })
    // One the agent may not read does not exist for them.
    if (!conversation || !can(await withFolderIds(tx, agent), 'read', { type: 'conversation', folderId: conversation.folderId })) throw new NotFoundError()
    const key = { agentId_conversationId: { agentId: agent.id, conversationId } }
    const was = (await tx.conversationFollower.findUnique({ where: key, select: { agentId: true } })) !== null
    if (was === follow) return false
    if (follow) await tx.conversationFollower.create({ data: { agentId: agent.id, conversationId } })
    else await tx.conversationFollower.delete({ where: key })
    await recordEvents(ctx, tx, [
      { type: follow ? 'conversation.followed' : 'conversation.unfollowed', actor: asAgent(agent), at: ctx.clock(), data: { conversationId } },
    ])
    return true
  })
}

/** Starts following; following again changes nothing. Returns whether it changed. */
export const followConversation = (ctx: DomainContext, agent: Actor, conversationId: number) => setFollowing(ctx, agent, conversationId, true)

/** Stops following; unfollowing again changes nothing. */
export const unfollowConversation = (ctx: DomainContext, agent: Actor, conversationId: number) => setFollowing(ctx, agent, conversationId, false)

/**
 * What the conversation page needs of notifications in one statement: whether the agent follows
 * it, and whether they have unread notifications about it (opening it reads them).
 */
export async function followState(prisma: Prisma, agentId: number, conversationId: number): Promise<{ following: boolean; unread: boolean }> {
  return readPart(prisma, followStatePart(agentId, conversationId))
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function followStatePart(agentId: number, conversationId: number): Part<{ following: boolean; unread: boolean }> {
  return {
    sql: P.sql`json_build_object(
      'following', EXISTS (SELECT 1 FROM conversation_followers WHERE "agentId" = ${agentId} AND "conversationId" = ${conversationId}),
      'unread', EXISTS (SELECT 1 FROM notifications WHERE "agentId" = ${agentId} AND "readAt" IS NULL AND "conversationId" = ${conversationId}))`,
    read: (value) => jsonValue<{ following: boolean; unread: boolean }>(value),
  }
}
