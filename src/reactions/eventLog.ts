import type { Tx, Prisma } from '../db/database.ts'
import type { RecordedEvent } from '../domain/events/types.ts'

/**
 * Where a reader of the log has got to. Positions come from a sequence, so a transaction can
 * commit an event with a lower position after one with a higher position is visible. Readers
 * therefore take only events of transactions older than every running one (they can no longer
 * change) and go in (tx, position) order: an event committed late sorts after what was read.
 */
export interface LogCursor {
  /** The writing transaction, as text (PostgreSQL's xid8). */
  tx: string
  position: string
}

const COLUMNS = `"position", "tx"::text AS "tx", "type", "conversationId", "folderId", "actorKind"::text AS "actorKind", "actorAgentId", "targetType", "targetId", "data", "createdAt"`

export type LoggedEvent = RecordedEvent & { tx: string }

/** The next settled events after the cursor, oldest first. */
export async function readLog(db: Prisma | Tx, after: LogCursor, limit: number): Promise<LoggedEvent[]> {
  return db.$queryRawUnsafe<LoggedEvent[]>(
    `SELECT ${COLUMNS} FROM events
     WHERE ("tx", "position") > ($1::xid8, $2::bigint) AND "tx" < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY "tx", "position" LIMIT $3`,
    after.tx,
    after.position,
    limit,
  )
}

/** A cursor before every event still to come: what a new reader that wants no past starts at. */
export async function endOfLog(db: Prisma | Tx): Promise<LogCursor> {
  const [row] = await db.$queryRaw<LogCursor[]>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS tx, '0' AS position`
  return row!
}

export const START_OF_LOG: LogCursor = { tx: '0', position: '0' }

export const cursorAfter = (e: LoggedEvent): LogCursor => ({ tx: e.tx, position: String(e.position) })

/**
 * Events after a position, in position order, whether or not older transactions are still
 * running: for readers that must not wait for a long transaction elsewhere in the cluster (live
 * updates) and accept that a late event can be missed once its gap has waited long enough.
 */
export async function readRecent(db: Prisma, afterPosition: bigint, limit: number): Promise<LoggedEvent[]> {
  return db.$queryRawUnsafe<LoggedEvent[]>(
    `SELECT ${COLUMNS} FROM events WHERE "position" > $1::bigint ORDER BY "position" LIMIT $2`,
    String(afterPosition),
    limit,
  )
}

/** The highest position written so far (committed or not). */
export async function lastPosition(db: Prisma): Promise<bigint> {
  const [row] = await db.$queryRaw<{ p: bigint }[]>`SELECT COALESCE(max("position"), 0)::bigint AS p FROM events`
  return BigInt(row!.p)
}
