import type { Tx } from '../../db/database.ts'
import type { DomainContext } from '../context.ts'
import { SYSTEM, type ActorRef } from '../actor.ts'
import { eventsWereRecorded } from '../transaction.ts'
import type { AdminEventType, EventData, NewEvent, RecordedEvent } from './types.ts'

/**
 * Writes events in the caller's transaction (they exist exactly when the change does) and hands
 * them to the reactions that must be atomic with it (outbox rows). Listeners that may come later
 * read the log after commit (src/reactions/eventLog.ts).
 */
export async function recordEvents(ctx: Pick<DomainContext, 'reactions'>, tx: Tx, events: readonly NewEvent[]): Promise<RecordedEvent[]> {
  const rows = await insertEvents(tx, events)
  if (rows.length) eventsWereRecorded()
  for (const reaction of ctx.reactions) await reaction.inTransaction(tx, rows)
  return rows
}

/**
 * An administrator's change (agent invited, folder deleted, settings saved …), for the audit and
 * for the listeners that read the log after commit. No reaction runs in its transaction: the
 * e-mails such changes send carry secrets (invitation and reset links) that the log must not hold,
 * so their commands write them.
 */
export async function recordAdminEvent(
  tx: Tx,
  e: { type: AdminEventType; agentId: number | null; at: Date; target: { type: string; id?: string | number | null }; data?: EventData },
): Promise<RecordedEvent> {
  const actor: ActorRef = e.agentId === null ? SYSTEM : { kind: 'agent', agent: { id: e.agentId, name: '', email: '', role: 'agent' } }
  const [row] = await insertEvents(tx, [{ type: e.type, actor, at: e.at, target: e.target, data: e.data }])
  eventsWereRecorded()
  return row!
}

async function insertEvents(tx: Tx, events: readonly NewEvent[]): Promise<RecordedEvent[]> {
  if (events.length === 0) return []
  const col = <T>(f: (e: NewEvent) => T) => events.map(f)
  const dataObjects = events.map(dataOf)
  const data = dataObjects.map((d) => JSON.stringify(d))
  // One statement whatever the number of events: a sweep batch records thousands.
  // Positions come back alone: the rest is what was sent (a batch's data is not parsed again).
  // They are taken in the order of the sorted rows, so the n-th smallest is the n-th event's.
  const rows = await tx.$queryRaw<{ position: bigint }[]>`
    INSERT INTO events ("type", "conversationId", "folderId", "actorKind", "actorAgentId", "targetType", "targetId", "data", "createdAt")
    SELECT t.type, t.cid, t.fid, t.kind::"ActorKind", t.aid, t.ttype, t.tid, t.data::jsonb, t.at
    FROM unnest(${col((e) => e.type)}::text[], ${col((e) => e.conversation?.id ?? null)}::int[], ${col((e) => e.conversation?.folderId ?? null)}::int[],
                ${col((e) => e.actor.kind)}::text[], ${col((e) => (e.actor.kind === 'agent' ? e.actor.agent.id : null))}::int[],
                ${col((e) => e.target?.type ?? null)}::text[], ${col((e) => (e.target?.id == null ? null : String(e.target.id)))}::text[],
                ${data}::text[], ${col((e) => e.at)}::timestamptz[])
         WITH ORDINALITY AS t(type, cid, fid, kind, aid, ttype, tid, data, at, n)
    ORDER BY t.n
    RETURNING "position"`
  const positions = rows.map((r) => BigInt(r.position)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return events.map((e, i) => ({
    position: positions[i]!,
    type: e.type,
    conversationId: e.conversation?.id ?? null,
    folderId: e.conversation?.folderId ?? null,
    actorKind: e.actor.kind,
    actorAgentId: e.actor.kind === 'agent' ? e.actor.agent.id : null,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id == null ? null : String(e.target.id),
    data: dataObjects[i]!,
    createdAt: e.at,
  }))
}

/** A customer's id travels with what they did, as history shows it. */
function dataOf(e: NewEvent) {
  return e.actor.kind === 'customer' ? { ...e.data, customerId: e.actor.customerId } : (e.data ?? {})
}

/**
 * A reaction that must commit or fail with the change: it writes its rows (an e-mail in the
 * outbox) in the same transaction.
 */
export interface TransactionalReaction {
  readonly name: string
  inTransaction(tx: Tx, events: readonly RecordedEvent[]): Promise<void>
  /**
   * Work that must not hold the transaction's locks (rendering an e-mail), run once the change
   * has committed. It must also be safe to run later by someone else: a crash can come between.
   */
  afterCommit?(): Promise<void>
}
