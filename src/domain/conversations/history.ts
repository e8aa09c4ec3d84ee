import type { Tx } from '../../db/database.ts'
import type { ActorRef } from '../actor.ts'
import type { Prisma as P } from '../../generated/prisma/client.ts'

type Data = Record<string, P.InputJsonValue | null>

export type HistoryType =
  | 'created'
  | 'replied'
  | 'commented'
  | 'customer_replied'
  | 'auto_reply_received'
  | 'status_changed'
  | 'assigned'
  | 'moved'
  | 'tagged'
  | 'untagged'
  | 'attachment_added'
  | 'reminder_sent'
  | 'auto_closed'
  | 'customer_resolved'
  | 'customer_not_resolved'
  | 'follow_up_created'

/** One line of a conversation's history, written in the transaction of the change it records. */
export function recordHistory(tx: Tx, conversationId: number, actor: ActorRef, type: HistoryType, at: Date, data: Data = {}) {
  return tx.historyEvent.create({
    data: {
      conversationId,
      actorKind: actor.kind,
      actorAgentId: actor.kind === 'agent' ? actor.agent.id : null,
      type,
      data: (actor.kind === 'customer' ? { ...data, customerId: actor.customerId } : data) as P.InputJsonObject,
      createdAt: at,
    },
  })
}
