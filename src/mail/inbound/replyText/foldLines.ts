import {
  BLANK,
  CODE_FENCE,
  EMAIL_ADDRESS,
  ENDS_WITH_ADDRESS_COLON,
  ENDS_WITH_VERB,
  GMAIL_ISO_DATE,
  GMAIL_SLASH_DATE,
  HAS_VERB,
  MAX_PATTERN_LINE,
  ONE_LINE_HEADERS,
  PUNCTUATION_RULE,
  SENTENCE_END,
  SEPARATOR,
  SIGNATURE_DASHES,
  STARTS_WITH_DATE,
  STARTS_WITH_OPENER,
  UNDERSCORE_RULE,
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

function endsSentence(text: string): boolean {
  return SENTENCE_END.test(text.slice(-END_WINDOW))
}

/** Classifies every line; see README.md for the rules. */
export function classifyLines(lines: readonly ReplyLine[]): ClassifiedLine[] {
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

  const candidate = (i: number): boolean =>
    out[i]!.kind === 'text' && !fenced[i] && lines[i]!.text.length <= MAX_PATTERN_LINE

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
  for (let i = 0; i < n; i++) {
    if (!candidate(i)) continue
    const end = headerBlockEnd(lines, out, i)
    if (end > i) {
      for (let k = i; k < end; k++) out[k]!.kind = 'headers'
      out[i]!.groupEnd = end
      i = end - 1
    }
  }
  for (let i = 0; i < n; i++) {
    if (!candidate(i) || !SEPARATOR.test(lines[i]!.text)) continue
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
  return out
}

function mayEndAttribution(line: ReplyLine, kind: LineKind, fenced: boolean): boolean {
  if (fenced || kind === 'blank' || line.text.length > MAX_PATTERN_LINE) return false
  const text = line.text.trimEnd()
  return (
    /[:：]\s*(?:-{2,})?$/.test(text.slice(-END_WINDOW)) ||
    endsWithVerb(text) ||
    (!line.quoted && (GMAIL_SLASH_DATE.test(text) || GMAIL_ISO_DATE.test(text)))
  )
}

function isAttribution(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], i: number, j: number): boolean {
  const first = lines[i]!.text
  const opener = STARTS_WITH_OPENER.test(first)
  const dateFirst = STARTS_WITH_DATE.test(first)
  if (!opener && !dateFirst && !hasAddress(first)) return false
  if (i === j && (GMAIL_SLASH_DATE.test(first) || GMAIL_ISO_DATE.test(first))) return true

  const parts: string[] = []
  for (let k = i; k <= j; k++) {
    const { text } = lines[k]!
    if (isBlank(text)) continue
    // Inside the group only the last line may look quoted ("<\nmailto:…>\n> wrote:").
    if (k > i && k < j && out[k]!.kind !== 'text') return false
    if (k < j && endsSentence(text)) return false
    parts.push(text.trim())
  }
  if (parts.length > ATTRIBUTION_MAX_TEXT_LINES) return false
  const joined = parts.join(' ').replace(/\s+/g, ' ')
  if (joined.length > ATTRIBUTION_MAX_CHARS) return false
  const hasDigit = /\d/.test(joined)
  const address = hasAddress(joined)
  if (!hasDigit && !address) return false
  if (endsWithVerb(joined)) return true
  if (HAS_VERB.test(joined) && /[:：]$/.test(joined) && hasDigit) return true
  return dateFirst && address && ENDS_WITH_ADDRESS_COLON.test(joined.slice(-END_WINDOW))
}

function headerBlockEnd(lines: readonly ReplyLine[], out: readonly ClassifiedLine[], i: number): number {
  const first = lines[i]!.text
  if (ONE_LINE_HEADERS.test(first)) {
    return i + 1
  }
  if (headerCategory(first) === null) return i
  const categories = new Set<HeaderCategory>()
  let headerLines = 0
  let end = i
  while (end < lines.length && end < i + HEADER_BLOCK_MAX_LINES && out[end]!.kind === 'text') {
    const category = headerCategory(lines[end]!.text)
    if (category !== null) {
      categories.add(category)
      headerLines++
    }
    end++
  }
  if (headerLines < 2) return i
  const has = (c: HeaderCategory) => categories.has(c)
  const valid =
    (has('from') && (has('date') || has('subject') || has('to'))) ||
    (has('date') && categories.size >= 3)
  return valid ? end : i
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
export function foldLines(lines: readonly ReplyLine[]): boolean[] {
  const n = lines.length
  const cls = classifyLines(lines)
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
