import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../actor.ts'
import { scopeSql, type FolderScope } from '../policy.ts'
import { PREPARED_MARKER } from '../../db/preparedStatements.ts'

export const TABS = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned'] as const
export type Tab = (typeof TABS)[number]

const id = z.coerce.number().int().positive().max(2_147_483_647)

/** The list's query string; anything malformed falls back to "not set" rather than an error page. */
export const listQuerySchema = z.object({
  tab: z.enum(TABS).catch('new'),
  folder: id.optional().catch(undefined),
  /** An agent id, or "none" for unassigned. */
  assignee: z
    .union([id, z.literal('none')])
    .optional()
    .catch(undefined),
  tag: id.optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  /** Keyset cursor: "<lastActivityAt ms>_<id>" of the last row of the previous page. */
  after: z
    .string()
    .regex(/^\d{1,15}_\d{1,10}$/)
    .optional()
    .catch(undefined),
})
export type ListQuery = z.infer<typeof listQuerySchema>

export const PAGE_SIZE = 50

/**
 * Tab counts stop at this number: counting every closed conversation of a big help desk on each
 * list load would cost more than the whole rest of the page. A count equal to COUNT_CAP means
 * "COUNT_CAP or more" (see countTabsDetailed, which says so per tab).
 */
export const COUNT_CAP = 1000

/**
 * A search first collects the matching conversation ids from the three GIN indexes, at most this
 * many rows per source. Below that ("narrow" search: a name, an address, an order number, a rare
 * word) the list and its counts work on that id set and are exact. At or above it ("broad"
 * search, a common word), the list walks the tab newest first and checks each conversation, which
 * finds a page quickly precisely because matches are frequent.
 */
export const SEARCH_CANDIDATES = 5000

/**
 * In a broad search the counts are lower bounds: the matches among the BROAD_COUNT_WINDOW most
 * recent conversations of each tab (exact when the tab is smaller than that).
 */
export const BROAD_COUNT_WINDOW = 50

/**
 * Under a tag filter the counts look at the TAG_COUNT_SAMPLE most recently created conversations
 * with the tag, in one pass: exact for a tag on fewer conversations, lower bounds beyond (a tag's
 * newest conversations hold nearly all of its open work, so New, Open and Pending stay close).
 */
export const TAG_COUNT_SAMPLE = 500

export interface ConversationRow {
  id: number
  number: number
  subject: string
  status: ConversationStatus
  snippet: string
  lastActivityAt: Date
  customerName: string
  customerEmail: string
  assigneeName: string | null
  folderName: string
  tags: { id: number; name: string; colour: string }[]
  /** Other agents who have the conversation open as of this read (presence not expired). */
  viewedBy: string[]
}

const inScope = (scope: FolderScope) => scopeSql(P.sql`c."folderId"`, scope)

const STATUS_TABS = { new: 'new', open: 'open', pending: 'pending', closed: 'closed' } as const

function tabSql(tab: Tab, actor: Actor) {
  switch (tab) {
    case 'all':
      return P.sql`TRUE`
    case 'mine':
      return P.sql`c."assigneeId" = ${actor.id} AND c.status <> 'closed'`
    case 'unassigned':
      return P.sql`c."assigneeId" IS NULL AND c.status <> 'closed'`
    default:
      // A literal, not a parameter: each tab's statement gets a plan of its own when prepared.
      return P.raw(`c.status = '${STATUS_TABS[tab]}'`)
  }
}

/** Folder, assignee and tag filters: they narrow the counts as well as the list. */
function filterSql(q: ListQuery, options: { withTag: boolean } = { withTag: true }) {
  const parts = [P.sql`TRUE`]
  if (q.folder) parts.push(P.sql`c."folderId" = ${q.folder}`)
  if (q.assignee === 'none') parts.push(P.sql`c."assigneeId" IS NULL`)
  else if (q.assignee) parts.push(P.sql`c."assigneeId" = ${q.assignee}`)
  if (q.tag && options.withTag) parts.push(P.sql`EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct."conversationId" = c.id AND ct."tagId" = ${q.tag})`)
  return P.join(parts, ' AND ')
}

// ---------------------------------------------------------------------------------------------
// Search: full-text match on the subject, any message, or the customer's name and address.

type Search = { kind: 'none' } | { kind: 'narrow'; ids: number[] } | { kind: 'broad'; text: string }

const tsquery = (text: string) => P.sql`websearch_to_tsquery('simple', ${text})`

/**
 * Per conversation (the broad strategy): does it match? Checked on the few rows a page needs.
 * Scalar subqueries rather than EXISTS, so the planner cannot turn them into a hash of every
 * match (which for a common word is most of the messages table).
 */
function matchSql(text: string) {
  const query = tsquery(text)
  return P.sql`(c.search @@ ${query}
    OR (SELECT true FROM messages m WHERE m."conversationId" = c.id AND m.search @@ ${query} LIMIT 1) IS NOT NULL
    OR (SELECT true FROM customers cu WHERE cu.id = c."customerId" AND cu.search @@ ${query}) IS NOT NULL)`
}

/**
 * The planner's estimate of the matches in each source (from the column statistics, no scan):
 * a word this common is searched the broad way without collecting anything first.
 */
async function estimatedMatches(prisma: Prisma, text: string): Promise<number> {
  const query = tsquery(text)
  const [row] = await prisma.$queryRaw<{ 'QUERY PLAN': unknown }[]>`
    EXPLAIN (FORMAT JSON)
    SELECT 1 FROM messages m WHERE m.search @@ ${query}
    UNION ALL SELECT 1 FROM conversations c WHERE c.search @@ ${query}
    UNION ALL SELECT 1 FROM customers cu WHERE cu.search @@ ${query}`
  let plan = row?.['QUERY PLAN'] as unknown
  if (typeof plan === 'string') plan = JSON.parse(plan)
  type Node = { 'Plan Rows'?: number; Plans?: Node[] }
  const top = (plan as { Plan?: Node }[] | undefined)?.[0]?.Plan
  const rows = (n: Node | undefined): number[] => (n ? [n['Plan Rows'] ?? 0, ...(n.Plans ?? []).flatMap(rows)] : [])
  return Math.max(0, ...(top?.Plans ?? []).flatMap(rows))
}

/**
 * The ids of the matching conversations when there are few (narrow), else "broad". Each source
 * is limited, so even a misjudged common word stops after SEARCH_CANDIDATES rows.
 */
async function classifySearch(prisma: Prisma, text: string): Promise<Search> {
  if ((await estimatedMatches(prisma, text)) >= SEARCH_CANDIDATES) return { kind: 'broad', text }
  const query = tsquery(text)
  const rows = await prisma.$queryRaw<{ id: number; source: number }[]>`
    (SELECT m."conversationId" AS id, 1 AS source FROM messages m WHERE m.search @@ ${query} LIMIT ${SEARCH_CANDIDATES})
    UNION ALL (SELECT c.id, 2 FROM conversations c WHERE c.search @@ ${query} LIMIT ${SEARCH_CANDIDATES})
    UNION ALL (SELECT c.id, 3 FROM conversations c
               WHERE c."customerId" = ANY (ARRAY(SELECT cu.id FROM customers cu WHERE cu.search @@ ${query} LIMIT ${SEARCH_CANDIDATES}))
               LIMIT ${SEARCH_CANDIDATES})`
  const perSource = [0, 0, 0, 0]
  for (const r of rows) perSource[r.source]!++
  if (perSource.some((n) => n >= SEARCH_CANDIDATES)) return { kind: 'broad', text }
  return { kind: 'narrow', ids: [...new Set(rows.map((r) => r.id))] }
}

// listConversations and countTabs of one request receive the same query object and start in the
// same tick: they share one classification (forgotten on the next turn of the event loop).
const pending = new WeakMap<ListQuery, { prisma: Prisma; search: Promise<Search> }>()

function searchFor(prisma: Prisma, query: ListQuery): Promise<Search> {
  if (!query.q) return Promise.resolve({ kind: 'none' })
  const shared = pending.get(query)
  if (shared && shared.prisma === prisma) return shared.search
  const search = classifySearch(prisma, query.q)
  pending.set(query, { prisma, search })
  setImmediate(() => pending.delete(query))
  return search
}

function searchSql(search: Search) {
  switch (search.kind) {
    case 'none':
      return P.sql`TRUE`
    case 'narrow':
      return search.ids.length ? P.sql`c.id = ANY(${search.ids}::int[])` : P.sql`FALSE`
    case 'broad':
      return matchSql(search.text)
  }
}

// ---------------------------------------------------------------------------------------------

export async function listConversations(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery) {
  const search = await searchFor(prisma, query)
  if (search.kind === 'narrow' && search.ids.length === 0) return { rows: [] as ConversationRow[], nextCursor: null }
  let keyset = P.sql`TRUE`
  if (query.after) {
    const [ms, lastId] = query.after.split('_').map(Number) as [number, number]
    keyset = P.sql`(c."lastActivityAt", c.id) < (${new Date(ms)}::timestamptz, ${lastId})`
  }
  // The page is chosen on conversations alone (an index walk, newest first), then joined to the
  // few names it shows; the tags of its rows and who has them open come in the same round trip.
  // Prepared: planning it cost as much as running it, and its plan (an index walk of the tab,
  // newest first) does not depend on the values. The limits are literals the cached plan knows.
  const prepared = P.raw(PREPARED_MARKER)
  const rows = await prisma.$queryRaw<
    (Omit<ConversationRow, 'tags' | 'viewedBy'> & { tags: ConversationRow['tags'] | null; viewedBy: string[] | null })[]
  >`${prepared}
    WITH page AS MATERIALIZED (
      SELECT c.id, c.number, c.subject, c.status, c.snippet, c."lastActivityAt", c."customerId", c."folderId", c."assigneeId"
      FROM conversations c
      WHERE ${inScope(scope)} AND ${tabSql(query.tab, actor)} AND ${filterSql(query)} AND ${searchSql(search)} AND ${keyset}
      ORDER BY c."lastActivityAt" DESC, c.id DESC
      LIMIT ${P.raw(String(PAGE_SIZE + 1))})
    SELECT p.id, p.number, p.subject, p.status::text AS status, p.snippet, p."lastActivityAt",
           cu.name AS "customerName", cu.email AS "customerEmail", a.name AS "assigneeName", f.name AS "folderName",
           (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name)
            FROM conversation_tags ct JOIN tags t ON t.id = ct."tagId" WHERE ct."conversationId" = p.id) AS tags,
           (SELECT json_agg(v.name ORDER BY v.name) FROM presence pr JOIN agents v ON v.id = pr."agentId"
            WHERE pr."conversationId" = p.id AND pr."expiresAt" > now() AND pr."agentId" <> ${actor.id}) AS "viewedBy"
    FROM page p
    JOIN customers cu ON cu.id = p."customerId"
    JOIN folders f ON f.id = p."folderId"
    LEFT JOIN agents a ON a.id = p."assigneeId"
    ORDER BY p."lastActivityAt" DESC, p.id DESC`
  const hasMore = rows.length > PAGE_SIZE
  const page = rows.slice(0, PAGE_SIZE)
  const last = page.at(-1)
  return {
    rows: page.map((r) => ({ ...r, tags: r.tags ?? [], viewedBy: r.viewedBy ?? [] })) as ConversationRow[],
    nextCursor: hasMore && last ? `${last.lastActivityAt.getTime()}_${last.id}` : null,
  }
}

export interface TabCounts {
  counts: Record<Tab, number>
  /** True where the count is a lower bound ("1,000+"), not the exact number. */
  atLeast: Record<Tab, boolean>
}

/** Counts for every tab, under the same scope and filters, in one query. */
export async function countTabs(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery): Promise<Record<Tab, number>> {
  return (await countTabsDetailed(prisma, actor, scope, query)).counts
}

/**
 * Counts for every tab, under the same scope and filters, in one query; each stops at COUNT_CAP
 * (an index-only walk of at most that many entries), so the cost does not grow with the table.
 * A narrow search counts its few matches exactly; a broad one gives lower bounds.
 */
export async function countTabsDetailed(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery): Promise<TabCounts> {
  const search = await searchFor(prisma, query)
  const where = P.sql`${inScope(scope)} AND ${filterSql(query)}`
  const statuses: Tab[] = ['new', 'open', 'pending', 'closed', 'mine', 'unassigned']
  let row: Record<string, number> | undefined
  let bounded: (n: number, tab: Tab) => boolean

  if (search.kind === 'narrow') {
    if (search.ids.length === 0) row = Object.fromEntries(statuses.map((t) => [t, 0]))
    else {
      ;[row] = await prisma.$queryRaw<Record<string, number>[]>`
        SELECT count(*) FILTER (WHERE c.status = 'new')::int AS new,
               count(*) FILTER (WHERE c.status = 'open')::int AS open,
               count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
               count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
               count(*) FILTER (WHERE c."assigneeId" = ${actor.id} AND c.status <> 'closed')::int AS mine,
               count(*) FILTER (WHERE c."assigneeId" IS NULL AND c.status <> 'closed')::int AS unassigned
        FROM conversations c
        WHERE ${where} AND ${searchSql(search)}`
    }
    bounded = () => false
  } else if (search.kind === 'broad') {
    const window = (tab: Tab) => P.sql`(SELECT count(*)::int FROM (
        SELECT c.id, c."customerId", c.search FROM conversations c WHERE ${where} AND ${tabSql(tab, actor)}
        ORDER BY c."lastActivityAt" DESC, c.id DESC LIMIT ${P.raw(String(BROAD_COUNT_WINDOW))}) c WHERE ${matchSql(search.text)})`
    // With each window, whether the tab holds that many at all (if not, it was checked entirely).
    const size = (tab: Tab) =>
      P.sql`(SELECT count(*)::int FROM (SELECT 1 FROM conversations c WHERE ${where} AND ${tabSql(tab, actor)} LIMIT ${P.raw(String(BROAD_COUNT_WINDOW))}) s)`
    // Prepared: twelve sub-selects took 8 ms to plan; the plan is the same for any word.
    const [both] = await prisma.$queryRaw<Record<string, number>[]>`${P.raw(PREPARED_MARKER)}
      SELECT ${P.join(statuses.flatMap((t) => [P.sql`${window(t)} AS ${P.raw(`"${t}"`)}`, P.sql`${size(t)} AS ${P.raw(`"${t}_size"`)}`]))}`
    row = both
    const sizes = both
    bounded = (_n, tab) => Number(sizes?.[`${tab}_size`] ?? 0) >= BROAD_COUNT_WINDOW
  } else if (query.tag) {
    ;[row] = await prisma.$queryRaw<Record<string, number>[]>`
      WITH recent AS MATERIALIZED (
        SELECT ct."conversationId" AS id FROM conversation_tags ct WHERE ct."tagId" = ${query.tag}
        ORDER BY ct."conversationId" DESC LIMIT ${TAG_COUNT_SAMPLE})
      SELECT count(*) FILTER (WHERE c.status = 'new')::int AS new,
             count(*) FILTER (WHERE c.status = 'open')::int AS open,
             count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
             count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
             count(*) FILTER (WHERE c."assigneeId" = ${actor.id} AND c.status <> 'closed')::int AS mine,
             count(*) FILTER (WHERE c."assigneeId" IS NULL AND c.status <> 'closed')::int AS unassigned,
             (SELECT count(*)::int FROM recent) AS seen
      FROM recent
      -- One primary-key lookup per tagged conversation (OFFSET 0 keeps the planner from turning
      -- this into a merge join that walks the whole conversations table).
      CROSS JOIN LATERAL (SELECT c.status, c."assigneeId" FROM conversations c
                          WHERE c.id = recent.id AND ${inScope(scope)} AND ${filterSql(query, { withTag: false })} OFFSET 0) c`
    const sampled = Number(row?.seen ?? 0) >= TAG_COUNT_SAMPLE
    bounded = () => sampled
  } else {
    // One more than the cap tells "exactly COUNT_CAP" from "more than that".
    const capped = (tab: Tab) =>
      P.sql`(SELECT count(*)::int FROM (SELECT 1 FROM conversations c WHERE ${where} AND ${tabSql(tab, actor)} LIMIT ${P.raw(String(COUNT_CAP + 1))}) s)`
    ;[row] = await prisma.$queryRaw<Record<string, number>[]>`${P.raw(PREPARED_MARKER)}
      SELECT ${P.join(statuses.map((t) => P.sql`${capped(t)} AS ${P.raw(`"${t}"`)}`))}`
    bounded = (n) => n > COUNT_CAP
  }

  const counts = {} as Record<Tab, number>
  const atLeast = {} as Record<Tab, boolean>
  for (const t of statuses) {
    const n = Number(row?.[t] ?? 0)
    atLeast[t] = bounded(n, t)
    counts[t] = search.kind === 'none' && !query.tag ? Math.min(n, COUNT_CAP) : n
  }
  // "All" is the four statuses together; it is a lower bound as soon as one of them is.
  const parts = ['new', 'open', 'pending', 'closed'] as const
  const sum = parts.reduce((s, t) => s + counts[t], 0)
  const partial = parts.some((t) => atLeast[t])
  const cappedPerTab = search.kind === 'none' && !query.tag
  counts.all = cappedPerTab ? Math.min(sum, COUNT_CAP) : sum
  atLeast.all = partial || (cappedPerTab && sum > COUNT_CAP)
  return { counts, atLeast }
}
