import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import type { Actor } from '../actor.ts'
import { scopeSql, type FolderScope } from '../policy.ts'
import { PREPARED_MARKER } from '../../db/preparedStatements.ts'
import type { Message } from '../../i18n/translate.ts'
import { filterOptions } from './filterOptions.ts'
import { wakeTime } from './snooze.ts'
import { lexemeTsquery, needsNames, parseSearchQuery, resolveFilters, type ParsedSearch, type SearchCriteria, type SearchNames } from './searchQuery.ts'

export const TABS = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned', 'snoozed'] as const
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
  /** Keyset cursor the other way: the first row of the next page; the rows just newer than it ("after" wins over it). */
  before: z
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
  /** Set in the Snoozed tab only: when it comes back (null: when the customer answers). */
  snooze?: { until: Date | null }
}

const inScope = (scope: FolderScope) => scopeSql(P.sql`c."folderId"`, scope)

const STATUS_TABS = { new: 'new', open: 'open', pending: 'pending', closed: 'closed' } as const

/**
 * Snoozed conversations leave every tab but Snoozed. A closed conversation is never snoozed (closing
 * ends a snooze), so Closed needs no condition.
 */
const NOT_SNOOZED = P.raw(`c."snoozedAt" IS NULL`)

/**
 * The Snoozed tab: every snoozed conversation has a wake time (a far one when it waits for the
 * customer, see snooze.ts), so the snoozedUntil index holds them all, and only them.
 */
const SNOOZED = P.raw(`c."snoozedUntil" IS NOT NULL`)

/** A tab's own condition, snoozed conversations included: the counts take those out on their own (see countTabsDetailed). */
function tabBaseSql(tab: Tab, actor: Actor) {
  switch (tab) {
    case 'all':
      return P.sql`TRUE`
    case 'mine':
      return P.sql`c."assigneeId" = ${actor.id} AND c.status <> 'closed'`
    case 'unassigned':
      return P.sql`c."assigneeId" IS NULL AND c.status <> 'closed'`
    case 'snoozed':
      return SNOOZED
    default:
      // A literal, not a parameter: each tab's statement gets a plan of its own when prepared.
      return P.raw(`c.status = '${STATUS_TABS[tab]}'`)
  }
}

/** A tab's rows: its condition, without the snoozed conversations (but in Snoozed, and Closed which has none). */
function tabSql(tab: Tab, actor: Actor) {
  return tab === 'snoozed' || tab === 'closed' ? tabBaseSql(tab, actor) : P.sql`${tabBaseSql(tab, actor)} AND ${NOT_SNOOZED}`
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
// Search: full-text match on the subject, any message, or the customer's name and address, and
// the filters typed with the words (read by searchQuery.ts: from:, status:, tag:, folder:,
// assignee:, before:, after:).

/** Plain column conditions of the typed filters (status, folder, assignee, dates): applied in every case. */
interface SearchFilters {
  filters: P.Sql
  /** The statuses asked for by `status:`: the other status tabs count nothing. */
  statuses: readonly ConversationStatus[] | null
}

/**
 * How a search finds its conversations. "narrow": their ids were collected (few), each still
 * checked by `match` for the parts that were too common to collect; "broad": the list walks the
 * tab newest first and checks each conversation with `match`; "none": no word, customer or tag.
 */
type Search =
  (SearchFilters & { kind: 'none' }) | (SearchFilters & { kind: 'narrow'; ids: number[]; match: P.Sql }) | (SearchFilters & { kind: 'broad'; match: P.Sql })

/**
 * The words, phrases and prefixes as one tsquery, put together by PostgreSQL from plain text
 * (plainto/phraseto_tsquery) and from prefixes of letters and digits only: nothing typed is read
 * as tsquery syntax.
 */
function textQuery(parsed: ParsedSearch): P.Sql | null {
  const parts: P.Sql[] = []
  if (parsed.words.length) parts.push(P.sql`plainto_tsquery('simple', ${parsed.words.join(' ')})`)
  for (const phrase of parsed.phrases) parts.push(P.sql`phraseto_tsquery('simple', ${phrase})`)
  if (parsed.prefixes.length) parts.push(P.sql`to_tsquery('simple', ${lexemeTsquery(parsed.prefixes, { prefix: true })})`)
  return parts.length ? P.sql`(${P.join(parts, ' && ')})` : null
}

/**
 * Per conversation (the broad strategy): does it match? Checked on the few rows a page needs.
 * Scalar subqueries rather than EXISTS, so the planner cannot turn them into a hash of every
 * match (which for a common word is most of the messages table).
 */
function matchSql(query: P.Sql) {
  return P.sql`(c.search @@ ${query}
    OR (SELECT true FROM messages m WHERE m."conversationId" = c.id AND m.search @@ ${query} LIMIT 1) IS NOT NULL
    OR (SELECT true FROM customers cu WHERE cu.id = c."customerId" AND cu.search @@ ${query}) IS NOT NULL)`
}

/**
 * The planner's estimate of the matches in each source (from the column statistics, no scan):
 * a word this common is searched the broad way without collecting anything first.
 */
async function estimatedMatches(prisma: Prisma, query: P.Sql): Promise<number> {
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

/** How long the lexemes read from the statistics are trusted (ANALYZE refreshes them as rarely). */
const COMMON_LEXEMES_TTL_MS = 10 * 60_000
/** At most this many common lexemes stand in for a prefix in the estimate. */
const COMMON_LEXEMES_PER_PREFIX = 50
const commonLexemesRead = new WeakMap<Prisma, { at: number; lexemes: Promise<string[]> }>()

/**
 * The most frequent lexemes of the searched columns, as ANALYZE keeps them (pg_stats), most
 * frequent first: what a prefix is likely to match. Read only for prefix searches, at most every
 * few minutes per process; without statistics, none.
 */
function commonLexemes(prisma: Prisma): Promise<string[]> {
  const now = Date.now()
  const cached = commonLexemesRead.get(prisma)
  if (cached && now - cached.at < COMMON_LEXEMES_TTL_MS) return cached.lexemes
  const lexemes = prisma.$queryRaw<{ lexeme: string }[]>`
    SELECT e.lexeme FROM pg_stats s
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, frequency)
    WHERE s.schemaname = current_schema() AND s.attname = 'search' AND s.tablename IN ('messages', 'conversations', 'customers')
      AND e.lexeme IS NOT NULL
    ORDER BY e.frequency DESC`.then(
    (rows) => [...new Set(rows.map((r) => r.lexeme))],
    () => [],
  )
  commonLexemesRead.set(prisma, { at: now, lexemes })
  return lexemes
}

/** A lexeme in tsquery's own syntax, quoted (for the estimate only: these come from the statistics, not from the search box). */
const quotedLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

/**
 * The planner estimates `ref:*` with a fixed guess, so a prefix of common words ("re" for
 * "refund", "reply"…) would look rare and be collected at great cost. For the estimate, each
 * prefix also stands for the common lexemes it starts (`'ref':* | 'refund' | 'reference'`), whose
 * frequencies the planner knows.
 */
async function estimatedTextMatches(prisma: Prisma, parsed: ParsedSearch, query: P.Sql): Promise<number> {
  if (!parsed.prefixes.length) return estimatedMatches(prisma, query)
  const common = await commonLexemes(prisma)
  const parts: P.Sql[] = []
  if (parsed.words.length) parts.push(P.sql`plainto_tsquery('simple', ${parsed.words.join(' ')})`)
  for (const phrase of parsed.phrases) parts.push(P.sql`phraseto_tsquery('simple', ${phrase})`)
  for (const prefix of parsed.prefixes) {
    const started = common.filter((l) => l.startsWith(prefix)).slice(0, COMMON_LEXEMES_PER_PREFIX)
    const own = P.sql`to_tsquery('simple', ${lexemeTsquery([prefix], { prefix: true })})`
    parts.push(started.length ? P.sql`(${own} || ${started.map(quotedLexeme).join(' | ')}::tsquery)` : own)
  }
  return estimatedMatches(prisma, P.sql`(${P.join(parts, ' && ')})`)
}

/** One thing a conversation must match: checked per row, and (when not too common) collected as ids first. */
interface Criterion {
  match: P.Sql
  /** Statements each selecting matching conversation ids (at most SEARCH_CANDIDATES); null: too common to collect. */
  sources: P.Sql[] | null
}

const customerConversations = (customers: P.Sql) =>
  P.sql`SELECT c.id FROM conversations c WHERE c."customerId" = ANY (ARRAY(${customers} LIMIT ${SEARCH_CANDIDATES})) LIMIT ${SEARCH_CANDIDATES}`

function textCriterion(query: P.Sql, estimate: number): Criterion {
  return {
    match: matchSql(query),
    sources:
      estimate >= SEARCH_CANDIDATES
        ? null
        : [
            P.sql`SELECT m."conversationId" AS id FROM messages m WHERE m.search @@ ${query} LIMIT ${SEARCH_CANDIDATES}`,
            P.sql`SELECT c.id FROM conversations c WHERE c.search @@ ${query} LIMIT ${SEARCH_CANDIDATES}`,
            customerConversations(P.sql`SELECT cu.id FROM customers cu WHERE cu.search @@ ${query}`),
          ],
  }
}

/** `from:`: the customer's name or address has a word starting with each typed word. */
function customerCriterion(lexemes: string[]): Criterion {
  const query = P.sql`to_tsquery('simple', ${lexemeTsquery(lexemes, { prefix: true })})`
  return {
    match: P.sql`(SELECT true FROM customers cu WHERE cu.id = c."customerId" AND cu.search @@ ${query}) IS NOT NULL`,
    sources: [customerConversations(P.sql`SELECT cu.id FROM customers cu WHERE cu.search @@ ${query}`)],
  }
}

/** `tag:`: one of the tags the name matched. */
function tagCriterion(tagIds: number[]): Criterion {
  return {
    match: P.sql`EXISTS (SELECT 1 FROM conversation_tags ct WHERE ct."conversationId" = c.id AND ct."tagId" = ANY(${tagIds}::int[]))`,
    sources: [P.sql`SELECT ct."conversationId" AS id FROM conversation_tags ct WHERE ct."tagId" = ANY(${tagIds}::int[]) LIMIT ${SEARCH_CANDIDATES}`],
  }
}

/**
 * The ids of the conversations matching every criterion that has few matches (narrow), the
 * others checked per row; else "broad". Each source is limited, so even a misjudged common word
 * stops after SEARCH_CANDIDATES rows. One statement for every source.
 */
async function collectCandidates(
  prisma: Prisma,
  criteria: Criterion[],
): Promise<{ kind: 'narrow'; ids: number[]; match: P.Sql } | { kind: 'broad'; match: P.Sql }> {
  const sources = criteria.flatMap((c, criterion) => (c.sources ?? []).map((sql) => ({ criterion, sql })))
  const rows = sources.length
    ? await prisma.$queryRaw<{ id: number; source: number }[]>`${P.join(
        sources.map((s, i) => P.sql`(SELECT s.id, ${P.raw(String(i))} AS source FROM (${s.sql}) s)`),
        ' UNION ALL ',
      )}`
    : []
  const perSource = sources.map(() => [] as number[])
  for (const r of rows) perSource[r.source]!.push(r.id)
  const collected = criteria.map((c, i) => {
    const own = sources.flatMap((s, k) => (s.criterion === i ? [k] : []))
    if (!c.sources || own.some((k) => perSource[k]!.length >= SEARCH_CANDIDATES)) return null
    return new Set(own.flatMap((k) => perSource[k]!))
  })
  const checked = (keep: (i: number) => boolean) => {
    const parts = criteria.filter((_, i) => keep(i)).map((c) => c.match)
    return parts.length ? P.join(parts, ' AND ') : P.sql`TRUE`
  }
  const narrow = collected.filter((s): s is Set<number> => s !== null)
  if (narrow.length === 0) return { kind: 'broad', match: checked(() => true) }
  const [first, ...others] = narrow
  const ids = [...first!].filter((id) => others.every((s) => s.has(id)))
  return { kind: 'narrow', ids, match: checked((i) => collected[i] === null) }
}

/** The typed filters that are plain column conditions. Statuses are literals from the enum (a plan per set, like the tabs). */
function criteriaSql(criteria: SearchCriteria): P.Sql {
  const parts: P.Sql[] = []
  if (criteria.statuses) parts.push(P.raw(`c.status IN (${criteria.statuses.map((s) => `'${STATUS_TABS[s]}'`).join(', ')})`))
  if (criteria.folderIds) parts.push(P.sql`c."folderId" = ANY(${criteria.folderIds}::int[])`)
  if (criteria.assignees) {
    const { ids, none } = criteria.assignees
    const either = [...(ids.length ? [P.sql`c."assigneeId" = ANY(${ids}::int[])`] : []), ...(none ? [P.sql`c."assigneeId" IS NULL`] : [])]
    parts.push(P.sql`(${P.join(either, ' OR ')})`)
  }
  if (criteria.activityBefore) parts.push(P.sql`c."lastActivityAt" < ${criteria.activityBefore}::timestamptz`)
  if (criteria.activityFrom) parts.push(P.sql`c."lastActivityAt" >= ${criteria.activityFrom}::timestamptz`)
  return parts.length ? P.join(parts, ' AND ') : P.sql`TRUE`
}

const NO_FILTERS: SearchFilters = { filters: P.sql`TRUE`, statuses: null }

async function classifySearch(prisma: Prisma, actor: Actor, scope: FolderScope, q: string): Promise<Search> {
  const parsed = parseSearchQuery(q)
  const text = textQuery(parsed)
  // Both started now, in the request's first tick: the list page asks for the same menus at this
  // moment and shares the statement (filterOptions joins a request already under way).
  const [names, estimate] = await Promise.all([needsNames(parsed) ? filterOptions(prisma, scope) : null, text ? estimatedTextMatches(prisma, parsed, text) : 0])
  const { criteria, problems } = resolveFilters(parsed, names, actor)
  const filters: SearchFilters = { filters: criteriaSql(criteria), statuses: criteria.statuses }
  // A filter that matches nothing (see searchProblems) leaves the list empty.
  if (problems.length) return { ...filters, kind: 'narrow', ids: [], match: P.sql`TRUE` }
  const criteriaToMatch = [
    ...(text ? [textCriterion(text, estimate)] : []),
    ...(criteria.from.length ? [customerCriterion(criteria.from)] : []),
    ...criteria.tagGroups.map(tagCriterion),
  ]
  if (criteriaToMatch.length === 0) return { ...filters, kind: 'none' }
  return { ...filters, ...(await collectCandidates(prisma, criteriaToMatch)) }
}

// listConversations and countTabs of one request receive the same query object and start in the
// same tick: they share one classification (forgotten on the next turn of the event loop).
const pending = new WeakMap<ListQuery, { prisma: Prisma; search: Promise<Search> }>()

function searchFor(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery): Promise<Search> {
  if (!query.q) return Promise.resolve({ ...NO_FILTERS, kind: 'none' })
  const shared = pending.get(query)
  if (shared && shared.prisma === prisma) return shared.search
  const search = classifySearch(prisma, actor, scope, query.q)
  pending.set(query, { prisma, search })
  setImmediate(() => pending.delete(query))
  return search
}

/** The ids collected and the per-row checks, without the typed column filters. */
function candidateSql(search: Search) {
  switch (search.kind) {
    case 'none':
      return P.sql`TRUE`
    case 'narrow':
      return search.ids.length ? P.sql`c.id = ANY(${search.ids}::int[]) AND ${search.match}` : P.sql`FALSE`
    case 'broad':
      return search.match
  }
}

function searchSql(search: Search) {
  return P.sql`${candidateSql(search)} AND ${search.filters}`
}

/**
 * The typed filters that match nothing, as messages for the list, from the query and the names
 * the page shows anyway (no statement of its own).
 */
export function searchProblems(query: ListQuery, names: SearchNames): Message[] {
  // Which filters match nothing does not depend on who asks ("me" always matches).
  return query.q ? resolveFilters(parseSearchQuery(query.q), names, { id: 0 }).problems : []
}

// ---------------------------------------------------------------------------------------------

/** A row's place in the list's order (last activity, then id, newest first); cursors carry it. */
export interface ListPosition {
  lastActivityAt: Date
  id: number
}

/** The cursor of a row: "<lastActivityAt ms>_<id>" (timestamps are stored to the millisecond). */
export function cursorOf(position: ListPosition): string {
  return `${position.lastActivityAt.getTime()}_${position.id}`
}

function positionOf(cursor: string): ListPosition {
  const [ms, id] = cursor.split('_').map(Number) as [number, number]
  return { lastActivityAt: new Date(ms), id }
}

/** Rows after the position in the list's order ('older'), or before it ('newer'); 'newer or at' includes it. */
function beyond(position: ListPosition, direction: 'older' | 'newer' | 'newer or at') {
  const operator = { older: '<', newer: '>', 'newer or at': '>=' }[direction]
  return P.sql`(c."lastActivityAt", c.id) ${P.raw(operator)} (${position.lastActivityAt}::timestamptz, ${position.id})`
}

/** Index order for walking away from a position: newest first for older rows, oldest first for newer ones. */
const walk = (direction: 'older' | 'newer') => (direction === 'older' ? P.raw(`c."lastActivityAt" DESC, c.id DESC`) : P.raw(`c."lastActivityAt" ASC, c.id ASC`))

/** The list's rows: its tab, filters and search, within the agent's folders. */
function listWhere(actor: Actor, scope: FolderScope, query: ListQuery, search: Search) {
  return P.sql`${inScope(scope)} AND ${tabSql(query.tab, actor)} AND ${filterSql(query)} AND ${searchSql(search)}`
}

export interface ListPage {
  rows: ConversationRow[]
  /** The cursor of the next page down (older rows), if there are more. */
  nextCursor: string | null
  /** The cursor of the page above (newer rows); null on the first page, and on a page left empty (link to the first). */
  prevCursor: string | null
  /** Nothing newer than these rows: the first page. */
  isFirstPage: boolean
  /**
   * How many rows of the list come before this page (0 on the first page, which does not count
   * them). Counting stops past COUNT_CAP, like the tab counts: then `atLeast` is set.
   */
  rowsBefore: { count: number; atLeast: boolean }
}

/**
 * One page of the list, newest first. Without a cursor, the first page; with `after`, the page
 * below that row; with `before`, the page above that row (walked oldest first, then turned round).
 * A page with a cursor also counts the rows above it, in the same statement; the first page sends
 * exactly the statement it always has.
 */
export async function listConversations(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery): Promise<ListPage> {
  const search = await searchFor(prisma, actor, scope, query)
  if (query.tab === 'snoozed') return listSnoozed(prisma, actor, scope, query, search)
  const cursor = query.after ?? query.before
  const direction = query.after || !query.before ? 'older' : 'newer'
  if (search.kind === 'narrow' && search.ids.length === 0)
    return { rows: [], nextCursor: null, prevCursor: null, isFirstPage: !cursor, rowsBefore: { count: 0, atLeast: false } }
  const where = listWhere(actor, scope, query, search)
  const at = cursor ? positionOf(cursor) : null
  // The rows above the page, counted up to a bound (an index walk from the top down to the cursor).
  // Above a `before` page are the rows newer than the cursor less the page itself, hence the wider bound.
  const countLimit = direction === 'older' ? COUNT_CAP + 1 : COUNT_CAP + PAGE_SIZE + 1
  const above = at
    ? P.sql`, (SELECT count(*)::int FROM (SELECT 1 FROM conversations c WHERE ${where} AND ${beyond(
        at,
        direction === 'older' ? 'newer or at' : 'newer',
      )} LIMIT ${P.raw(String(countLimit))}) s) AS "rowsAbove"`
    : P.empty
  // The page is chosen on conversations alone (an index walk, newest first), then joined to the
  // few names it shows; the tags of its rows and who has them open come in the same round trip.
  // Prepared: planning it cost as much as running it, and its plan (an index walk of the tab,
  // newest first) does not depend on the values. The limits are literals the cached plan knows.
  const prepared = P.raw(PREPARED_MARKER)
  const rows = await prisma.$queryRaw<
    (Omit<ConversationRow, 'tags' | 'viewedBy'> & { tags: ConversationRow['tags'] | null; viewedBy: string[] | null; rowsAbove?: number })[]
  >`${prepared}
    WITH page AS MATERIALIZED (
      SELECT c.id, c.number, c.subject, c.status, c.snippet, c."lastActivityAt", c."customerId", c."folderId", c."assigneeId"
      FROM conversations c
      WHERE ${where} AND ${at ? beyond(at, direction) : P.sql`TRUE`}
      ORDER BY ${walk(direction)}
      LIMIT ${P.raw(String(PAGE_SIZE + 1))})
    SELECT p.id, p.number, p.subject, p.status::text AS status, p.snippet, p."lastActivityAt",
           cu.name AS "customerName", cu.email AS "customerEmail", a.name AS "assigneeName", f.name AS "folderName",
           (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name)
            FROM conversation_tags ct JOIN tags t ON t.id = ct."tagId" WHERE ct."conversationId" = p.id) AS tags,
           (SELECT json_agg(v.name ORDER BY v.name) FROM presence pr JOIN agents v ON v.id = pr."agentId"
            WHERE pr."conversationId" = p.id AND pr."expiresAt" > now() AND pr."agentId" <> ${actor.id}) AS "viewedBy"${above}
    FROM page p
    JOIN customers cu ON cu.id = p."customerId"
    JOIN folders f ON f.id = p."folderId"
    LEFT JOIN agents a ON a.id = p."assigneeId"
    ORDER BY p."lastActivityAt" DESC, p.id DESC`
  const more = rows.length > PAGE_SIZE
  // The extra row tells whether the walk goes on: below the page going down, above it going up.
  const page = direction === 'older' ? rows.slice(0, PAGE_SIZE) : rows.slice(rows.length - Math.min(rows.length, PAGE_SIZE))
  const first = page[0]
  const last = page.at(-1)
  if (direction === 'newer' && !more && page.length < PAGE_SIZE) {
    // Reached the top with a short page (rows moved since): the first page, full.
    return listConversations(prisma, actor, scope, { ...query, before: undefined })
  }
  const counted = Number(rows[0]?.rowsAbove ?? 0) - (direction === 'newer' ? page.length : 0)
  const atLeast = at !== null && (Number(rows[0]?.rowsAbove ?? 0) >= countLimit || counted > COUNT_CAP)
  const isFirstPage = direction === 'older' ? !at : !more
  return {
    rows: page.map(({ rowsAbove: _, ...r }) => ({ ...r, tags: r.tags ?? [], viewedBy: r.viewedBy ?? [] })) as ConversationRow[],
    nextCursor: last && (direction === 'newer' || more) ? cursorOf(last) : null,
    prevCursor: first && !isFirstPage ? cursorOf(first) : null,
    isFirstPage,
    rowsBefore: atLeast ? { count: COUNT_CAP, atLeast: true } : { count: Math.max(0, counted), atLeast: false },
  }
}

const wakeOrder = (alias: string) => P.raw(`${alias}."snoozedUntil", ${alias}.id`)

/**
 * The Snoozed tab: the conversations that come back soonest first, those waiting for the customer
 * last (their wake time is the far one). Its cursor is "<wake time ms>_<id>" ("after" only; "newer"
 * leads back to the first page). A walk of the snoozedUntil index.
 */
async function listSnoozed(prisma: Prisma, actor: Actor, scope: FolderScope, query: ListQuery, search: Search): Promise<ListPage> {
  const cursor = query.after ? positionOf(query.after) : null
  if (search.kind === 'narrow' && search.ids.length === 0)
    return { rows: [], nextCursor: null, prevCursor: null, isFirstPage: !cursor, rowsBefore: { count: 0, atLeast: false } }
  const where = listWhere(actor, scope, query, search)
  // The cursor's position: its wake time (ListPosition's time) and id.
  const at = cursor ? P.sql`(${cursor.lastActivityAt}::timestamptz, ${cursor.id}::int)` : null
  const past = at ? P.sql`(${wakeOrder('c')}) > ${at}` : P.sql`TRUE`
  const above = at ? P.sql`(SELECT count(*)::int FROM conversations c WHERE ${where} AND (${wakeOrder('c')}) <= ${at})` : P.sql`0`
  const rows = await prisma.$queryRaw<
    (Omit<ConversationRow, 'tags' | 'viewedBy' | 'snooze'> & {
      snoozedUntil: Date | null
      tags: ConversationRow['tags'] | null
      viewedBy: string[] | null
      rowsAbove: number
    })[]
  >`
    WITH page AS MATERIALIZED (
      SELECT c.id, c.number, c.subject, c.status, c.snippet, c."lastActivityAt", c."customerId", c."folderId", c."assigneeId", c."snoozedUntil"
      FROM conversations c
      WHERE ${where} AND ${past}
      ORDER BY ${wakeOrder('c')}
      LIMIT ${P.raw(String(PAGE_SIZE + 1))})
    SELECT p.id, p.number, p.subject, p.status::text AS status, p.snippet, p."lastActivityAt", p."snoozedUntil",
           cu.name AS "customerName", cu.email AS "customerEmail", a.name AS "assigneeName", f.name AS "folderName",
           (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'colour', t.colour) ORDER BY t.name)
            FROM conversation_tags ct JOIN tags t ON t.id = ct."tagId" WHERE ct."conversationId" = p.id) AS tags,
           (SELECT json_agg(v.name ORDER BY v.name) FROM presence pr JOIN agents v ON v.id = pr."agentId"
            WHERE pr."conversationId" = p.id AND pr."expiresAt" > now() AND pr."agentId" <> ${actor.id}) AS "viewedBy",
           ${above} AS "rowsAbove"
    FROM page p
    JOIN customers cu ON cu.id = p."customerId"
    JOIN folders f ON f.id = p."folderId"
    LEFT JOIN agents a ON a.id = p."assigneeId"
    ORDER BY ${wakeOrder('p')}`
  const page = rows.slice(0, PAGE_SIZE)
  const last = page.at(-1)
  return {
    rows: page.map(({ rowsAbove: _, snoozedUntil, ...r }) => ({
      ...r,
      tags: r.tags ?? [],
      viewedBy: r.viewedBy ?? [],
      snooze: { until: wakeTime(snoozedUntil) },
    })),
    nextCursor: last && rows.length > PAGE_SIZE ? `${last.snoozedUntil!.getTime()}_${last.id}` : null,
    prevCursor: null,
    isFirstPage: !cursor,
    rowsBefore: { count: Number(rows[0]?.rowsAbove ?? 0), atLeast: false },
  }
}

/**
 * The conversation next to a position in a list: the one below it ('older') or above it
 * ('newer'), within the agent's folders. The position need not be in the list any more (a reply
 * moves a conversation to the top, or out of its tab): its neighbours are found all the same.
 */
export async function adjacentConversation(
  prisma: Prisma,
  actor: Actor,
  scope: FolderScope,
  query: ListQuery,
  position: { lastActivityAt: Date; id: number },
  direction: 'older' | 'newer',
): Promise<{ id: number; number: number } | null> {
  const search = await searchFor(prisma, actor, scope, query)
  if (search.kind === 'narrow' && search.ids.length === 0) return null
  const [row] = await prisma.$queryRaw<{ id: number; number: number }[]>`${P.raw(PREPARED_MARKER)}
    SELECT c.id, c.number FROM conversations c
    WHERE ${listWhere(actor, scope, query, search)} AND ${beyond(position, direction)}
    ORDER BY ${walk(direction)}
    LIMIT 1`
  return row ?? null
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
  const search = await searchFor(prisma, actor, scope, query)
  const where = P.sql`${inScope(scope)} AND ${filterSql(query)} AND ${search.filters}`
  // A status tab that `status:` leaves out counts nothing (no walk through it to find that out).
  const excluded = (tab: Tab) => search.statuses !== null && tab in STATUS_TABS && !search.statuses.includes(tab as ConversationStatus)
  const statuses: Tab[] = ['new', 'open', 'pending', 'closed', 'mine', 'unassigned', 'snoozed']
  let row: Record<string, number> | undefined
  let bounded: (n: number, tab: Tab) => boolean

  if (search.kind === 'narrow') {
    if (search.ids.length === 0) row = Object.fromEntries(statuses.map((t) => [t, 0]))
    else {
      ;[row] = await prisma.$queryRaw<Record<string, number>[]>`
        SELECT count(*) FILTER (WHERE c.status = 'new' AND c."snoozedAt" IS NULL)::int AS new,
               count(*) FILTER (WHERE c.status = 'open' AND c."snoozedAt" IS NULL)::int AS open,
               count(*) FILTER (WHERE c.status = 'pending' AND c."snoozedAt" IS NULL)::int AS pending,
               count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
               count(*) FILTER (WHERE c."assigneeId" = ${actor.id} AND c.status <> 'closed' AND c."snoozedAt" IS NULL)::int AS mine,
               count(*) FILTER (WHERE c."assigneeId" IS NULL AND c.status <> 'closed' AND c."snoozedAt" IS NULL)::int AS unassigned,
               count(*) FILTER (WHERE c."snoozedAt" IS NOT NULL)::int AS snoozed
        FROM conversations c
        WHERE ${where} AND ${candidateSql(search)}`
    }
    bounded = () => false
  } else if (search.kind === 'broad') {
    const match = search.match
    const window = (tab: Tab) =>
      excluded(tab)
        ? P.sql`0`
        : P.sql`(SELECT count(*)::int FROM (
        SELECT c.id, c."customerId", c.search FROM conversations c WHERE ${where} AND ${tabSql(tab, actor)}
        ORDER BY c."lastActivityAt" DESC, c.id DESC LIMIT ${P.raw(String(BROAD_COUNT_WINDOW))}) c WHERE ${match})`
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
      SELECT count(*) FILTER (WHERE c.status = 'new' AND c."snoozedAt" IS NULL)::int AS new,
             count(*) FILTER (WHERE c.status = 'open' AND c."snoozedAt" IS NULL)::int AS open,
             count(*) FILTER (WHERE c.status = 'pending' AND c."snoozedAt" IS NULL)::int AS pending,
             count(*) FILTER (WHERE c.status = 'closed')::int AS closed,
             count(*) FILTER (WHERE c."assigneeId" = ${actor.id} AND c.status <> 'closed' AND c."snoozedAt" IS NULL)::int AS mine,
             count(*) FILTER (WHERE c."assigneeId" IS NULL AND c.status <> 'closed' AND c."snoozedAt" IS NULL)::int AS unassigned,
             count(*) FILTER (WHERE c."snoozedAt" IS NOT NULL)::int AS snoozed,
             (SELECT count(*)::int FROM recent) AS seen
      FROM recent
      -- One primary-key lookup per tagged conversation (OFFSET 0 keeps the planner from turning
      -- this into a merge join that walks the whole conversations table).
      CROSS JOIN LATERAL (SELECT c.status, c."assigneeId", c."snoozedAt" FROM conversations c
                          WHERE c.id = recent.id AND ${inScope(scope)} AND ${filterSql(query, { withTag: false })} AND ${search.filters} OFFSET 0) c`
    const sampled = Number(row?.seen ?? 0) >= TAG_COUNT_SAMPLE
    bounded = () => sampled
  } else {
    // One more than the cap tells "exactly COUNT_CAP" from "more than that".
    // Each tab is counted with its snoozed conversations, from its index alone as ever; those are
    // then taken out, counted apart through the snoozedUntil index, which holds only them (few).
    const capped = (tab: Tab) =>
      excluded(tab)
        ? P.sql`0`
        : P.sql`(SELECT count(*)::int FROM (SELECT 1 FROM conversations c WHERE ${where} AND ${tabBaseSql(tab, actor)} LIMIT ${P.raw(String(COUNT_CAP + 1))}) s)`
    const awakeTabs = statuses.filter((t) => t !== 'snoozed' && t !== 'closed')
    ;[row] = await prisma.$queryRaw<Record<string, number>[]>`${P.raw(PREPARED_MARKER)}
      SELECT ${P.join(statuses.filter((t) => t !== 'snoozed').map((t) => P.sql`${capped(t)} AS ${P.raw(`"${t}"`)}`))}, s.*
      FROM (SELECT count(*)::int AS snoozed, ${P.join(awakeTabs.map((t) => P.sql`count(*) FILTER (WHERE ${tabBaseSql(t, actor)})::int AS ${P.raw(`"snoozed_${t}"`)}`))}
            FROM conversations c WHERE ${where} AND ${SNOOZED}) s`
    const all = row!
    for (const t of awakeTabs) all[t] = Number(all[t] ?? 0) > COUNT_CAP ? Number(all[t]) : Math.max(0, Number(all[t] ?? 0) - Number(all[`snoozed_${t}`] ?? 0))
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
