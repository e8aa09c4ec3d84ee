import {
  BIDI_CONTROLS,
  BLANK,
  CODE_FENCE,
  EMAIL_ADDRESS,
  ENDS_WITH_ADDRESS_COLON,
  ENDS_WITH_VERB,
  GMAIL_ISO_DATE,
  GMAIL_SLASH_DATE,
  HAS_BIDI_CONTROL,
  HAS_VERB,
  HAS_WEAK_VERB,
  MAX_PATTERN_LINE,
  ONE_LINE_HEADERS,
  PUNCTUATION_RULE,
  RULED_SEPARATOR,
  SEPARATOR,
  SIGNATURE_DASHES,
  STARTS_WITH_DATE,
  STARTS_WITH_OPENER,
  UNDERSCORE_RULE,
  dashedAttributionText,
  endsWithSentence,
  headerCategory,
  isMobileSignature,
  type HeaderCategory,
} from './patterns.ts'

// The folding algorithm, shared by plain-text and HTML bodies. It works on lines: for plain text
// the lines of the body, for HTML the lines the DOM renders to (see html.ts). README.md beside this
// file describes it step by step.

/** One line of a message body. */
export interface ReplyLine {
  /** The line's text (HTML: its rendered text). */
  text: string
  /** Whether the line is quoted: starts with `>` (plain text) or sits inside a <blockquote> (HTML). */
  quoted: boolean
}

/** What a line is, once classified. */
export type LineKind =
  | 'blank'
  | 'text' // the customer's own words (or unrecognised material)
  | 'quote' // quoted history
  | 'attribution' // "On … wrote:" and its translations, possibly over several lines
  | 'separator' // "-----Original Message-----", "Forwarded message", … (with the header block after it)
  | 'headers' // an Outlook-style header block: From: … Sent: … To: … Subject: …
  | 'signature' // a signature delimiter, a separator rule before a signature, or "Sent from my iPhone"

export interface ClassifiedLine {
  kind: LineKind
  /** For the first line of an attribution, separator or header block: the index after the group. */
  groupEnd: number
}

/** How many lines an attribution may span ("On Tue, …\n<jane@example.com>\nwrote:"). */
const ATTRIBUTION_MAX_LINES = 6
/** How many non-blank lines an attribution may have. */
const ATTRIBUTION_MAX_TEXT_LINES = 5
const ATTRIBUTION_MAX_CHARS = 600
/** How many lines an Outlook header block may span. */
const HEADER_BLOCK_MAX_LINES = 12
/** A rule of dashes or equal signs before at most this many short lines starts a signature. */
const RULE_SIGNATURE_MAX_LINES = 6
const RULE_SIGNATURE_MAX_CHARS = 80
/** A line of underscores before at most this many lines starts a footer (mailing lists, Outlook). */
const UNDERSCORE_FOOTER_MAX_LINES = 10
const UNDERSCORE_FOOTER_MAX_CHARS = 600

function isBlank(text: string): boolean {
  return BLANK.test(text)
}

// Patterns anchored at the end of a line only look at its end, and the e-mail pattern only runs
// on text with an @: no pattern can then take more than linear time on a long line.
const END_WINDOW = 120

function hasAddress(text: string): boolean {
  return text.includes('@') && EMAIL_ADDRESS.test(text)
}

function endsWithVerb(text: string): boolean {
  return ENDS_WITH_VERB.test(text.slice(-END_WINDOW))
}

/** A line as the patterns read it: without the bidirectional marks of right-to-left clients. */
function forPatterns(line: ReplyLine): ReplyLine {
  return HAS_BIDI_CONTROL.test(line.text) ? { text: line.text.replace(BIDI_CONTROLS, ''), quoted: line.quoted } : line
}

/** Classifies every line; see README.md for the rules. */
export function classifyLines(lines: readonly ReplyLine[]): ClassifiedLine[] {
  return classify(lines).out
}

function classify(rawLines: readonly ReplyLine[]): { out: ClassifiedLine[]; fenced: boolean[] } {
  const lines = rawLines.map(forPatterns)
  const n = lines.length
  const out: ClassifiedLine[] = lines.map((_, i) => ({ kind: 'text' as LineKind, groupEnd: i + 1 }))
  const fenced: boolean[] = new Array<boolean>(n).fill(false)

  // 1. Code fences, blank lines and quoted lines.
  let inFence = false
  for (let i = 0; i < n; i++) {
    const { text, quoted } = lines[i]!
    if (CODE_FENCE.test(text) && !quoted) {
      fenced[i] = true
      inFence = !inFence
      continue
    }
    if (inFence) {
      fenced[i] = true
      continue
    }
    if (isBlank(text)) out[i]!.kind = 'blank'
    else if (quoted) out[i]!.kind = 'quote'
  }

  // 2. Lines wrapped by the sender's client inside a quote ("> … pharetra d\nignissim odio?\n> …")
  //    belong to the quote: a run of text lines with a quoted line right before and right after.
  for (let i = 1; i < n; i++) {
    if (out[i]!.kind !== 'text' || fenced[i] || out[i - 1]!.kind !== 'quote') continue
    let end = i
    while (end < n && out[end]!.kind === 'text' && !fenced[end]) end++
    if (end < n && out[end]!.kind === 'quote') for (let k = i; k < end; k++) out[k]!.kind = 'quote'
    i = end
  }

  const candidate = (i: number): boolean => out[i]!.kind === 'text' && !fenced[i] && lines[i]!.text.length <= MAX_PATTERN_LINE

  // 3. Attributions. For each line that can end one, the earliest line up to five lines above that
  //    can open one and makes the whole group a valid attribution.
  let claimedUpTo = 0
  for (let j = 0; j < n; j++) {
    if (!mayEndAttribution(lines[j]!, out[j]!.kind, fenced[j]!)) continue
    for (let i = Math.max(claimedUpTo, j - ATTRIBUTION_MAX_LINES + 1); i <= j; i++) {
      if (!candidate(i) || !isAttribution(lines, out, i, j)) continue
      for (let k = i; k <= j; k++) out[k]!.kind = 'attribution'
      out[i]!.groupEnd = j + 1
      claimedUpTo = j + 1
      break
    }
  }

  // 4. Outlook-style header blocks, then separators (which take the header block after them).
  //    A line is read as a header at most once, though it may be looked at from several starts.
  const categories: (HeaderCategory | null | undefined)[] = new Array(n)
  const categoryOf = (k: number): HeaderCategory | null => (categories[k] ??= headerCategory(lines[k]!.text))
  for (let i = 0; i < n; i++) {
    if (!candidate(i)) continue
    const end = headerBlockEnd(lines, out, i, categoryOf)
    if (end > i) {
      for (let k = i; k < end; k++) out[k]!.kind = 'headers'
      out[i]!.groupEnd = end
      i = end - 1
    }
  }
  for (let i = 0; i < n; i++) {
    if (!candidate(i) || !isSeparator(lines[i]!.text)) continue
    out[i]!.kind = 'separator'
    let next = i + 1
    while (next < n && out[next]!.kind === 'blank') next++
    out[i]!.groupEnd = next < n && out[next]!.kind === 'headers' ? out[next]!.groupEnd : i + 1
  }

  // 5. Signatures: "-- " and device signatures, then rules of underscores or dashes that stand
  //    before a signature, a footer or an embedded e-mail.
  for (let i = 0; i < n; i++) {
    if (!candidate(i)) continue
    const text = lines[i]!.text
    if (SIGNATURE_DASHES.test(text) || isMobileSignature(text.trim())) out[i]!.kind = 'signature'
  }
  const tails = describeTails(lines, out)
  for (let i = n - 1; i >= 0; i--) {
    if (!candidate(i)) continue
    const text = lines[i]!.text
    const tail = tails[i]!
    if (UNDERSCORE_RULE.test(text)) {
      const footer = tail.lines <= UNDERSCORE_FOOTER_MAX_LINES && tail.chars <= UNDERSCORE_FOOTER_MAX_CHARS
      if (text.includes('ᐧ') || beforeSignatureOrMessage(out, i) || footer) out[i]!.kind = 'signature'
    } else if (PUNCTUATION_RULE.test(text)) {
      if (beforeSignatureOrMessage(out, i)) out[i]!.kind = 'signature'
      else if (isSetextUnderline(lines, out, i)) continue
      else if (tail.lines <= RULE_SIGNATURE_MAX_LINES && tail.signatureLike) out[i]!.kind = 'signature'
    }
  }
  return { out, fenced }
}

function isSeparator(text: string): boolean {
  return SEPARATOR.test(text) || RULED_SEPARATOR.test(text)
}

function mayEndAttribution(line: ReplyLine, kind: LineKind, fenced: boolean): boolean {
  if (fenced || kind === 'blank' || line.text.length > MAX_PATTERN_LINE) return false
  const text = line.text.trimEnd()
  return (
    /[:：]\s*(?:-{2,})?$/.test(text.slice(-END_WINDOW)) || endsWithVerb(text) || (!line.quoted && (GMAIL_SLASH_DATE.test(text) || GMAIL_ISO_DATE.test(text)))
  )
}

function isAttribution(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], i: number, j: number): boolean {
  const first = lines[i]!.text
  // "---- Jane Doe wrote ----": the rules and the verb are enough, no date or address.
  if (i === j) {
    const dashed = dashedAttributionText(first)
    if (dashed !== null && endsWithVerb(dashed)) return true
  }
  const opener = STARTS_WITH_OPENER.test(first)
  const dateFirst = STARTS_WITH_DATE.test(first)
  if (!opener && !dateFirst && !hasAddress(first)) return false
  // A group that opens with an address-first line ("Jane Doe <jane@x> 于2024年…\n10:12写道：")
  // does not open with the customer's sentence about an address ("Please write to bob@x from
  // now on.\nOn … wrote:").
  if (i < j && !opener && !dateFirst && readsAsSentenceWithAddress(first)) return false
  if (i === j && (GMAIL_SLASH_DATE.test(first) || GMAIL_ISO_DATE.test(first))) return true

  const parts: string[] = []
  for (let k = i; k <= j; k++) {
    const { text } = lines[k]!
    if (isBlank(text)) continue
    // Inside the group only the last line may look quoted ("<\nmailto:…>\n> wrote:").
    if (k > i && k < j && out[k]!.kind !== 'text') return false
    if (k < j && endsWithSentence(text)) return false
    parts.push(text.trim())
  }
  if (parts.length > ATTRIBUTION_MAX_TEXT_LINES) return false
  const joined = parts.join(' ').replace(/\s+/g, ' ')
  if (joined.length > ATTRIBUTION_MAX_CHARS) return false
  const hasDigit = /\d/.test(joined)
  const address = hasAddress(joined)
  if (!hasDigit && !address) return false
  if (endsWithVerb(joined)) return true
  const endsWithColon = /[:：]$/.test(joined)
  if (HAS_VERB.test(joined) && endsWithColon && hasDigit) return true
  // "… <jane@x> sent:", "… מאת Jane <jane@x>:": only with an address and a date.
  if (address && hasDigit && endsWithColon && HAS_WEAK_VERB.test(joined)) return true
  return dateFirst && address && ENDS_WITH_ADDRESS_COLON.test(joined.slice(-END_WINDOW))
}

/** A line that ends a sentence and has three words or more before its first address. */
function readsAsSentenceWithAddress(text: string): boolean {
  if (!/\p{L}[.!?]["')\]]*$/u.test(text.trimEnd().slice(-END_WINDOW))) return false
  const before = text.slice(0, text.indexOf('@')).replace(/\S*$/, '').trim()
  return before !== '' && before.split(/\s+/).length >= 3
}

function headerBlockEnd(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], i: number, categoryOf: (k: number) => HeaderCategory | null): number {
  const first = lines[i]!.text
  if (ONE_LINE_HEADERS.test(first)) {
    return i + 1
  }
  if (categoryOf(i) === null) return i
  const categories = new Set<HeaderCategory>()
  let headerLines = 0
  let end = i
  while (end < lines.length && end < i + HEADER_BLOCK_MAX_LINES) {
    if (out[end]!.kind === 'blank') {
      // Clients that turn Outlook's HTML into text leave a blank line between the headers: the
      // block goes on when a header line follows the blank line.
      const next = end + 1
      if (next < lines.length && out[next]!.kind === 'text' && categoryOf(next) !== null) {
        end = next
        continue
      }
      break
    }
    if (out[end]!.kind !== 'text') break
    const category = categoryOf(end)
    if (category !== null) {
      categories.add(category)
      headerLines++
    }
    end++
  }
  if (headerLines < 2) return i
  const has = (c: HeaderCategory) => categories.has(c)
  const valid = (has('from') && (has('date') || has('subject') || has('to'))) || (has('date') && categories.size >= 3)
  return valid ? end : i
}

/**
 * Where an attribution may start after the customer's words on the same line: after the end of
 * a sentence and white space ("Thanks! On …"; "好的。Jane …" needs no space), or at an opener
 * word ("Thanks On …"). A full stop inside an address or a number is not a place. Each
 * alternative is one run of punctuation or of white space, so the scan is linear.
 */
const INLINE_CANDIDATE = /[.!?…]+["'”’»)\]]*[ \t\u00a0]+|[。！？]+["'”’»)\]]*[ \t\u00a0]*|[ \t\u00a0]+/gu
const LOWER_WORD_END = /\p{Ll}{3}$/u

/** Whether the punctuation at `index` ends a sentence: "!", "?", "。", or a "." after a word of three lower-case letters. */
function endsSentenceAt(text: string, index: number): boolean {
  const char = text[index]!
  if (char !== '.') return true
  return LOWER_WORD_END.test(text.slice(Math.max(0, index - 3), index))
}

/** STARTS_WITH_OPENER, tried at a given offset of a line without copying its rest. */
const OPENER_AT = new RegExp(STARTS_WITH_OPENER.source.replace(/^\^/, ''), 'uy')
/** STARTS_WITH_DATE, tried at a given offset. */
const DATE_AT = new RegExp(STARTS_WITH_DATE.source.replace(/^\^/, ''), 'uy')
/** What may stand between a sender's address and the rest of the attribution. */
const SENDER_ONLY = /^[\s,;:>)\]"'»”]*$/u
/** How many places on one line are looked at, so that a long line costs a bounded amount of work. */
const INLINE_MAX_CANDIDATES = 12

function dateAt(text: string, p: number): boolean {
  DATE_AT.lastIndex = p
  return DATE_AT.test(text)
}

/**
 * "Thanks! Jane <jane@x> wrote:" names the sender first; a sentence between the split and the
 * address ("see the log. Thanks! On … <jane@x> wrote:") means the split is too early.
 */
function sentenceBeforeAddress(text: string, p: number): boolean {
  const at = text.indexOf('@', p)
  const end = at === -1 ? Math.min(text.length, p + ATTRIBUTION_MAX_CHARS) : at
  for (let k = p; k < end; k++) {
    const char = text[k]!
    if (char === '!' || char === '?' || char === '。' || char === '！' || char === '？') return true
    if (char === '.' && (k + 1 >= text.length || /\s/u.test(text[k + 1]!)) && endsSentenceAt(text, k)) return true
  }
  return false
}

export interface InlineAttributions {
  /** For each line to cut in two: the offset in its text where the attribution starts. */
  starts: Map<number, number>
  /** The classification of the lines as they are (reusable when no line is cut). */
  classified: ClassifiedLine[]
}

/**
 * Attributions that start on the same line as the customer's own text ("Thanks, that fixed it.
 * On Tue, Mar 5, 2024 at 10:12 AM Jane <jane@x> wrote:"), as some clients and text conversions
 * write them. Returns, for each such line, the offset in its text where the attribution starts:
 * the caller splits the line there, so that the customer's words stay visible and only the
 * attribution folds. Only strong attributions count: a date or time, and an e-mail address or a
 * quote right under it.
 */
export function inlineAttributionStarts(rawLines: readonly ReplyLine[]): InlineAttributions {
  const starts = new Map<number, number>()
  const n = rawLines.length
  const { out, fenced } = classify(rawLines)
  const lines = rawLines.map(forPatterns)
  // The attribution ends on this line or on one of the next few: skip lines with no such end.
  let nextEnd = Infinity
  const endWithin: number[] = new Array<number>(n)
  for (let k = n - 1; k >= 0; k--) {
    if (mayEndAttribution(lines[k]!, out[k]!.kind, fenced[k]!)) nextEnd = k
    endWithin[k] = nextEnd
  }
  for (let i = 0; i < n; i++) {
    const raw = rawLines[i]!
    const kind = out[i]!.kind
    if (endWithin[i]! - i >= ATTRIBUTION_MAX_LINES) continue
    if (raw.quoted || fenced[i] || raw.text.length > MAX_PATTERN_LINE || (kind !== 'text' && kind !== 'attribution')) continue
    if (kind === 'attribution' && !startsGroup(out, i)) continue // the group started on a line above
    const text = raw.text
    const firstWord = text.search(/[\p{L}\p{N}]/u)
    if (firstWord === -1) continue
    const startsLikeAttribution = STARTS_WITH_OPENER.test(text) || STARTS_WITH_DATE.test(text)
    // Where the first address on the line ends: an address before a place means that the line
    // names its sender there, and the place is inside the attribution.
    const firstAddress = text.includes('@') ? EMAIL_ADDRESS.exec(text) : null
    const addressEnd = firstAddress === null ? Infinity : firstAddress.index + firstAddress[0].length
    const from = Math.max(firstWord + 1, text.length - ATTRIBUTION_MAX_CHARS)
    let examined = 0
    INLINE_CANDIDATE.lastIndex = 0
    for (let match = INLINE_CANDIDATE.exec(text); match !== null && examined < INLINE_MAX_CANDIDATES; match = INLINE_CANDIDATE.exec(text)) {
      const p = match.index + match[0].length
      if (p < from || p >= text.length) continue
      OPENER_AT.lastIndex = p
      const opener = OPENER_AT.test(text)
      const afterSentence = !/\s/u.test(match[0][0]!) && endsSentenceAt(text, match.index)
      if (!afterSentence && !opener) continue // between words only an opener starts an attribution
      examined++
      if (afterSentence) {
        // Inside a line that is itself an attribution ("Le mar. 5 mars …", "Jane <jane@x> ezt írta
        // (időpont: 2024. márc. 5., …):") only a sentence of some words, then an opener, is a split.
        const inside = startsLikeAttribution || addressEnd <= p
        if (inside && (!opener || text.slice(0, p).trim().split(/\s+/).length < 3)) continue
        if (!inside && !opener && !dateAt(text, p) && sentenceBeforeAddress(text, p)) continue
      } else if (startsLikeAttribution || (addressEnd <= p && SENDER_ONLY.test(text.slice(addressEnd, p)))) {
        continue // "Jane <jane@x> 在 2024年3月5日 … 寫道：": the opener follows the sender's address
      }
      if (isInlineAttribution(lines, out, fenced, i, text.slice(p))) {
        starts.set(i, p)
        break
      }
    }
  }
  return { starts, classified: out }
}

/** Whether line i opens its attribution group (the lines after the first have no groupEnd of their own). */
function startsGroup(out: readonly ClassifiedLine[], i: number): boolean {
  return i === 0 || out[i - 1]!.kind !== 'attribution' || out[i]!.groupEnd > i + 1
}

/** Whether `rest` (the end of line i) and up to five lines under it make a strong attribution. */
function isInlineAttribution(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], fenced: readonly boolean[], i: number, rest: string): boolean {
  const end = Math.min(lines.length, i + ATTRIBUTION_MAX_LINES)
  const group: ReplyLine[] = [{ text: rest.replace(BIDI_CONTROLS, ''), quoted: false }, ...lines.slice(i + 1, end)]
  const kinds: ClassifiedLine[] = [{ kind: 'text', groupEnd: 1 }, ...out.slice(i + 1, end)]
  for (let j = 0; j < group.length; j++) {
    if (!mayEndAttribution(group[j]!, kinds[j]!.kind, fenced[i + j]!) || !isAttribution(group, kinds, 0, j)) continue
    const joined = group
      .slice(0, j + 1)
      .map((line) => line.text)
      .join(' ')
    if (!/\p{Nd}/u.test(joined)) return false
    if (hasAddress(joined)) return true
    let next = i + j + 1
    while (next < out.length && out[next]!.kind === 'blank') next++
    return next < out.length && out[next]!.kind === 'quote'
  }
  return false
}

/** Whether a signature, an attribution, a separator or a header block comes next (after blank lines). */
function beforeSignatureOrMessage(out: readonly ClassifiedLine[], i: number): boolean {
  let next = i + 1
  while (next < out.length && out[next]!.kind === 'blank') next++
  if (next >= out.length) return false
  const kind = out[next]!.kind
  return kind === 'signature' || kind === 'attribution' || kind === 'separator' || kind === 'headers'
}

/** A line that is only a rule of dashes, underscores, equal signs, … */
function isRule(text: string): boolean {
  return text.length <= MAX_PATTERN_LINE && (PUNCTUATION_RULE.test(text) || UNDERSCORE_RULE.test(text))
}

/** "Heading\n-------": a rule of dashes or equal signs right under a line of text. */
function isSetextUnderline(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], i: number): boolean {
  return i > 0 && out[i - 1]!.kind === 'text' && /^[\s-]+$|^[\s=]+$/.test(lines[i]!.text)
}

interface Tail {
  /** Non-blank lines after the line, up to the end or to the next embedded message. */
  lines: number
  /** Their length in characters. */
  chars: number
  /** Whether all of them are short and none reads as a sentence. */
  signatureLike: boolean
}

/** For each line, what follows it up to the end or to the next attribution, separator or header block. */
function describeTails(lines: readonly ReplyLine[], out: readonly ClassifiedLine[]): Tail[] {
  const tails: Tail[] = new Array<Tail>(lines.length)
  let count = 0
  let chars = 0
  let signatureLike = true
  for (let k = lines.length - 1; k >= 0; k--) {
    tails[k] = { lines: count, chars, signatureLike }
    const kind = out[k]!.kind
    if (kind === 'attribution' || kind === 'separator' || kind === 'headers') {
      count = 0
      chars = 0
      signatureLike = true
    } else if (kind !== 'blank') {
      count++
      chars += lines[k]!.text.trim().length
      signatureLike &&= isSignatureLine(lines[k]!.text)
    }
  }
  return tails
}

/** A short line that does not read as a sentence: a name, a title, a phone number, a link. */
function isSignatureLine(line: string): boolean {
  const text = line.trim()
  if (text.length > RULE_SIGNATURE_MAX_CHARS) return false
  const words = text.split(/\s+/).length
  return !(words >= 5 && /[.!?:]["')\]]*$/.test(text))
}

/**
 * Decides which lines stay visible. Returns one flag per line: true for the customer's new text,
 * false for what is folded away (quoted history, attributions, forwarded headers, signatures).
 */
export function foldLines(lines: readonly ReplyLine[], classified?: readonly ClassifiedLine[]): boolean[] {
  const n = lines.length
  const cls = classified ?? classifyLines(lines)
  const keep: boolean[] = new Array<boolean>(n).fill(true)
  const fold = (from: number, to: number) => {
    for (let k = from; k < to; k++) keep[k] = false
  }
  const skipBlank = (k: number) => {
    while (k < n && cls[k]!.kind === 'blank') k++
    return k
  }
  const quoteEnd = (k: number) => {
    while (k < n && (cls[k]!.kind === 'quote' || cls[k]!.kind === 'blank')) k++
    return k
  }
  /** After the new text at t, another quote (with or without attribution) followed by new text. */
  const interleaved = (t: number) => {
    let k = t
    while (k < n && (cls[k]!.kind === 'text' || cls[k]!.kind === 'blank')) k++
    if (k < n && cls[k]!.kind === 'attribution') k = skipBlank(cls[k]!.groupEnd)
    if (k >= n || cls[k]!.kind !== 'quote') return false
    const after = skipBlank(quoteEnd(k))
    return after < n && cls[after]!.kind === 'text'
  }

  let cut = n
  let seenText = false
  let i = 0
  scan: while (i < n) {
    const { kind, groupEnd } = cls[i]!
    switch (kind) {
      case 'blank':
      case 'quote':
        i++
        break
      case 'text':
        seenText = true
        i++
        break
      case 'attribution': {
        const q = skipBlank(groupEnd)
        if (q < n && cls[q]!.kind === 'quote') {
          const t = skipBlank(quoteEnd(q))
          if (t < n && cls[t]!.kind === 'text') {
            // New text after the quote: an inline or bottom-posted reply. The attribution and its
            // quote stay as context, except for a bottom-post that opens the message.
            if (!seenText && !interleaved(t)) fold(i, t)
            i = t
            break
          }
        }
        if (seenText) {
          cut = i
          break scan
        }
        // The message opens with an attribution followed by unquoted text: fold the attribution.
        fold(i, groupEnd)
        i = groupEnd
        break
      }
      case 'separator':
      case 'headers':
        if (seenText) {
          cut = i
          break scan
        }
        // A forwarded message: fold its headers, show its body.
        fold(i, groupEnd)
        i = groupEnd
        break
      case 'signature':
        cut = i
        break scan
    }
  }

  // Everything from the cut on is folded, and so are the quotes and blank lines that end what is
  // left: the visible part ends with the customer's last line of new text.
  let last = -1
  for (let k = 0; k < cut; k++) {
    if (keep[k] && cls[k]!.kind === 'text' && !isRule(lines[k]!.text)) last = k
  }
  if (last === -1) return new Array<boolean>(n).fill(true) // nothing of the customer's own: show all
  fold(last + 1, n)
  return keep
}
