import type { Prisma } from '../../db/database.ts'
import { scopeSql, type FolderScope } from '../policy.ts'
import { jsonValue, readPart, type Part } from '../readTogether.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import { lexemesOf, lexemeTsquery, MIN_PREFIX_LENGTH } from './searchQuery.ts'

export interface FilterOptions {
  /** The folders in the agent's scope, in their configured order. */
  folders: { id: number; name: string }[]
  tags: { id: number; name: string; colour: string }[]
  /** Active agents, for assignee menus. */
  agents: { id: number; name: string }[]
}

// Calls for the same scope started in the same tick share one statement: a search with typed
// names (tag:vip) resolves them while the list page asks for its menus (forgotten on the next turn).
const underWay = new WeakMap<Prisma, Map<string, Promise<FilterOptions>>>()

/**
 * What the filter and assignee menus offer, in one round trip: the list page asks on every view,
 * and three small queries cost more in the app than the rows they return.
 */
export function filterOptions(prisma: Prisma, scope: FolderScope): Promise<FilterOptions> {
  const key = scope === null ? '*' : scope.join(',')
  let started = underWay.get(prisma)
  const shared = started?.get(key)
  if (shared) return shared
  if (!started) underWay.set(prisma, (started = new Map()))
  const options = readPart(prisma, filterOptionsPart(scope))
  started.set(key, options)
  setImmediate(() => started.delete(key))
  return options
}

/** The same, as a part of a page's one statement (src/domain/readTogether.ts). */
export function filterOptionsPart(scope: FolderScope): Part<FilterOptions> {
  return {
    sql: P.sql`json_build_object(
      'folders', (SELECT coalesce(json_agg(json_build_object('id', f.id, 'name', f.name) ORDER BY f.position, f.name), '[]')
                  FROM folders f WHERE ${scopeSql(P.sql`f.id`, scope)}),
      'tags', (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name), '[]') FROM tags t),
      'agents', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name) ORDER BY a.name), '[]') FROM agents a WHERE a.active))`,
    read: (value) => jsonValue<FilterOptions>(value),
  }
}

const SUGGESTED_CONVERSATIONS = 5
const SUGGESTED_CUSTOMERS = 3

export interface SearchSuggestions {
  /** The most recently active conversations whose subject has a word starting with the typed one. */
  conversations: { number: number; subject: string }[]
  /** Customers with a conversation in the agent's folders whose name or address has such a word. */
  customers: { name: string; email: string }[]
}

/**
 * What the search box suggests for a word being typed, within the agent's folders: a few
 * conversations by subject and customers by name or address, in one round trip. Nothing for a
 * word shorter than the minimum prefix (one letter would match half the index).
 */
export async function searchSuggestions(prisma: Prisma, scope: FolderScope, word: string): Promise<SearchSuggestions> {
  const lexemes = lexemesOf(word)
  if (!lexemes.length || lexemes.at(-1)!.length < MIN_PREFIX_LENGTH) return { conversations: [], customers: [] }
  const query = P.sql`to_tsquery('simple', ${lexemeTsquery(lexemes, { prefix: true })})`
  const [row] = await prisma.$queryRaw<SearchSuggestions[]>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('number', x.number, 'subject', x.subject)), '[]') FROM (
         SELECT c.number, c.subject FROM conversations c
         WHERE c.search @@ ${query} AND ${scopeSql(P.sql`c."folderId"`, scope)}
         ORDER BY c."lastActivityAt" DESC LIMIT ${SUGGESTED_CONVERSATIONS}) x) AS conversations,
      (SELECT coalesce(json_agg(json_build_object('name', x.name, 'email', x.email)), '[]') FROM (
         SELECT cu.name, cu.email FROM customers cu
         WHERE cu.search @@ ${query}
           AND EXISTS (SELECT 1 FROM conversations c WHERE c."customerId" = cu.id AND ${scopeSql(P.sql`c."folderId"`, scope)})
         ORDER BY cu."updatedAt" DESC LIMIT ${SUGGESTED_CUSTOMERS}) x) AS customers`
  return row ?? { conversations: [], customers: [] }
}
