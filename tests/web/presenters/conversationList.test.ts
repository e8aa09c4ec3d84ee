import { describe, expect, it } from 'vitest'
import { listQuerySchema, TABS, type ListPage, type Tab } from '../../../src/domain/conversations/listConversations.ts'
import { formats } from '../../../src/i18n/format.ts'
import { translator } from '../../../src/i18n/translate.ts'
import { presentPager, presentPosition, presentTabCount, presentTabCounts } from '../../../src/web/presenters/conversationList.ts'

const english = { t: translator('en'), fmt: formats('en') }
const french = { t: translator('fr'), fmt: formats('fr') }

describe('tab counts as shown', () => {
  it('says "1,000+" for a count that stopped at its bound, to the eye and to screen readers', () => {
    expect(presentTabCount(1000, true, english)).toEqual({ text: '1,000+', label: '1,000 or more conversations' })
  })

  it('shows exact counts with a thousands separator and the right plural', () => {
    expect(presentTabCount(1000, false, english)).toEqual({ text: '1,000', label: '1,000 conversations' })
    expect(presentTabCount(1, false, english)).toEqual({ text: '1', label: '1 conversation' })
    expect(presentTabCount(0, false, english)).toEqual({ text: '0', label: '0 conversations' })
  })

  it('counts in the reader’s language: French separators, and 0 is singular', () => {
    expect(presentTabCount(1000, false, french)).toEqual({ text: '1\u202f000', label: '1\u202f000 conversations' })
    expect(presentTabCount(0, false, french)).toEqual({ text: '0', label: '0 conversation' })
    expect(presentTabCount(1000, true, french)).toEqual({ text: '1\u202f000+', label: '1\u202f000 conversations ou plus' })
  })

  it('presents every tab of a count result', () => {
    const counts = Object.fromEntries(TABS.map((t) => [t, 1000])) as Record<Tab, number>
    const atLeast = Object.fromEntries(TABS.map((t) => [t, t !== 'mine'])) as Record<Tab, boolean>
    const shown = presentTabCounts({ counts, atLeast }, english)
    expect(shown.new.text).toBe('1,000+')
    expect(shown.mine.text).toBe('1,000')
    expect(Object.keys(shown).sort()).toEqual([...TABS].sort())
  })
})

describe('where a page stands in its list', () => {
  const exact = { count: 2304, atLeast: false }
  const capped = { count: 1000, atLeast: true }
  const after = (count: number, atLeast = false) => ({ rowsBefore: { count, atLeast }, shown: 50 })

  it('says "51–100 of 2,304" in the reader’s number format', () => {
    expect(presentPosition(after(50), exact, english)).toBe('51–100 of 2,304')
    expect(presentPosition(after(0), exact, english)).toBe('1–50 of 2,304')
    expect(presentPosition({ rowsBefore: { count: 0, atLeast: false }, shown: 7 }, { count: 7, atLeast: false }, english)).toBe('1–7 of 7')
  })

  it('says "of 1,000+" when the tab count stopped at its bound, never less than the page’s end', () => {
    expect(presentPosition(after(50), capped, english)).toBe('51–100 of 1,000+')
    expect(presentPosition(after(1000), capped, english)).toBe('1,001–1,050 of 1,050+')
  })

  it('past the bound, says how many rows the page shows beyond it', () => {
    expect(presentPosition(after(1000, true), capped, english)).toBe('50 conversations beyond the first 1,000')
  })

  it('shows nothing for an empty page', () => {
    expect(presentPosition({ rowsBefore: { count: 0, atLeast: false }, shown: 0 }, exact, english)).toBeNull()
  })

  it('speaks French with French numbers', () => {
    expect(presentPosition(after(50), exact, french)).toBe('51–100 sur 2\u202f304')
    expect(presentPosition(after(50), capped, french)).toBe('51–100 sur 1\u202f000+')
    expect(presentPosition(after(1000, true), capped, french)).toBe('50 conversations au-delà des 1\u202f000 premières')
  })
})

describe('the pager', () => {
  const counts = { counts: Object.fromEntries(TABS.map((t) => [t, 120])), atLeast: Object.fromEntries(TABS.map((t) => [t, false])) } as never
  const page = (change: Partial<ListPage>): ListPage => ({
    rows: Array.from({ length: 50 }, () => ({}) as never),
    nextCursor: null,
    prevCursor: null,
    isFirstPage: true,
    rowsBefore: { count: 0, atLeast: false },
    ...change,
  })
  const query = listQuerySchema.parse({ tab: 'open', folder: '3', after: '1700000000000_9' })

  it('links "Newer" with a cursor before the first row and "Older" after the last, keeping the filters', () => {
    const pager = presentPager(
      query,
      page({ nextCursor: '1_2', prevCursor: '3_4', isFirstPage: false, rowsBefore: { count: 50, atLeast: false } }),
      counts,
      english,
    )
    expect(pager).toEqual({
      newerHref: '/conversations?tab=open&folder=3&before=3_4',
      olderHref: '/conversations?tab=open&folder=3&after=1_2',
      position: '51–100 of 120',
    })
  })

  it('has no "Newer" on the first page and no "Older" on the last', () => {
    expect(presentPager(query, page({}), counts, english)).toMatchObject({ newerHref: null, olderHref: null })
  })

  it('sends a page left empty (its rows moved away) back to the first page', () => {
    const pager = presentPager(query, page({ rows: [], isFirstPage: false }), counts, english)
    expect(pager).toEqual({ newerHref: '/conversations?tab=open&folder=3', olderHref: null, position: null })
  })
})
