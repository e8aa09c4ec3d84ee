import { describe, expect, it } from 'vitest'
import {
  highlightTerms,
  lexemeTsquery,
  matchedParts,
  matchNames,
  MIN_PREFIX_LENGTH,
  parseSearchQuery,
  resolveFilters,
  dayStart,
  type SearchNames,
} from '../../../src/domain/conversations/searchQuery.ts'

const names: SearchNames = {
  folders: [
    { id: 1, name: 'Billing EU' },
    { id: 2, name: 'Billing US' },
    { id: 3, name: 'Support' },
  ],
  tags: [
    { id: 10, name: 'vip' },
    { id: 11, name: 'vip-gold' },
    { id: 12, name: 'Réclamation' },
  ],
  agents: [
    { id: 20, name: 'Bob Martin' },
    { id: 21, name: 'Alice Durand' },
  ],
}
const me = { id: 99, timeZone: 'Europe/Paris' }

describe('reading the search box', () => {
  it('keeps words as typed, phrases whole, and prefixes as lower-case lexemes', () => {
    expect(parseSearchQuery('Refund  "wrong size" REF* m.duras@example.org')).toEqual({
      words: ['Refund', 'm.duras@example.org'],
      phrases: ['wrong size'],
      prefixes: ['ref'],
      filters: [],
    })
  })

  it(`searches a prefix shorter than ${MIN_PREFIX_LENGTH} letters as a whole word`, () => {
    expect(parseSearchQuery('r*')).toMatchObject({ words: ['r'], prefixes: [] })
    expect(parseSearchQuery('re*')).toMatchObject({ words: [], prefixes: ['re'] })
  })

  it('splits a prefix with punctuation: the first parts are words, the last one the prefix', () => {
    expect(parseSearchQuery('order-12*')).toMatchObject({ words: ['order'], prefixes: ['12'] })
  })

  it('never lets tsquery syntax through in a prefix', () => {
    const parsed = parseSearchQuery(`ref':*|!(x)* 'a'&b*`)
    for (const p of parsed.prefixes) expect(p).toMatch(/^[\p{L}\p{N}]+$/u)
    expect(() => lexemeTsquery(["ref'"], { prefix: true })).toThrow()
    expect(lexemeTsquery(['Ref', 'a', 'duras'], { prefix: true })).toBe('ref:* & a & duras:*')
  })

  it('reads filters, English or French, with quoted values; an unknown key stays text', () => {
    const parsed = parseSearchQuery('from:alice status:pending tag:vip folder:"Billing EU" assignee:me before:2026-12-01 after:2026-11-01 http://x.example')
    expect(parsed.filters.map((f) => [f.key, f.value])).toEqual([
      ['from', 'alice'],
      ['status', 'pending'],
      ['tag', 'vip'],
      ['folder', 'Billing EU'],
      ['assignee', 'me'],
      ['before', '2026-12-01'],
      ['after', '2026-11-01'],
    ])
    expect(parsed.words).toEqual(['http://x.example'])
    const fr = parseSearchQuery('de:alice statut:"en attente" Étiquette:vip dossier:support assigné:moi avant:2026-12-01 après:2026-11-01 couleur:bleu')
    expect(fr.filters.map((f) => f.key)).toEqual(['from', 'status', 'tag', 'folder', 'assignee', 'before', 'after'])
    expect(fr.filters[1]!.value).toBe('en attente')
    expect(fr.filters[2]!.typed).toBe('Étiquette:vip')
    expect(fr.words).toEqual(['couleur:bleu'])
  })

  it('ignores a filter still being typed and an unclosed quote reads to the end', () => {
    expect(parseSearchQuery('tag: refund').filters).toEqual([])
    expect(parseSearchQuery('folder:"Billing E').filters[0]).toMatchObject({ key: 'folder', value: 'Billing E' })
    expect(parseSearchQuery('"wrong size').phrases).toEqual(['wrong size'])
  })
})

describe('resolving filters against what the agent may see', () => {
  it('turns names into ids: an exact name first, else names starting with it, else a word of the name', () => {
    expect(matchNames('vip', names.tags).map((t) => t.id)).toEqual([10])
    expect(matchNames('billing', names.folders).map((f) => f.id)).toEqual([1, 2])
    expect(matchNames('eu', names.folders).map((f) => f.id)).toEqual([1])
    expect(matchNames('reclamation', names.tags).map((t) => t.id)).toEqual([12])
  })

  it('resolves statuses in both languages, me and none, and names', () => {
    const { criteria, problems } = resolveFilters(
      parseSearchQuery('statut:ouvert status:pending assignee:me assigné:personne assignee:bob folder:"Billing EU" tag:vip tag:réclamation from:Alice@Example'),
      names,
      me,
    )
    expect(problems).toEqual([])
    expect(criteria.statuses).toEqual(['open', 'pending'])
    expect(criteria.assignees).toEqual({ ids: [99, 20], none: true })
    expect(criteria.folderIds).toEqual([1])
    expect(criteria.tagGroups).toEqual([[10], [12]])
    expect(criteria.from).toEqual(['alice', 'example'])
  })

  it('says which filter matches nothing', () => {
    const { problems } = resolveFilters(parseSearchQuery('tag:nope dossier:Ventes assignee:zed status:lost before:2026-13-01'), names, me)
    expect(problems).toEqual([
      { key: 'list.search.noTag', values: { filter: 'tag:nope' } },
      { key: 'list.search.noFolder', values: { filter: 'dossier:Ventes' } },
      { key: 'list.search.noAssignee', values: { filter: 'assignee:zed' } },
      { key: 'list.search.badStatus', values: { filter: 'status:lost' } },
      { key: 'list.search.badDate', values: { filter: 'before:2026-13-01' } },
    ])
  })

  it('reads days in the agent’s time zone, leaving the named day out', () => {
    const { criteria } = resolveFilters(parseSearchQuery('before:2026-12-01 after:2026-07-14'), names, me)
    // Midnight in Paris: UTC+1 in winter, UTC+2 in summer; "after" starts the next day.
    expect(criteria.activityBefore).toEqual(new Date('2026-11-30T23:00:00Z'))
    expect(criteria.activityFrom).toEqual(new Date('2026-07-14T22:00:00Z'))
    expect(dayStart({ y: 2026, m: 3, d: 29 }, 'Europe/Paris')).toEqual(new Date('2026-03-28T23:00:00Z'))
    expect(dayStart({ y: 2026, m: 3, d: 29 }, 'UTC')).toEqual(new Date('2026-03-29T00:00:00Z'))
  })
})

describe('marking matches', () => {
  it('marks whole words and prefixes, case aside, and nothing else', () => {
    const { text } = highlightTerms(parseSearchQuery('refund ref* "wrong size"'))
    expect(matchedParts('Refunds: the REFUND of a wrong-size shirt', text)).toEqual([
      { text: 'Refunds', mark: true },
      { text: ': the ', mark: false },
      { text: 'REFUND', mark: true },
      { text: ' of a ', mark: false },
      { text: 'wrong', mark: true },
      { text: '-', mark: false },
      { text: 'size', mark: true },
      { text: ' shirt', mark: false },
    ])
  })

  it('marks the customer by the from: words too, and leaves markup as text', () => {
    const { customer, text } = highlightTerms(parseSearchQuery('from:ali lamp'))
    expect(matchedParts('Alice <b>', customer)).toEqual([
      { text: 'Alice', mark: true },
      { text: ' <b>', mark: false },
    ])
    expect(matchedParts('Alice', text)).toEqual([{ text: 'Alice', mark: false }])
    expect(matchedParts('', text)).toEqual([{ text: '', mark: false }])
  })
})
