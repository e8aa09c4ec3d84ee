import type { Tx } from '../../db/database.ts'
import type { ActorRef } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { recordEvents } from '../events/record.ts'
import type { ConversationEventType, EventData } from '../events/types.ts'

/**
 * Records one event of a conversation (its history is read from the event log), in the
 * transaction of the change. `conversation.folderId` is the folder after the change.
 */
export function recordConversationEvent(
  ctx: Pick<DomainContext, 'reactions'>,
  tx: Tx,
  conversation: { id: number; folderId: number },
  actor: ActorRef,
  type: ConversationEventType,
  at: Date,
  data: EventData = {},
) {
  return recordEvents(ctx, tx, [{ type, actor, at, conversation: { id: conversation.id, folderId: conversation.folderId }, data }])
}
