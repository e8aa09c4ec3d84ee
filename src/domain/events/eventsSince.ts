import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, can, folderScope, INSTANCE, scopeSql } from '../policy.ts'

/**
 * The event log read from a position by an outside reader (the API), limited to what the agent
 * may see: events of conversations in their folders and, when asked by an administrator, the
 * administrative events. Read as the log's own listeners read it (src/reactions/eventLog.ts): in
 * (tx, position) order and only from transactions older than every running one, so an event
 * committed late still sorts after the reader's cursor and is never skipped.
 */

/** Where a reader has got to: the writing transaction (xid8, as text) and the position. */
export interface EventCursor {
  tx: string
  position: string
}

export const START_OF_EVENTS: EventCursor = { tx: '0', position: '0' }

export interface VisibleEvent {
  position: string
  tx: string
  type: string
  conversationId: number | null
  conversationNumber: number | null
  folderId: number | null
  actorKind: 'agent' | 'customer' | 'system'
  actorAgentId: number | null
  targetType: string | null
  targetId: string | null
  data: Record<string, unknown>
  createdAt: Date
}

export interface EventsPage {
  events: VisibleEvent[]
  /** Where to read on from: after the last event given, or past every settled event when the page is not full. */
  next: EventCursor
  more: boolean
}

export async function eventsSince(ctx: QueryContext, agent: Actor, input: { after: EventCursor; limit: number; administrative: boolean }): Promise<EventsPage> {
  authorize(agent, 'read', INSTANCE)
  const scope = await folderScope(ctx.prisma, agent)
  const administrative = input.administrative && can(agent, 'administer', INSTANCE)
  const visible = administrative
    ? P.sql`((e."conversationId" IS NOT NULL AND ${scopeSql(P.sql`e."folderId"`, scope)}) OR (e."conversationId" IS NULL AND e."targetType" IS NOT NULL))`
    : P.sql`(e."conversationId" IS NOT NULL AND ${scopeSql(P.sql`e."folderId"`, scope)})`
  // The settled horizon and the page come from one statement, hence one snapshot.
  const [row] = await ctx.prisma.$queryRaw<{ horizon: string; events: (Omit<VisibleEvent, 'createdAt'> & { createdAt: string })[] }[]>`
    WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
    page AS (
      SELECT e."position"::text AS "position", e."tx", e."type", e."conversationId", c."number" AS "conversationNumber", e."folderId",
             e."actorKind"::text AS "actorKind", e."actorAgentId", e."targetType", e."targetId", e."data", e."createdAt"
      FROM events e LEFT JOIN conversations c ON c.id = e."conversationId"
      WHERE (e."tx", e."position") > (${input.after.tx}::xid8, ${input.after.position}::bigint)
        AND e."tx" < (SELECT xmin FROM horizon)
        AND ${visible}
      ORDER BY e."tx", e."position"
      LIMIT ${input.limit + 1})
    SELECT (SELECT xmin::text FROM horizon) AS horizon,
           COALESCE((SELECT json_agg(json_build_object(
             'position', p."position", 'tx', p."tx"::text, 'type', p."type", 'conversationId', p."conversationId",
             'conversationNumber', p."conversationNumber", 'folderId', p."folderId", 'actorKind', p."actorKind", 'actorAgentId', p."actorAgentId",
             'targetType', p."targetType", 'targetId', p."targetId", 'data', p."data", 'createdAt', p."createdAt") ORDER BY p."tx", p."position") FROM page p), '[]'::json) AS events`
  const rows = row!.events
  const more = rows.length > input.limit
  const events = rows.slice(0, input.limit).map((e) => ({ ...e, createdAt: new Date(e.createdAt) }))
  const last = events.at(-1)
  // A page that is not full has read every settled event: the next read starts at the horizon,
  // so events the agent may not see are not scanned again at every poll.
  const next = more ? { tx: last!.tx, position: last!.position } : { tx: row!.horizon, position: '0' }
  return { events, next: laterOf(next, input.after), more }
}

/** The cursor further on (a reader never goes back, even when the horizon is behind its cursor). */
function laterOf(a: EventCursor, b: EventCursor): EventCursor {
  const [ta, tb] = [BigInt(a.tx), BigInt(b.tx)]
  if (ta !== tb) return ta > tb ? a : b
  return BigInt(a.position) >= BigInt(b.position) ? a : b
}
