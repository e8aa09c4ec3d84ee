import type { Tx } from '../../db/database.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import type { ActorRef } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import type { ConversationEventType, EventData } from '../events/types.ts'
import { transaction } from '../transaction.ts'
import { lockConversation } from './access.ts'
import { recordConversationEvent } from './history.ts'

/** What a conversation command acts with: the locked row, the moment, and how to record. */
export interface ConversationChange {
  tx: Tx
  /** The conversation as it was when locked. */
  conversation: Conversation
  actor: ActorRef
  now: Date
  /** Records an event of this conversation; `after` is the row after the change (its folder). */
  record(type: ConversationEventType, data?: EventData, after?: Pick<Conversation, 'id' | 'folderId'>): Promise<unknown>
}

/**
 * The skeleton of every command on one conversation: one transaction that locks the row and
 * authorizes the actor on it (lockConversation asks the policy), does the change and records its
 * events, then the after-commit work. Concurrent commands on a conversation apply in turn.
 */
export function changeConversation<T>(
  ctx: DomainContext,
  actor: ActorRef,
  conversationId: number,
  act: (change: ConversationChange) => Promise<T>,
  options?: { timeout?: number },
): Promise<T> {
  return transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      const conversation = await lockConversation(tx, actor, conversationId)
      await ctx.precondition?.(tx, conversation)
      return act({
        tx,
        conversation,
        actor,
        now,
        record: (type, data = {}, after = conversation) => recordConversationEvent(ctx, tx, after, actor, type, now, data),
      })
    },
    options,
  )
}
