import { describe, expect, it } from 'vitest'
import { TABS, type Tab } from '../../../src/domain/conversations/listConversations.ts'
import { formats } from '../../../src/i18n/format.ts'
import { translator } from '../../../src/i18n/translate.ts'
import { presentTabCount, presentTabCounts } from '../../../src/web/presenters/conversationList.ts'

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
