import type { Prisma as P } from '../../generated/prisma/client.ts'
import type { ActorRef } from '../actor.ts'

/**
 * Everything that can happen, by name. Conversation events make its history; events with a
 * target (an agent, a folder, a tag, a setting) make the administrators' audit.
 */
export const CONVERSATION_EVENTS = [
  'conversation.created',
  'message.received',
  'auto_reply.received',
  'reply.sent',
  'reply.withdrawn',
  'comment.added',
  'status.changed',
  'conversation.assigned',
  'conversation.moved',
  'conversation.tagged',
  'conversation.untagged',
  'attachment.added',
  'reminder.sent',
  'conversation.auto_closed',
  'customer.resolved',
  'customer.not_resolved',
  'follow_up.created',
  'customer.language_changed',
  'copies.changed', // CC/BCC kept for the next replies: data { cc, bcc }
  'conversation.forwarded', // data { to, messageId? }
  'conversation.snoozed', // data { until: ISO string | null (until the customer answers) }
  'conversation.woke', // data { reason: 'time' | 'customer' | 'agent' }
  'conversation.merged', // on the survivor: data { fromId, fromNumber }
  'conversation.merged_into', // on the merged one: data { intoId, intoNumber }
  'message.split', // on the source: data { messageId, toId, toNumber }
  'conversation.split_from', // on the new one: data { fromId, fromNumber }
  'saved_reply.used', // data { savedReplyId }
  'rating.given', // by the customer: data { value: 'great' | 'okay' | 'bad', confirmed: boolean, previous: value | null }
  'rating.commented', // by the customer: data { comment }
] as const

export type ConversationEventType = (typeof CONVERSATION_EVENTS)[number]

/** Administrative events are named "<target>.<verb>" (agent.invited, folder.created …). */
export type AdminEventType =
  `${'agent' | 'folder' | 'tag' | 'settings' | 'imap' | 'outbox' | 'mail' | 'demo' | 'customer' | 'saved_reply' | 'webhook'}.${string}`

/**
 * An agent's own things (saved views): neither a conversation's history nor the audit, so they
 * are recorded without a conversation or a target.
 */
export type PersonalEventType = 'view.saved' | 'view.deleted' | 'conversation.followed' | 'conversation.unfollowed' | 'notification.read'

export type EventType = ConversationEventType | AdminEventType | PersonalEventType

export type EventData = Record<string, P.InputJsonValue | null>

/** An event as a command records it. */
export interface NewEvent {
  type: EventType
  actor: ActorRef
  at: Date
  /** Set for conversation events, with the folder the conversation is in after the change. */
  conversation?: { id: number; folderId: number }
  /** Set for administrative events: what they changed. */
  target?: { type: string; id?: string | number | null }
  data?: EventData
}

/** An event as it is stored and as listeners receive it. */
export interface RecordedEvent {
  position: bigint
  type: EventType
  conversationId: number | null
  folderId: number | null
  actorKind: ActorRef['kind']
  actorAgentId: number | null
  targetType: string | null
  targetId: string | null
  data: Record<string, unknown>
  createdAt: Date
}
