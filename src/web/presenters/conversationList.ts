import type { ConversationRow, ListPage, ListQuery, Tab, TabCounts } from '../../domain/conversations/listConversations.ts'
import { COUNT_CAP, searchProblems, TABS } from '../../domain/conversations/listConversations.ts'
import { highlightTerms, parseSearchQuery, SEARCH_KEYS, shownKey, type SearchNames } from '../../domain/conversations/searchQuery.ts'
import { isSavable, viewQueryString, type SavedView } from '../../domain/views/savedViews.ts'
import { presentConversationRow, type Reader } from './conversationRow.ts'
import { snoozeRowText } from './snooze.ts'

const LIST_PARAMS = ['tab', 'folder', 'assignee', 'tag', 'q', 'after', 'before'] as const

/** The list's address for a query ("/conversations?tab=open&folder=2"); empty values are left out. */
export function listHref(query: Partial<ListQuery>, path = '/conversations'): string {
  const params = new URLSearchParams()
  for (const key of LIST_PARAMS) {
    const value = query[key]
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  return `${path}?${params.toString()}`
}

/** The same list on another page, tab or filter: a change of anything but the page starts at the first page. */
function changedHref(query: ListQuery, change: Partial<ListQuery>) {
  return listHref({ ...query, after: undefined, before: undefined, ...change })
}

/** A tab count as shown, in the reader's language: "1,234", or "1,000+" when counting stopped at a bound. */
export function presentTabCount(count: number, atLeast: boolean, { t, fmt }: Reader): { text: string; label: string } {
  return atLeast
    ? { text: t('list.count.atLeast', { count }), label: t('list.count.atLeastLabel', { count }) }
    : { text: fmt.number(count), label: t('list.count.label', { count }) }
}

/** Every tab's count as shown (the live list refreshes its badges from this). */
export function presentTabCounts(counts: TabCounts, reader: Reader): Record<Tab, { text: string; label: string }> {
  return Object.fromEntries(TABS.map((tab) => [tab, presentTabCount(counts.counts[tab], counts.atLeast[tab], reader)])) as Record<
    Tab,
    { text: string; label: string }
  >
}

/**
 * Where the page stands in its list: "51–100 of 2,304". The total is the tab's count, so it says
 * "of 1,000+" where that count stopped at its bound (never less than the page's own end). A page
 * lower than COUNT_CAP rows does not know its start: "50 conversations beyond the first 1,000".
 */
export function presentPosition(
  page: Pick<ListPage, 'rowsBefore'> & { shown: number },
  total: { count: number; atLeast: boolean },
  reader: Reader,
): string | null {
  const { t } = reader
  if (page.shown === 0) return null
  if (page.rowsBefore.atLeast) return t('list.position.beyond', { count: page.shown, cap: COUNT_CAP })
  const from = page.rowsBefore.count + 1
  const to = page.rowsBefore.count + page.shown
  const of = presentTabCount(Math.max(total.count, to), total.atLeast, reader).text
  return t('list.position', { from, to, total: of })
}

/** The pager: "Newer" and "Older" (keyset cursors both ways) and the position between them. */
export function presentPager(query: ListQuery, list: ListPage, counts: TabCounts, reader: Reader) {
  return {
    newerHref: list.prevCursor ? changedHref(query, { before: list.prevCursor }) : list.isFirstPage ? null : changedHref(query, {}),
    olderHref: list.nextCursor ? changedHref(query, { after: list.nextCursor }) : null,
    position: presentPosition(
      { rowsBefore: list.rowsBefore, shown: list.rows.length },
      { count: counts.counts[query.tab], atLeast: counts.atLeast[query.tab] },
      reader,
    ),
  }
}

/** The rows as the rows partial shows them; with the list's search (`q`), its matches marked. */
export function presentRows(rows: ConversationRow[], now: Date, reader: Reader, q?: string) {
  const highlight = q ? highlightTerms(parseSearchQuery(q)) : null
  return rows.map((r) => ({
    ...presentConversationRow(r, now, reader, highlight),
    viewedBy: r.viewedBy,
    // In the Snoozed tab: when it comes back.
    snooze: r.snooze ? snoozeRowText(r.snooze.until, now, reader) : null,
  }))
}

/** The agent's saved searches for the saved-views partial: each opens its list; the one on screen is current. */
export function presentSavedViews(views: SavedView[], current: ListQuery | null) {
  const shown = current ? viewQueryString(current) : null
  return views.map((v) => ({ id: v.id, name: v.name, href: `/conversations?${v.query}`, current: shown === v.query }))
}

/**
 * The search box's part of the page: what the typed filters could not match (said above the
 * list), and the list to save as a view when a search or filter is on.
 */
function presentSearch(query: ListQuery, names: SearchNames, reader: Reader) {
  const problems = searchProblems(query, names).map((m) => reader.t(m.key, m.values))
  const save = isSavable(query) ? { tab: query.tab, q: query.q ?? '', folder: query.folder ?? '', assignee: query.assignee ?? '', tag: query.tag ?? '' } : null
  // The filter keys as the reader's language spells them, for the hint under the box.
  const keys = SEARCH_KEYS.map((key) => `${shownKey(key, reader.fmt.locale)}:`).join(' ')
  return { problems, save, keys }
}

export function presentConversationList(args: {
  query: ListQuery
  list: ListPage
  counts: TabCounts
  folders: { id: number; name: string }[]
  tags: { id: number; name: string; colour: string }[]
  agents: { id: number; name: string }[]
  now: Date
  url: string
  reader: Reader
}) {
  const { query, reader } = args
  const { t } = reader
  const filtered = Boolean(query.folder || query.assignee || query.tag || query.q)
  return {
    title: query.q ? t('list.title.search', { query: query.q }) : t(`list.title.${query.tab}`),
    nav: 'conversations',
    query: { ...query, q: query.q ?? '' },
    filtered,
    unassignedOnly: query.assignee === 'none',
    clearHref: changedHref({ tab: query.tab }, {}),
    tabs: TABS.map((tab) => ({
      key: tab,
      label: t(`list.tab.${tab}`),
      count: presentTabCount(args.counts.counts[tab], args.counts.atLeast[tab], reader),
      href: changedHref(query, { tab }),
      current: tab === query.tab,
    })),
    rows: presentRows(args.list.rows, args.now, reader, query.q),
    search: presentSearch(query, args, reader),
    pager: presentPager(query, args.list, args.counts, reader),
    /** The same list's rows, for the live list (public/js/list-live.js). */
    rowsHref: listHref(query, '/conversations/rows'),
    folders: args.folders,
    tags: args.tags,
    agents: args.agents,
    back: args.url,
  }
}
