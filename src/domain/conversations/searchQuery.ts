import type { ConversationStatus } from '../../generated/prisma/enums.ts'
import type { Message } from '../../i18n/translate.ts'
import { utcOffsetAt } from '../reports/businessHours.ts'

/*
 * What people type in the list's search box, read into words, phrases, prefixes and filters:
 *
 *   refund "wrong size" ref*  from:alice status:pending tag:vip folder:"Billing EU"
 *   assignee:me before:2026-12-01 after:2026-11-01
 *
 * Words and phrases all must match (subject, any message, the customer's name or address). A
 * filter key is English or French (de:, statut:, étiquette:, dossier:, assigné:, avant:, après:),
 * in any case, with or without accents; an unknown `key:` is ordinary text. Nothing typed here
 * ever reaches tsquery syntax: words and phrases go to plainto/phraseto_tsquery, and the only
 * lexemes written as tsquery text are prefixes made of letters and digits alone.
 */

/** A prefix shorter than this is searched as a whole word: one letter would match half the index. */
export const MIN_PREFIX_LENGTH = 2

export const SEARCH_KEYS = ['from', 'status', 'tag', 'folder', 'assignee', 'before', 'after'] as const
export type SearchKey = (typeof SEARCH_KEYS)[number]

/** Lower case, accents removed: how keys, statuses and names are compared. */
export function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Every spelling of each key, folded (so "assigné" and "Après" are found too). */
export const KEY_ALIASES: Record<SearchKey, readonly string[]> = {
  from: ['from', 'de'],
  status: ['status', 'statut'],
  tag: ['tag', 'etiquette'],
  folder: ['folder', 'dossier'],
  assignee: ['assignee', 'assigne'],
  before: ['before', 'avant'],
  after: ['after', 'apres'],
}
const KEY_BY_ALIAS = new Map(SEARCH_KEYS.flatMap((key) => KEY_ALIASES[key].map((alias) => [alias, key] as const)))

/** The spellings of each status, folded: English and French (both genders, "en attente" quoted). */
export const STATUS_ALIASES: Record<ConversationStatus, readonly string[]> = {
  new: ['new', 'nouveau', 'nouvelle', 'nouveaux', 'nouvelles'],
  open: ['open', 'ouvert', 'ouverte', 'ouverts', 'ouvertes'],
  pending: ['pending', 'attente', 'en attente'],
  closed: ['closed', 'ferme', 'fermee', 'fermes', 'fermees', 'clos', 'close'],
}
const STATUS_BY_ALIAS = new Map(
  (Object.keys(STATUS_ALIASES) as ConversationStatus[]).flatMap((status) => STATUS_ALIASES[status].map((alias) => [alias, status] as const)),
)

/** `assignee:` values that are not names. */
export const ASSIGNEE_ME = ['me', 'moi'] as const
export const ASSIGNEE_NONE = ['none', 'nobody', 'unassigned', 'personne', 'aucun', 'aucune'] as const

export interface SearchFilter {
  key: SearchKey
  value: string
  /** The filter as it was typed (`étiquette:vip`): messages quote it back. */
  typed: string
}

export interface ParsedSearch {
  /** Plain words as typed: PostgreSQL splits them exactly as it indexed the text (an address stays whole). */
  words: string[]
  phrases: string[]
  /** Lexemes of letters and digits only, lower-cased, at least MIN_PREFIX_LENGTH long. */
  prefixes: string[]
  filters: SearchFilter[]
}

const LETTERS_OR_DIGITS = /[\p{L}\p{N}]+/gu
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

/** The runs of letters and digits of a text, lower-cased. */
export function lexemesOf(text: string): string[] {
  // Lower-cased first: a capital can become a letter and a combining mark ("İ"), never kept in a lexeme.
  return text.toLowerCase().match(LETTERS_OR_DIGITS) ?? []
}

/** Reads the search box. Never fails: whatever cannot be a filter is text. */
export function parseSearchQuery(input: string | undefined | null): ParsedSearch {
  const parsed: ParsedSearch = { words: [], phrases: [], prefixes: [], filters: [] }
  if (!input) return parsed
  const text = input.slice(0, 500)
  /** From `start` to the closing quote (or the end); returns the text inside and where reading goes on. */
  const quoted = (start: number): [string, number] => {
    const end = text.indexOf('"', start + 1)
    return end === -1 ? [text.slice(start + 1), text.length] : [text.slice(start + 1, end), end + 1]
  }
  const tokenEnd = (start: number) => {
    let j = start
    while (j < text.length && !/\s/.test(text[j]!) && text[j] !== '"') j++
    return j
  }
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"') {
      const [phrase, next] = quoted(i)
      if (HAS_LETTER_OR_DIGIT.test(phrase)) parsed.phrases.push(phrase.trim())
      i = next
      continue
    }
    const key = /^([^\s:"]+):/.exec(text.slice(i, i + 40))
    const searchKey = key ? KEY_BY_ALIAS.get(folded(key[1]!)) : undefined
    if (key && searchKey) {
      let j = i + key[0].length
      let value: string
      if (text[j] === '"') [value, j] = quoted(j)
      else {
        const end = tokenEnd(j)
        value = text.slice(j, end)
        j = end
      }
      // "tag:" alone is a filter still being typed: it asks for nothing yet.
      if (value.trim()) parsed.filters.push({ key: searchKey, value: value.trim(), typed: text.slice(i, j) })
      i = j
      continue
    }
    const end = tokenEnd(i)
    addWord(parsed, text.slice(i, end))
    i = Math.max(end, i + 1)
  }
  return parsed
}

function addWord(parsed: ParsedSearch, token: string) {
  if (!HAS_LETTER_OR_DIGIT.test(token)) return
  if (!token.endsWith('*')) {
    parsed.words.push(token)
    return
  }
  // "order-12*": "order" must match, and words starting with "12".
  const pieces = lexemesOf(token)
  const last = pieces.pop()!
  parsed.words.push(...pieces)
  if (last.length >= MIN_PREFIX_LENGTH) parsed.prefixes.push(last)
  else parsed.words.push(last)
}

/** True when the search asks for anything at all. */
export const isEmptySearch = (p: ParsedSearch) => !p.words.length && !p.phrases.length && !p.prefixes.length && !p.filters.length

/**
 * The tsquery text for lexemes of letters and digits ("ref:* & duras:*"), each a prefix when it
 * is long enough. Anything else is refused, so nothing of tsquery's syntax (quotes, operators,
 * weights) can get in.
 */
export function lexemeTsquery(lexemes: readonly string[], options: { prefix: boolean }): string {
  const lower = lexemes.map((l) => l.toLowerCase())
  for (const l of lower) if (!/^[\p{L}\p{N}]+$/u.test(l)) throw new Error('a lexeme holds letters and digits only')
  return lower.map((l) => (options.prefix && l.length >= MIN_PREFIX_LENGTH ? `${l}:*` : l)).join(' & ')
}

// ---------------------------------------------------------------------------------------------
// Filters resolved against what the agent may see.

/** What names resolve against: the folders in the agent's scope, the tags, the active agents. */
export interface SearchNames {
  folders: { id: number; name: string }[]
  tags: { id: number; name: string }[]
  agents: { id: number; name: string }[]
}

/** What the typed filters ask for, in ids and instants. Null: no such filter. */
export interface SearchCriteria {
  statuses: ConversationStatus[] | null
  folderIds: number[] | null
  assignees: { ids: number[]; none: boolean } | null
  /** Each typed tag, as the ids its name matches: a conversation needs one of each group. */
  tagGroups: number[][]
  /** The lexemes of every `from:` value: the customer's name or address has words starting with each. */
  from: string[]
  /** Last activity before this instant (`before:`) and from this instant on (`after:`). */
  activityBefore: Date | null
  activityFrom: Date | null
}

export const needsNames = (p: ParsedSearch) =>
  p.filters.some((f) => f.key === 'tag' || f.key === 'folder' || (f.key === 'assignee' && assigneeWord(f.value) === null))

function assigneeWord(value: string): 'me' | 'none' | null {
  const v = folded(value)
  if ((ASSIGNEE_ME as readonly string[]).includes(v)) return 'me'
  if ((ASSIGNEE_NONE as readonly string[]).includes(v)) return 'none'
  return null
}

/**
 * The entries a typed name means: the one with exactly that name (case and accents aside), else
 * those whose name starts with it, else those with a word starting with it ("eu" → "Billing EU").
 */
export function matchNames<T extends { id: number; name: string }>(value: string, entries: readonly T[]): T[] {
  const v = folded(value.trim())
  if (!v) return []
  const exact = entries.filter((e) => folded(e.name) === v)
  if (exact.length) return exact
  const starts = entries.filter((e) => folded(e.name).startsWith(v))
  if (starts.length) return starts
  return entries.filter((e) =>
    folded(e.name)
      .split(/[^\p{L}\p{N}]+/u)
      .some((word) => word.startsWith(v)),
  )
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** A calendar day ("2026-12-01") or null when it is not one. */
function calendarDay(value: string): { y: number; m: number; d: number } | null {
  const m = DAY.exec(value)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? { y, m: mo, d } : null
}

/** The instant a day starts in a time zone (the day `plusDays` later, if given). */
export function dayStart(day: { y: number; m: number; d: number }, timeZone: string, plusDays = 0): Date {
  const wall = Date.UTC(day.y, day.m - 1, day.d + plusDays)
  // Twice: the offset at midnight may differ from the one a few hours off (a DST change that day).
  let at = wall - utcOffsetAt(wall, timeZone)
  at = wall - utcOffsetAt(at, timeZone)
  return new Date(at)
}

/**
 * The typed filters as criteria, or the messages of those that can match nothing (an unknown
 * name, a status or a date misspelt). `names` may be null when no filter needs them.
 * Repeating a filter of one value per conversation (status, folder, assignee) accepts any of
 * the values; repeated tags and `from:` must all match.
 */
export function resolveFilters(
  parsed: ParsedSearch,
  names: SearchNames | null,
  agent: { id: number; timeZone?: string },
): { criteria: SearchCriteria; problems: Message[] } {
  const criteria: SearchCriteria = { statuses: null, folderIds: null, assignees: null, tagGroups: [], from: [], activityBefore: null, activityFrom: null }
  const problems: Message[] = []
  const zone = agent.timeZone || 'UTC'
  for (const f of parsed.filters) {
    const filter = f.typed
    switch (f.key) {
      case 'status': {
        const status = STATUS_BY_ALIAS.get(folded(f.value))
        if (!status) problems.push({ key: 'list.search.badStatus', values: { filter } })
        else criteria.statuses = [...new Set([...(criteria.statuses ?? []), status])]
        break
      }
      case 'folder': {
        const found = matchNames(f.value, names?.folders ?? [])
        if (!found.length) problems.push({ key: 'list.search.noFolder', values: { filter } })
        else criteria.folderIds = [...new Set([...(criteria.folderIds ?? []), ...found.map((x) => x.id)])]
        break
      }
      case 'tag': {
        const found = matchNames(f.value, names?.tags ?? [])
        if (!found.length) problems.push({ key: 'list.search.noTag', values: { filter } })
        else criteria.tagGroups.push(found.map((x) => x.id))
        break
      }
      case 'assignee': {
        const word = assigneeWord(f.value)
        const found = word ? [] : matchNames(f.value, names?.agents ?? [])
        if (!word && !found.length) {
          problems.push({ key: 'list.search.noAssignee', values: { filter } })
          break
        }
        const current = criteria.assignees ?? { ids: [], none: false }
        criteria.assignees = {
          ids: [...new Set([...current.ids, ...(word === 'me' ? [agent.id] : found.map((x) => x.id))])],
          none: current.none || word === 'none',
        }
        break
      }
      case 'from': {
        const lexemes = lexemesOf(f.value)
        if (lexemes.length) criteria.from.push(...lexemes)
        break
      }
      case 'before':
      case 'after': {
        const day = calendarDay(f.value)
        if (!day) {
          problems.push({ key: 'list.search.badDate', values: { filter } })
          break
        }
        // "after:" and "before:" leave the day itself out, as the words say.
        if (f.key === 'before') {
          const at = dayStart(day, zone)
          criteria.activityBefore = criteria.activityBefore && criteria.activityBefore < at ? criteria.activityBefore : at
        } else {
          const at = dayStart(day, zone, 1)
          criteria.activityFrom = criteria.activityFrom && criteria.activityFrom > at ? criteria.activityFrom : at
        }
        break
      }
    }
  }
  return { criteria, problems }
}

// ---------------------------------------------------------------------------------------------
// Highlighting: which parts of a shown text the search matched.

export interface HighlightTerms {
  /** Whole lexemes (from words and phrases). */
  words: string[]
  prefixes: string[]
}

export interface TextPart {
  text: string
  mark: boolean
}

/** What to mark in subjects and snippets; `customer` adds the `from:` words for the customer's name. */
export function highlightTerms(parsed: ParsedSearch): { text: HighlightTerms; customer: HighlightTerms } {
  const words = [...new Set([...parsed.words, ...parsed.phrases].flatMap(lexemesOf))]
  const text = { words, prefixes: parsed.prefixes }
  const from = parsed.filters.filter((f) => f.key === 'from').flatMap((f) => lexemesOf(f.value))
  const fromPrefixes = from.filter((l) => l.length >= MIN_PREFIX_LENGTH)
  const fromWords = from.filter((l) => l.length < MIN_PREFIX_LENGTH)
  return { text, customer: { words: [...words, ...fromWords], prefixes: [...parsed.prefixes, ...fromPrefixes] } }
}

/** The text cut into parts, the matched words marked. Plain text in, plain text out: the view escapes it. */
export function matchedParts(text: string, terms: HighlightTerms): TextPart[] {
  if (!text || (!terms.words.length && !terms.prefixes.length)) return [{ text, mark: false }]
  const words = new Set(terms.words)
  const parts: TextPart[] = []
  const push = (s: string, mark: boolean) => {
    if (!s) return
    const last = parts.at(-1)
    if (last && last.mark === mark) last.text += s
    else parts.push({ text: s, mark })
  }
  let at = 0
  for (const m of text.matchAll(LETTERS_OR_DIGITS)) {
    const lexeme = m[0].toLowerCase()
    const hit = words.has(lexeme) || terms.prefixes.some((p) => lexeme.startsWith(p))
    push(text.slice(at, m.index), false)
    push(m[0], hit)
    at = m.index + m[0].length
  }
  push(text.slice(at), false)
  return parts.length ? parts : [{ text, mark: false }]
}

// ---------------------------------------------------------------------------------------------
// Completions while typing: the filter keys and their values for the word being typed.

/** How each key is offered, per language (any spelling is read, see KEY_ALIASES). */
const SHOWN_KEYS: Record<string, Record<SearchKey, string>> = {
  en: { from: 'from', status: 'status', tag: 'tag', folder: 'folder', assignee: 'assignee', before: 'before', after: 'after' },
  fr: { from: 'de', status: 'statut', tag: 'étiquette', folder: 'dossier', assignee: 'assigné', before: 'avant', after: 'après' },
}
const SHOWN_STATUSES: Record<string, Record<ConversationStatus, string>> = {
  en: { new: 'new', open: 'open', pending: 'pending', closed: 'closed' },
  fr: { new: 'nouveau', open: 'ouvert', pending: 'attente', closed: 'fermé' },
}
const SHOWN_ASSIGNEE_WORDS: Record<string, { me: string; none: string }> = { en: { me: 'me', none: 'none' }, fr: { me: 'moi', none: 'personne' } }

/** A key as the reader's language spells it ("de" for from: in French). */
export const shownKey = (key: SearchKey, locale: string) => (SHOWN_KEYS[locale] ?? SHOWN_KEYS.en!)[key]

/** The word being typed (after the last space outside quotes) and what comes before it. */
export function lastToken(text: string): { head: string; token: string } {
  let start = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted
    else if (!quoted && /\s/.test(text[i]!)) start = i + 1
  }
  return { head: text.slice(0, start), token: text.slice(start) }
}

/** A value as it must be typed: quoted when it holds a space or a quote. */
const typedValue = (value: string) => (/[\s"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value)

export type Completion =
  | { kind: 'key'; key: SearchKey; label: string; value: string }
  | { kind: 'value'; key: SearchKey; label: string; value: string; status?: ConversationStatus }
  | { kind: 'prefix'; prefix: string; label: string; value: string }

/**
 * What the word being typed may become: a filter key ("ta" → "tag:"), a value of the key it
 * starts with ("tag:v" → "tag:vip"), a prefix search ("ref" → "ref*"). Each `value` is the whole
 * search text with that word completed.
 */
export function completions(text: string, names: SearchNames, locale: string, limit = 8): Completion[] {
  const { head, token } = lastToken(text)
  if (!token) return []
  const shownKeys = SHOWN_KEYS[locale] ?? SHOWN_KEYS.en!
  const keyMatch = /^([^\s:"]+):(.*)$/s.exec(token)
  const key = keyMatch ? KEY_BY_ALIAS.get(folded(keyMatch[1]!)) : undefined
  if (keyMatch && key) {
    const typedKey = keyMatch[1]!
    const partial = folded(keyMatch[2]!.replace(/^"/, '').replace(/"$/, ''))
    const starts = (name: string) =>
      !partial ||
      folded(name).startsWith(partial) ||
      folded(name)
        .split(/[^\p{L}\p{N}]+/u)
        .some((w) => w.startsWith(partial))
    const value = (shown: string, extra: { status?: ConversationStatus } = {}): Completion => ({
      kind: 'value',
      key,
      label: `${typedKey}:${typedValue(shown)}`,
      value: `${head}${typedKey}:${typedValue(shown)} `,
      ...extra,
    })
    switch (key) {
      case 'status': {
        const shown = SHOWN_STATUSES[locale] ?? SHOWN_STATUSES.en!
        return (Object.keys(shown) as ConversationStatus[])
          .filter((s) => !partial || STATUS_ALIASES[s].some((alias) => alias.startsWith(partial)) || folded(shown[s]).startsWith(partial))
          .map((s) => value(shown[s], { status: s }))
      }
      case 'tag':
        return names.tags
          .filter((t) => starts(t.name))
          .slice(0, limit)
          .map((t) => value(t.name))
      case 'folder':
        return names.folders
          .filter((f) => starts(f.name))
          .slice(0, limit)
          .map((f) => value(f.name))
      case 'assignee': {
        const words = SHOWN_ASSIGNEE_WORDS[locale] ?? SHOWN_ASSIGNEE_WORDS.en!
        const special = [words.me, words.none].filter((w) => starts(w))
        return [...special, ...names.agents.filter((a) => starts(a.name)).map((a) => a.name)].slice(0, limit).map((v) => value(v))
      }
      default:
        // from: is completed from the customers found; dates have nothing to offer.
        return []
    }
  }
  const out: Completion[] = []
  const t = folded(token)
  for (const k of SEARCH_KEYS) {
    const shown = shownKeys[k]
    if (folded(shown).startsWith(t) && folded(shown) !== t) out.push({ kind: 'key', key: k, label: `${shown}:`, value: `${head}${shown}:` })
    else if (KEY_ALIASES[k].some((alias) => alias.startsWith(t) && alias !== t) && !folded(shown).startsWith(t))
      out.push({ kind: 'key', key: k, label: `${KEY_ALIASES[k][0]}:`, value: `${head}${KEY_ALIASES[k][0]}:` })
  }
  const lexemes = lexemesOf(token)
  const last = lexemes.at(-1)
  if (!token.endsWith('*') && !token.includes('"') && last && last.length >= MIN_PREFIX_LENGTH && lexemes.length === 1)
    out.push({ kind: 'prefix', prefix: last, label: `${last}*`, value: `${head}${last}* ` })
  return out.slice(0, limit)
}
