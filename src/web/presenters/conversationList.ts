import type { ConversationRow, ListQuery, Tab, TabCounts } from '../../domain/conversations/listConversations.ts'
import { TABS } from '../../domain/conversations/listConversations.ts'
import { presentConversationRow } from './conversationRow.ts'

const TAB_LABELS: Record<Tab, string> = { new: 'New', open: 'Open', pending: 'Pending', closed: 'Closed', all: 'All', mine: 'Mine', unassigned: 'Unassigned' }

/** The list URL with some parameters changed; empty values are dropped. */
function listHref(query: ListQuery, change: Partial<Record<keyof ListQuery, string | number | undefined>>) {
  const params = new URLSearchParams()
  const merged: Record<string, unknown> = { ...query, after: undefined, ...change }
  for (const key of ['tab', 'folder', 'assignee', 'tag', 'q', 'after']) {
    const v = merged[key]
    if (v !== undefined && v !== '') params.set(key, String(v))
  }
  return `/conversations?${params.toString()}`
}

const integer = new Intl.NumberFormat('en')

/** A tab count as shown: "1,234", or "1,000+" when counting stopped at a bound. */
export function presentTabCount(count: number, atLeast: boolean): { text: string; label: string } {
  const n = integer.format(count)
  return atLeast ? { text: `${n}+`, label: `${n} or more conversations` } : { text: n, label: `${n} ${count === 1 ? 'conversation' : 'conversations'}` }
}

/** Every tab's count as shown (the live list refreshes its badges from this). */
export function presentTabCounts(counts: TabCounts): Record<Tab, { text: string; label: string }> {
  return Object.fromEntries(TABS.map((t) => [t, presentTabCount(counts.counts[t], counts.atLeast[t])])) as Record<Tab, { text: string; label: string }>
}

export function presentConversationList(args: {
  query: ListQuery
  list: { rows: ConversationRow[]; nextCursor: string | null }
  counts: TabCounts
  folders: { id: number; name: string }[]
  tags: { id: number; name: string; colour: string }[]
  agents: { id: number; name: string }[]
  now: Date
  url: string
}) {
  const { query } = args
  const filtered = Boolean(query.folder || query.assignee || query.tag || query.q)
  return {
    title: query.q ? `Search: ${query.q}` : `${TAB_LABELS[query.tab]} conversations`,
    nav: 'conversations',
    query: { ...query, q: query.q ?? '' },
    filtered,
    clearHref: listHref({ tab: query.tab }, {}),
    tabs: TABS.map((t) => ({
      key: t,
      label: TAB_LABELS[t],
      count: presentTabCount(args.counts.counts[t], args.counts.atLeast[t]),
      href: listHref(query, { tab: t }),
      current: t === query.tab,
    })),
    rows: args.list.rows.map((r) => ({ ...presentConversationRow(r, args.now), viewedBy: r.viewedBy })),
    nextHref: args.list.nextCursor ? listHref(query, { after: args.list.nextCursor }) : null,
    folders: args.folders,
    tags: args.tags,
    agents: args.agents,
    back: args.url,
  }
}
