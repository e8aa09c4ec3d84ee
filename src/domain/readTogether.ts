import { Prisma as P } from '../generated/prisma/client.ts'
import type { Prisma } from '../db/database.ts'
import { PREPARED_MARKER } from '../db/preparedStatements.ts'

/**
 * One value a page needs, as a scalar sub-select (a count, a flag, a JSON list) and how to read
 * it. A page that needs several reads them together: one statement, one round trip, instead of
 * one query each (src/web/agent/conversations/pageExtras.ts).
 */
export interface Part<T> {
  sql: P.Sql
  read(value: unknown): T
}

export type ReadParts<T extends Record<string, Part<unknown>>> = { [K in keyof T]: T[K] extends Part<infer V> ? V : never }

/** A part that reads nothing (for a value a page only sometimes needs). */
export const NOTHING: Part<null> = { sql: P.sql`NULL`, read: () => null }

/** Each part as a column of one SELECT. */
export async function readTogether<T extends Record<string, Part<unknown>>>(prisma: Prisma, parts: T): Promise<ReadParts<T>> {
  const names = Object.keys(parts)
  if (names.length === 0) return {} as ReadParts<T>
  // Prepared: the parts are small look-ups whose plan does not depend on the values (an agent, a
  // conversation, a folder), and planning them cost as much as running them.
  const [row] = await prisma.$queryRaw<
    Record<string, unknown>[]
  >`${P.raw(PREPARED_MARKER)} SELECT ${P.join(names.map((name, i) => P.sql`${parts[name]!.sql} AS ${P.raw(`"p${i}"`)}`))}`
  return Object.fromEntries(names.map((name, i) => [name, parts[name]!.read(row![`p${i}`])])) as ReadParts<T>
}

/** One part alone (the same SQL as when read with others). */
export async function readPart<T>(prisma: Prisma, part: Part<T>): Promise<T> {
  return (await readTogether(prisma, { value: part })).value
}

/** A json column's value: parsed by the driver, or text when a driver leaves it so. */
export function jsonValue<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
