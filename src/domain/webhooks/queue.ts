import type { Tx } from '../../db/database.ts'
import type { Prisma as P } from '../../generated/prisma/client.ts'
import { CONVERSATION_EVENTS, type RecordedEvent } from '../events/types.ts'
import { TEST_EVENT } from './endpoints.ts'

const SENT = new Set<string>([...CONVERSATION_EVENTS])

/** The webhook-id of an event sent to an endpoint: the same on every attempt and redelivery. */
export const webhookMessageId = (position: bigint | number | string, endpointId: number) => `msg_${String(position)}_${endpointId}`

/** Who did it, as a receiver reads it. */
type PayloadActor = { type: 'agent'; id: number } | { type: 'customer'; id: number | null } | { type: 'system' }

/**
 * What a receiver gets, in the Standard Webhooks shape { type, timestamp, data }. Events carry
 * ids, not content: a receiver reads the rest through the API with its own token (and its rights).
 */
export interface WebhookPayload {
  type: string
  timestamp: string
  data: {
    /** The event's position in the log (GET /api/v1/events?after= reads from there). */
    position: number
    conversation: { id: number; number: number } | null
    folderId: number | null
    actor: PayloadActor
    /** What the event says beyond that: its type's own fields (messageId, from/to, tagId …). */
    details: Record<string, unknown>
  }
}

function actorOf(e: RecordedEvent): PayloadActor {
  if (e.actorKind === 'agent' && e.actorAgentId !== null) return { type: 'agent', id: e.actorAgentId }
  if (e.actorKind === 'customer') return { type: 'customer', id: typeof e.data.customerId === 'number' ? e.data.customerId : null }
  return { type: 'system' }
}

export function webhookPayload(e: RecordedEvent, conversation: { id: number; number: number } | null): WebhookPayload {
  const { customerId: _customerId, ...details } = e.data
  return {
    type: e.type,
    timestamp: e.createdAt.toISOString(),
    data: { position: Number(e.position), conversation, folderId: e.folderId, actor: actorOf(e), details },
  }
}

/**
 * One delivery per event and endpoint subscribed to it, written in the caller's transaction (the
 * webhook listener's, which moves its position in the log with it: each event is queued exactly
 * once). Conversation events go to every active endpoint that takes their type; a test event to
 * its endpoint alone. Returns how many were queued.
 */
export async function queueWebhookDeliveries(tx: Tx, events: readonly RecordedEvent[]): Promise<number> {
  const wanted = events.filter((e) => (e.conversationId !== null && SENT.has(e.type)) || (e.type === TEST_EVENT && e.targetId !== null))
  if (!wanted.length) return 0
  const tested = wanted.filter((e) => e.type === TEST_EVENT).map((e) => Number(e.targetId))
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { OR: [{ active: true }, { id: { in: tested } }] },
    select: { id: true, active: true, events: true },
  })
  if (!endpoints.length) return 0
  const conversationIds = [...new Set(wanted.map((e) => e.conversationId).filter((id): id is number => id !== null))]
  const numbers = new Map(
    (await tx.conversation.findMany({ where: { id: { in: conversationIds } }, select: { id: true, number: true } })).map((c) => [c.id, c.number]),
  )
  const rows: P.WebhookDeliveryCreateManyInput[] = []
  for (const e of wanted) {
    const to =
      e.type === TEST_EVENT
        ? endpoints.filter((x) => x.id === Number(e.targetId))
        : endpoints.filter((x) => x.active && (!x.events.length || x.events.includes(e.type)))
    if (!to.length) continue
    const number = e.conversationId === null ? undefined : numbers.get(e.conversationId)
    const payload = webhookPayload(e, e.conversationId !== null && number !== undefined ? { id: e.conversationId, number } : null)
    for (const endpoint of to) {
      rows.push({
        endpointId: endpoint.id,
        messageId: webhookMessageId(e.position, endpoint.id),
        eventPosition: BigInt(e.position),
        eventType: e.type,
        conversationId: e.conversationId,
        payload: payload as unknown as P.InputJsonValue,
        // Due when it happened, by the help desk's clock (the worker compares with the same clock).
        nextAttemptAt: e.createdAt,
        createdAt: e.createdAt,
      })
    }
  }
  if (!rows.length) return 0
  // The listener's position makes each event queued once; a unique webhook-id makes sure of it.
  const { count } = await tx.webhookDelivery.createMany({ data: rows, skipDuplicates: true })
  return count
}
