import type { ConversationRow, ListQuery, Tab, TabCounts } from '../../domain/conversations/listConversations.ts'
import { TABS } from '../../domain/conversations/listConversations.ts'
import { presentConversationRow, type Reader } from './conversationRow.ts'

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

export function presentConversationList(args: {
  query: ListQuery
  list: { rows: ConversationRow[]; nextCursor: string | null }
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
    clearHref: listHref({ tab: query.tab }, {}),
    tabs: TABS.map((tab) => ({
      key: tab,
      label: t(`list.tab.${tab}`),
      count: presentTabCount(args.counts.counts[tab], args.counts.atLeast[tab], reader),
      href: listHref(query, { tab }),
      current: tab === query.tab,
    })),
    rows: args.list.rows.map((r) => ({ ...presentConversationRow(r, args.now, reader), viewedBy: r.viewedBy })),
    nextHref: args.list.nextCursor ? listHref(query, { after: args.list.nextCursor }) : null,
    folders: args.folders,
    tags: args.tags,
    agents: args.agents,
    back: args.url,
  }
}
