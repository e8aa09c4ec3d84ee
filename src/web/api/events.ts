import { z } from 'zod'
import { eventsSince, START_OF_EVENTS, type EventCursor } from '../../domain/events/eventsSince.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import { EventPage } from './directorySchemas.ts'
import { operation, type AnyOperation } from './operation.ts'

/** A position in the log, opaque to callers: the writing transaction and the event's position. */
const encodeCursor = (c: EventCursor) => Buffer.from(`e:${c.tx}:${c.position}`).toString('base64url')

function decodeCursor(text: string): EventCursor | null {
  const m = /^e:(\d{1,20}):(\d{1,19})$/.exec(Buffer.from(text, 'base64url').toString('utf8'))
  if (!m || BigInt(m[1]!) >= 2n ** 64n || BigInt(m[2]!) >= 2n ** 63n) return null
  return { tx: m[1]!, position: m[2]! }
}

const eventsQuery = z.object({
  after: z
    .string()
    .max(200)
    .refine((c) => decodeCursor(c) !== null, { message: schemaMessage('api.error.cursorInvalid') })
    .optional()
    .meta({ description: 'The `next` of the previous answer; none: from the start of the log.' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})

export const eventOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary: 'Events since a position',
    description:
      'The event log in commit order, from a position: the events of conversations in the caller’s folders and, for a token with the admin scope of an admin, the administrative events (agents, folders, tags, settings …). Only settled events are given, so a client that always reads on from `next` never misses one; poll with the last `next` when `more` is false.',
    tag: 'Events',
    scope: 'read',
    query: eventsQuery,
    responses: { 200: { description: 'The next events.', schema: EventPage } },
    async handler({ ctx, query, agent, token }) {
      const after = query.after ? decodeCursor(query.after)! : START_OF_EVENTS
      const page = await eventsSince(ctx.domain, agent, { after, limit: query.limit, administrative: token.scopes.includes('admin') })
      return {
        body: {
          items: page.events.map((e) => ({
            position: e.position,
            type: e.type,
            conversation: e.conversationId !== null && e.conversationNumber !== null ? { id: e.conversationId, number: e.conversationNumber } : null,
            folderId: e.folderId,
            actor: { kind: e.actorKind, agentId: e.actorAgentId },
            target: e.targetType === null ? null : { type: e.targetType, id: e.targetId },
            data: e.data,
            createdAt: e.createdAt.toISOString(),
          })),
          next: encodeCursor(page.next),
          more: page.more,
        },
      }
    },
  }),
]
