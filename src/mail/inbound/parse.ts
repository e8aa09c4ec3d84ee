import { Transform, type TransformCallback } from 'node:stream'
import { HTML_SHOWN_MAX } from './bodyLimits.ts'
import { formatBytes } from '../../domain/conversations/messageBody.ts'
import { MailParser, parseAddressHeader, type AddressObject, type Headers, type HeaderLines } from 'mailparser'

export interface InboundAttachment {
  fileName: string
  contentType: string
  data: Buffer
  /** Content-ID without angle brackets, when the part has one. */
  cid: string | null
  /** Shown in the body (multipart/related or Content-Disposition: inline) rather than attached. */
  related: boolean
}

export interface Mailbox {
  address: string
  name: string
}

/** An e-mail reduced to what the help desk uses; every field present, whatever the input. */
export interface InboundMail {
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  from: Mailbox | null
  /**
   * The mailbox of the message's single From line, or null (no From, two From lines, or none with
   * an address). Unlike `from` it never falls back to Sender or Reply-To: whatever vouches for the
   * author (subject-number threading) reads this.
   */
  author: Mailbox | null
  to: Mailbox[]
  cc: Mailbox[]
  replyTo: Mailbox[]
  subject: string
  date: Date | null
  text: string
  html: string | null
  attachments: InboundAttachment[]
  /** Lower-cased header names to their raw string values. */
  headers: Map<string, string>
}

function mailboxes(value: AddressObject | AddressObject[] | undefined): Mailbox[] {
  const list = Array.isArray(value) ? value : value ? [value] : []
  const out: Mailbox[] = []
  const walk = (entries: { address?: string; name?: string; group?: unknown[] }[]) => {
    for (const e of entries) {
      if (e.group) walk(e.group as typeof entries)
      else {
        // A stray bracket left over from a broken "Name <address>" is not part of the address.
        const address = (e.address ?? '')
          .trim()
          .replace(/^<+|>+$/g, '')
          .toLowerCase()
        if (/^("[^"]*"|[^@\s"]+)@[^@\s]+$/.test(address)) out.push({ address, name: (e.name ?? '').trim() })
      }
    }
  }
  for (const obj of list) walk(obj.value)
  return out
}

// Control characters (a NUL above all) cannot be stored and are never part of a real Message-ID.
const MESSAGE_ID = /<[^<>\s\u0000-\u001f\u007f]+>/g

/**
 * The Message-ID read straight from the header block, without parsing the message: stored with the
 * raw bytes, so that a reply can find the message it answers before that one is processed.
 */
export function quickMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, 256 * 1024).toString('latin1')
  const end = head.search(/\r?\n\r?\n/)
  const line = /^message-id:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/im.exec(end >= 0 ? head.slice(0, end) : head)?.[1]
  return line?.match(MESSAGE_ID)?.[0]?.slice(0, 500) ?? null
}

function messageIds(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '')
  return joined.match(MESSAGE_ID) ?? []
}

function headerText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(headerText).join(', ')
  if (typeof value === 'object') {
    const v = value as { value?: unknown; text?: string; params?: Record<string, string> }
    if (typeof v.text === 'string') return v.text
    if (typeof v.value === 'string') return [v.value, ...Object.entries(v.params ?? {}).map(([k, p]) => `${k}=${p}`)].join('; ')
  }
  return String(value)
}

// ---------------------------------------------------------------------------------------------
// Character sets

const UTF7 = /^(?:(?:cs)?unicode-?1-?1-?)?utf-?7$/i

/** RFC 2152 UTF-7: "+" starts modified base64 of UTF-16BE, "-" (absorbed) or any other character ends it, "+-" is "+". */
function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)(-?)/g, (whole, b64: string, dash: string) => {
    if (b64 === '') return dash ? '+' : whole
    const bytes = Buffer.from(b64, 'base64')
    let out = ''
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i))
    return out
  })
}

const isUtf8 = (bytes: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

const has8bit = (bytes: Uint8Array) => bytes.some((b) => b >= 0x80)

/** Decodes with a WHATWG decoder; null when the charset is unknown or, with fatal, the bytes do not fit it. */
function tryDecode(bytes: Uint8Array, charset: string, fatal: boolean): string | null {
  try {
    return new TextDecoder(charset.trim().toLowerCase(), { fatal }).decode(bytes)
  } catch {
    return null
  }
}

/** The charsets a message declares anywhere (Content-Type parameters, HTML meta tags), in order. */
function declaredCharsets(latin1: string): string[] {
  return [...new Set([...latin1.matchAll(/charset\s*=\s*["']?([\w.:-]+)/gi)].map((m) => m[1]!.toLowerCase()))]
}

/** Charsets that are 7-bit by definition: 8-bit bytes labelled with them were written in another one. */
const SEVEN_BIT = /^(us-?ascii|ascii|iso-?2022-?\w+|hz-gb-2312|utf-?7)$/i

/** The 8-bit charsets a mislabelled 7-bit one most likely stands for. */
function eightBitSiblings(charset: string): string[] {
  const c = charset.toLowerCase()
  if (/^iso-?2022-?jp/.test(c)) return ['shift_jis', 'euc-jp']
  if (/^iso-?2022-?kr/.test(c)) return ['euc-kr']
  if (/^(iso-?2022-?cn|hz-gb-2312)/.test(c)) return ['gb18030']
  return []
}

const MULTIBYTE = /^(gb|big5|shift|sjis|x-sjis|euc|ks_c|cp9[35]|windows-9[35]|utf-?(16|32))/i

/**
 * Text in a charset the bytes may not really be in. Valid UTF-8 with 8-bit bytes is UTF-8
 * whatever the label (single-byte text is almost never valid UTF-8 by chance; the label is often
 * the mailer's default). Bytes that a 7-bit label cannot describe are read in that label's 8-bit
 * siblings. Null when the declared charset is the best reading (left to the caller).
 */
function decodeMislabelled(bytes: Uint8Array, declared: string): string | null {
  const cs = declared.trim().toLowerCase()
  if (UTF7.test(cs)) return decodeUtf7(Buffer.from(bytes).toString('latin1'))
  if (!has8bit(bytes) || /^utf-?(16|32)/.test(cs)) return null
  if (!/^utf-?8$/.test(cs) && isUtf8(bytes)) return Buffer.from(bytes).toString('utf8')
  if (SEVEN_BIT.test(cs)) {
    for (const sibling of eightBitSiblings(cs)) {
      const text = tryDecode(bytes, sibling, true)
      if (text !== null) return text
    }
    return tryDecode(bytes, 'windows-1252', false)
  }
  return null
}

/**
 * Header text written raw in 8-bit (no encoded words): UTF-8 when it is valid UTF-8, else the
 * first charset the message declares whose decoding fits the bytes (multi-byte ones first, as any
 * byte fits a single-byte charset), else Windows-1252.
 */
function decodeRawHeader(bytes: Uint8Array, declared: string[]): string {
  if (isUtf8(bytes)) return Buffer.from(bytes).toString('utf8')
  const candidates = [...new Set(declared.flatMap((c) => [c, ...eightBitSiblings(c)]).filter((c) => !SEVEN_BIT.test(c) && !/^utf-?8$/i.test(c)))]
  // A multi-byte charset that fits the bytes (a few unreadable characters allowed: header lines get cut).
  let best: { text: string; bad: number } | null = null
  for (const cs of candidates.filter((c) => MULTIBYTE.test(c))) {
    const text = tryDecode(bytes, cs, false)
    if (text === null) continue
    const bad = text.split('\ufffd').length - 1
    if (bad * 20 <= text.length && (!best || bad < best.bad)) best = { text, bad }
  }
  if (best) return best.text
  for (const cs of candidates.filter((c) => !MULTIBYTE.test(c))) {
    const text = tryDecode(bytes, cs, false)
    if (text !== null) return text
  }
  return tryDecode(bytes, 'windows-1252', false) ?? Buffer.from(bytes).toString('latin1')
}

// ---------------------------------------------------------------------------------------------
// Repairs of the message before it is parsed (the stored raw message is never changed)

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g
const ENCODED_RUN = /=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=(?:[ \t]*(?:\r?\n[ \t]+)?=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=)*/g

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64')
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '_') bytes.push(0x20)
    else if (c === '=' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(c.charCodeAt(0) & 0xff)
  }
  return Buffer.from(bytes)
}

/**
 * Rewrites the encoded words that mailparser would get wrong as UTF-8 encoded words: raw 8-bit
 * bytes inside a word, UTF-7 (which mailparser leaves undecoded), and words whose bytes do not fit
 * their label (UTF-8 labelled Big5, Shift_JIS labelled ISO-2022-JP ...). A run of adjacent words in
 * one charset is decoded as a whole, as a character may be split between two words. Works on a
 * latin1 string (one character per byte); folding between the words of a run may be given.
 */
function repairEncodedWords(text: string): string {
  const needsRepair = (w: { charset: string; bytes: Buffer; rawText: string }) =>
    /[\x80-\xff]/.test(w.rawText) || decodeMislabelled(w.bytes, w.charset) !== null
  const rewrite = (bytes: Buffer, charset: string) => {
    const decoded = decodeMislabelled(bytes, charset) ?? tryDecode(bytes, charset, false) ?? bytes.toString('utf8')
    return `=?UTF-8?B?${Buffer.from(decoded, 'utf8').toString('base64')}?=`
  }
  return text.replace(ENCODED_RUN, (run) => {
    const words = [...run.matchAll(ENCODED_WORD)].map((m) => ({ whole: m[0], charset: m[1]!, bytes: wordBytes(m[2]!, m[3]!), rawText: m[3]! }))
    if (!words.some(needsRepair)) return run
    if (new Set(words.map((w) => w.charset.toLowerCase())).size === 1) return rewrite(Buffer.concat(words.map((w) => w.bytes)), words[0]!.charset)
    return run.replace(ENCODED_WORD, (whole) => {
      const w = words.find((x) => x.whole === whole)!
      return needsRepair(w) ? rewrite(w.bytes, w.charset) : whole
    })
  })
}

/**
 * Fixes what keeps mailparser from reading a message's own headers: a byte order mark or blank
 * lines before them, obsolete "Name :" syntax, raw 8-bit text in a charset other than UTF-8, and
 * broken encoded words. Only the top-level header block is touched; the body is passed on as is.
 */
function repairHeaders(raw: Buffer): Buffer {
  let start = 0
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) start = 3
  // Empty lines before the first header would make the whole message a body without headers.
  let s = start
  while (raw[s] === 0x0d || raw[s] === 0x0a) s++
  if (s > start && /^[!-9;-~]+[ \t]*:/.test(raw.subarray(s, s + 200).toString('latin1'))) start = s

  const head = raw.subarray(start, Math.min(raw.length, start + 256 * 1024)).toString('latin1')
  const end = /\r?\n\r?\n/.exec(head)
  const headerEnd = end ? end.index : head.length
  const block = head.slice(0, headerEnd)
  let declared: string[] | null = null // read from the whole message only when needed

  let changed = start > 0
  // Obsolete syntax (RFC 5322 §4.5): white space between the field name and the colon.
  let text = block.replace(/^([!-9;-~]+)[ \t]+:/gm, '$1:')
  text = repairEncodedWords(text)
  const lines = text.split(/(\r?\n)/).map((line) => {
    if (!/[\x80-\xff]/.test(line)) return line
    // Encoded words were rewritten above; what is left is raw text in some charset.
    const bytes = Buffer.from(line, 'latin1')
    if (isUtf8(bytes)) return line
    declared ??= declaredCharsets(raw.toString('latin1'))
    return Buffer.from(decodeRawHeader(bytes, declared), 'utf8').toString('latin1')
  })
  if (lines.join('') !== block) changed = true
  // "multipart/mixed" and a boundary on the next line without the ";" between them.
  const joined = lines.join('').replace(/^(content-type:[ \t]*multipart\/[\w.-]+)([ \t]*\r?\n[ \t]+boundary=)/im, (_w, type: string, rest: string) => {
    changed = true
    return `${type};${rest}`
  })
  if (!changed) return raw
  return Buffer.concat([Buffer.from(joined, 'latin1'), raw.subarray(start + Buffer.byteLength(block, 'latin1'))])
}

// ---------------------------------------------------------------------------------------------
// Line ends and MIME structure, repaired the way mail clients read them

/**
 * A message whose lines end in CR alone (classic Mac OS, some gateways) as CRLF: the parser splits
 * lines at LF only, so it would read the whole message as one header line (no subject, no body).
 * Decided by the first line end, so that a CR inside the body of a well-formed message (binary
 * content sent 8-bit) is never touched.
 */
function normaliseLineEnds(raw: Buffer): Buffer {
  const cr = raw.indexOf(0x0d)
  const lf = raw.indexOf(0x0a)
  if (cr < 0 || (lf >= 0 && lf < cr)) return raw
  let i = cr
  while (raw[i] === 0x0d) i++
  if (raw[i] === 0x0a) return raw
  return Buffer.from(raw.toString('latin1').replace(/\r(?!\n)/g, '\r\n'), 'latin1')
}

/** A multipart's boundary parameter, as the parser reads it (quotes dropped, trailing white space cut). */
const BOUNDARY_PARAM = /(^|[;\s])boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/i
/** Characters a boundary may hold (RFC 2046 §5.1.1), at most 70 of them, not ending in a space. */
const BOUNDARY_CHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/
/** Nesting deeper than this is not examined (the parser reads it as it is). */
const REPAIR_DEPTH_MAX = 30

interface Field {
  /** Where the field's value starts and ends in the message. */
  start: number
  end: number
  value: string
}

/** How far a part's header block is looked for. */
const PART_HEAD_MAX = 256 * 1024

/** A part's header block, from its start to the blank line (null when there is none before `end`). */
function headerBlock(s: string, start: number, end: number): { text: string; bodyStart: number } | null {
  // A bounded slice: a part without a blank line must not make every search run to the message's end.
  const text = s.slice(start, Math.min(end, start + PART_HEAD_MAX))
  const none = /^\r?\n/.exec(text)
  if (none) return { text: '', bodyStart: start + none[0].length }
  const blank = /\n\r?\n/.exec(text)
  return blank ? { text: text.slice(0, blank.index + 1), bodyStart: start + blank.index + blank[0].length } : null
}

/** The value of the Content-Type field in a header block that starts at `start`. */
function contentTypeField(block: string, start: number): Field | null {
  const m = /(?:^|\n)content-type[ \t]*:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/i.exec(block)
  if (!m) return null
  const valueEnd = start + m.index + m[0].length
  return { start: valueEnd - m[1]!.length, end: valueEnd, value: m[1]! }
}

interface Delimiter {
  /** Index of the line's first "-". */
  line: number
  /** Index just after the line's end. */
  next: number
  close: boolean
}

/** The delimiter lines of a boundary between two indexes, as the parser matches them (exactly, white space allowed before the line end). */
function delimitersOf(s: string, boundary: string, from: number, to: number): Delimiter[] {
  const out: Delimiter[] = []
  // Searched in the body's own range (a slice shares the message's memory): a search that ran on
  // to the message's end would cost the whole message once per multipart.
  const base = from - 1
  const region = s.slice(base, to)
  const needle = `\n--${boundary}`
  for (let at = region.indexOf(needle); at >= 0; at = region.indexOf(needle, at + needle.length)) {
    let i = at + needle.length
    let close = false
    if (region.startsWith('--', i)) {
      close = true
      i += 2
    }
    while (region[i] === ' ' || region[i] === '\t') i++
    while (region[i] === '\r') i++
    if (i < region.length && region[i] !== '\n') continue
    out.push({ line: base + at + 1, next: base + Math.min(i + 1, region.length), close })
  }
  return out
}

/**
 * The boundary the parts of a body really use when the declared one never occurs: the first
 * "--token" line that opens a part and either comes back later (another part or the closing line)
 * or is followed by a Content- header (a part cut short). A lone "-----Original Message-----" or a
 * signature separator is no boundary.
 */
function boundaryInBody(s: string, from: number, to: number): string | null {
  const seen = new Map<string, { opens: number; closes: number; opensPart: boolean; contentNext: boolean; first: number }>()
  const region = s.slice(from - 1, to)
  for (const m of region.matchAll(/\n--([^\r\n]+)/g)) {
    let token = m[1]!.replace(/[ \t]+$/, '')
    const close = token.length > 2 && token.endsWith('--')
    if (close) token = token.slice(0, -2)
    if (!BOUNDARY_CHARS.test(token)) continue
    let entry = seen.get(token)
    if (!entry) seen.set(token, (entry = { opens: 0, closes: 0, opensPart: false, contentNext: false, first: m.index }))
    if (close) entry.closes++
    else {
      if (entry.opens === 0) {
        // The line after it: a header field or the blank line of a part without headers.
        const lineEnd = region.indexOf('\n', m.index + 1)
        const next = lineEnd < 0 ? '' : region.slice(lineEnd + 1, lineEnd + 200)
        entry.opensPart = lineEnd >= 0 && /^(?:\r?\n|\r?$|[!-9;-~]+[ \t]*:)/.test(next)
        entry.contentNext = /^content-[\w-]+[ \t]*:/i.test(next)
      }
      entry.opens++
    }
  }
  let best: [string, { first: number }] | null = null
  for (const [token, e] of seen) {
    if (e.opens > 0 && e.opensPart && (e.opens + e.closes >= 2 || e.contentNext) && (!best || e.first < best[1].first)) best = [token, e]
  }
  return best?.[0] ?? null
}

/**
 * Multiparts whose boundary is missing or never occurs in their body (the parser then finds no
 * part and the e-mail shows no text): the boundary the parts really use is written into the
 * header, and when there is none, the body is read as the plain text it is, as mail clients show
 * it. The whole structure is walked, nested multiparts too; attached messages are left as sent.
 */
function repairBoundaries(raw: Buffer): Buffer {
  const s = raw.toString('latin1')
  const edits: { start: number; end: number; text: string }[] = []
  const walk = (start: number, end: number, depth: number) => {
    const head = headerBlock(s, start, end)
    const field = head && contentTypeField(head.text, start)
    if (!head || !field || !/^\s*multipart\//i.test(field.value) || depth > REPAIR_DEPTH_MAX) return
    const param = BOUNDARY_PARAM.exec(field.value)
    const declared = (param?.[2] ?? param?.[3] ?? '').replace(/\s+$/, '')
    // The line that ends the part too: the parser matches a multipart's own boundary before its
    // parent's, so a line that is both is this multipart's delimiter.
    const lineAfter = s.indexOf('\n', end)
    const searchEnd = lineAfter < 0 ? s.length : lineAfter
    let delimiters = declared ? delimitersOf(s, declared, head.bodyStart, searchEnd) : []
    if (!delimiters.some((d) => !d.close)) {
      const found = boundaryInBody(s, head.bodyStart, end)
      if (found === null) {
        // Only a closing line, or nothing but blank lines: an empty multipart, read as it is. Else
        // the body is text.
        if (delimiters.length || !/\S/.test(s.slice(head.bodyStart, end))) return
        // Without a charset, read as mail clients read unlabelled text: UTF-8 when the bytes are
        // valid UTF-8, else Windows-1252 (the body decoder does so for a single-byte label; an
        // ASCII or UTF-8 label would turn 8-bit bytes into replacement characters).
        const charset = /(?:^|[;\s])charset\s*=\s*("[^"]*"|[^;\s]+)/i.exec(field.value)?.[1] ?? 'windows-1252'
        edits.push({ start: field.start, end: field.end, text: `text/plain; charset=${charset}` })
        return
      }
      const text = param
        ? `${field.value.slice(0, param.index + param[1]!.length)}boundary="${found}"${field.value.slice(param.index + param[0].length)}`
        : `${field.value.replace(/[\s;]+$/, '')}; boundary="${found}"`
      edits.push({ start: field.start, end: field.end, text })
      delimiters = delimitersOf(s, found, head.bodyStart, end)
    }
    for (let i = 0; i < delimiters.length; i++) {
      const d = delimiters[i]!
      if (d.close) break
      walk(d.next, delimiters[i + 1]?.line ?? end, depth + 1)
    }
  }
  walk(0, s.length, 0)
  if (!edits.length) return raw
  const pieces: Buffer[] = []
  let at = 0
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    pieces.push(raw.subarray(at, e.start), Buffer.from(e.text, 'latin1'))
    at = e.end
  }
  pieces.push(raw.subarray(at))
  return Buffer.concat(pieces)
}

// ---------------------------------------------------------------------------------------------
// Bodies

type DecodeStreamFactory = { decodeStream(charset: string): Transform }

/**
 * Decodes a text part: whole (parts are small), so that a mislabelled charset can be recognised,
 * and UTF-7, which mailparser refuses to decode (it can smuggle "<script>" past a filter that looks
 * for "<"; here every body is sanitised after decoding, so decoding it is safe). Everything else
 * goes to mailparser's own decoder.
 */
class BodyDecoder extends Transform {
  private chunks: Buffer[] = []
  constructor(
    private readonly charset: string,
    private readonly fallback: DecodeStreamFactory,
  ) {
    super()
  }
  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    done()
  }
  override _flush(done: TransformCallback) {
    const bytes = Buffer.concat(this.chunks)
    const own = decodeMislabelled(bytes, this.charset)
    if (own !== null) {
      this.push(Buffer.from(own, 'utf8'))
      return done()
    }
    const inner = this.fallback.decodeStream(this.charset)
    const out: Buffer[] = []
    inner.on('data', (c: Buffer | string) => out.push(Buffer.isBuffer(c) ? c : Buffer.from(c)))
    inner.once('error', (err: Error) => done(err))
    inner.once('end', () => {
      this.push(Buffer.concat(out))
      done()
    })
    inner.end(bytes)
  }
}

interface RawAttachment {
  filename?: string
  headers?: Headers
  contentType: string
  contentDisposition?: string
  content: Buffer | NodeJS.ReadableStream
  cid?: string
  related?: boolean
  release(): void
}

interface Parsed {
  headers: Headers
  headerLines: HeaderLines
  text?: string
  html?: string | false
  attachments: (RawAttachment & { content: Buffer })[]
}

/** mailparser's simpleParser, with the body decoder above. */
function parseRaw(raw: Buffer): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    // cid: links are kept as they are (simpleParser's keepCidLinks): the intake stores those images.
    // HTML longer than the conversation shows is not converted to text here (seconds per
    // megabyte, and memory): boundBody attaches it and makes a rough plain version instead.
    const parser = new MailParser({ skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: HTML_SHOWN_MAX, maxChildNodes: MIME_PARTS_READ_MAX })
    const internal = parser as unknown as { decoder?: DecodeStreamFactory }
    const original = internal.decoder
    if (original && typeof original.decodeStream === 'function') {
      internal.decoder = { decodeStream: (charset: string) => new BodyDecoder(charset, original) }
    }
    const mail: Parsed = { headers: new Map(), headerLines: [], attachments: [] }
    let settled = false
    const settle = (err: Error | null) => {
      if (settled) return
      settled = true
      if (err) reject(err)
      else resolve(mail)
    }
    parser.on('error', (err: Error) => settle(err))
    parser.on('headers', (headers: Headers) => {
      mail.headers = headers
      mail.headerLines = (parser as unknown as { headerLines: HeaderLines | false }).headerLines || []
    })
    let reading = false
    const reader = () => {
      reading = true
      const data = parser.read() as ({ type: 'text'; text?: string; html?: string | false } | (RawAttachment & { type: 'attachment' })) | null
      if (data === null) {
        reading = false
        return
      }
      if (data.type === 'text') {
        if (data.text !== undefined) mail.text = data.text
        if (data.html !== undefined) mail.html = data.html
        return reader()
      }
      const attachment = data
      const chunks: Buffer[] = []
      const stream = attachment.content as NodeJS.ReadableStream
      stream.on('readable', () => {
        let chunk: Buffer | null
        while ((chunk = stream.read() as Buffer | null) !== null) chunks.push(chunk)
      })
      stream.on('end', () => {
        mail.attachments.push({ ...attachment, content: Buffer.concat(chunks) })
        attachment.release()
        reader()
      })
    }
    parser.on('readable', () => {
      if (!reading) reader()
    })
    parser.on('end', () => settle(null))
    parser.end(raw)
  })
}

// ---------------------------------------------------------------------------------------------
// E-mails with more parts than are read or stored

/**
 * At most this many attachments (inline images included) of one e-mail are stored in its
 * conversation; the rest are named in a note and stay in the stored original. Far above what people
 * send on purpose (a real e-mail of 330 scans is stored whole), it bounds the work of one message.
 */
export const ATTACHMENTS_PER_MESSAGE_MAX = 500

/**
 * MIME parts (containers included) the parser reads of one e-mail: about 0.3 ms each. Beyond it the
 * e-mail is read up to the part where the limit falls and the rest is named in a note (the
 * parser's own limit, 1,000, would fail the whole e-mail: the customer's text with it).
 */
const MIME_PARTS_READ_MAX = 2_000
/** The parts read of an e-mail with more: each part's delimiter opens at most two parser nodes (with an attached message). */
const PARTS_READ_WHEN_CUT = Math.floor((MIME_PARTS_READ_MAX - 1) / 2)

/** How much of a note names files; the others are counted. */
const NOTE_NAMES_MAX = 1_500

const TOO_MANY_PARTS = /Max allowed child nodes exceeded/

interface LeftOut {
  fileName: string
  size: number | null
}

/** A part's file name from its headers (Content-Disposition filename, Content-Type name; RFC 2231 and encoded words decoded). */
function partFileName(block: string): string | null {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ')
  const m = /(?:^|[;\s])(?:file)?name(\*)?(?:\*0\*?)?\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(unfolded)
  if (!m) return null
  let value = m[2] ?? m[3] ?? ''
  const extended = m[1] !== undefined || /^[\w-]+'[\w-]*'/.test(value)
  if (extended) {
    const x = /^([\w-]*)'[\w-]*'(.*)$/.exec(value)
    if (x)
      value =
        tryDecode(
          Buffer.from(
            x[2]!.replace(/%([0-9a-f]{2})/gi, (_w, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ),
          x[1] || 'utf-8',
          false,
        ) ?? x[2]!
  } else {
    value = repairEncodedWords(value).replace(
      /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/g,
      (word, cs: string, enc: string, text: string) => tryDecode(wordBytes(enc, text), cs, false) ?? word,
    )
    const bytes = Buffer.from(value, 'latin1')
    if (isUtf8(bytes)) value = bytes.toString('utf8')
  }
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() || null
}

/**
 * An e-mail with more parts than are read, cut before the delimiter line of its `keep + 1`-th
 * part; the parts after it, for the note. Null when no part delimiter can be found.
 */
function cutAfterParts(raw: Buffer, keep: number): { head: Buffer; rest: LeftOut[] } | null {
  const s = raw.toString('latin1')
  const boundaries = new Set<string>()
  for (const m of s.matchAll(/(?:^|[;\s])boundary\s*=\s*(?:"([^"]*)"|([^;\s"]+))/gi)) {
    const b = (m[1] ?? m[2] ?? '').replace(/\s+$/, '')
    if (b) boundaries.add(b)
  }
  let opens = 0
  let cutAt = -1
  const rest: LeftOut[] = []
  for (const m of s.matchAll(/\n--([^\r\n]*)/g)) {
    const token = m[1]!.replace(/[ \t\r]+$/, '')
    if (!boundaries.has(token)) continue
    if (++opens <= keep) continue
    if (cutAt < 0) cutAt = m.index + 1
    const block = headerBlock(s, s.indexOf('\n', m.index + 1) + 1, s.length)
    rest.push({ fileName: (block && partFileName(block.text)) ?? `part ${opens}`, size: null })
  }
  return cutAt < 0 ? null : { head: raw.subarray(0, cutAt), rest }
}

/** Parses within the limit on parts: an e-mail with more is read up to the limit. */
async function parseWithinLimits(raw: Buffer): Promise<{ parsed: Parsed; unread: LeftOut[] }> {
  try {
    return { parsed: await parseRaw(raw), unread: [] }
  } catch (err) {
    if (!TOO_MANY_PARTS.test((err as Error)?.message ?? '')) throw err
    const cut = cutAfterParts(raw, PARTS_READ_WHEN_CUT)
    if (!cut) throw err
    return { parsed: await parseRaw(cut.head), unread: cut.rest }
  }
}

function namesOf(parts: LeftOut[]): string {
  const names: string[] = []
  let length = 0
  for (const p of parts) {
    const item = `“${p.fileName}”${p.size === null ? '' : ` (${formatBytes(p.size)})`}`
    if (names.length && length + item.length > NOTE_NAMES_MAX) break
    names.push(item)
    length += item.length + 2
  }
  const more = parts.length - names.length
  return names.join(', ') + (more ? `, … and ${more} more up to “${parts.at(-1)!.fileName}”` : '')
}

/** What the agents are told about the parts that were not stored (null when all were). */
function leftOutNote(notStored: LeftOut[], unread: LeftOut[]): string | null {
  const all = [...notStored, ...unread]
  const n = all.length
  if (!n) return null
  const what = unread.length ? `attachments and parts are` : n === 1 ? 'attachment is' : 'attachments are'
  const why = `at most ${ATTACHMENTS_PER_MESSAGE_MAX} attachments are stored per e-mail${unread.length ? `, and of an e-mail with more than ${MIME_PARTS_READ_MAX} parts the first ${PARTS_READ_WHEN_CUT} are read` : ''}`
  return `${n} more ${what} not stored here (${why}); ${n === 1 ? 'it is' : 'they are'} kept in the original e-mail: ${namesOf(all)}`
}

// ---------------------------------------------------------------------------------------------
// Attachments

/** Decodes a part sent with Content-Transfer-Encoding: x-uuencode, which mailparser keeps encoded. */
function uudecode(data: Buffer): Buffer | null {
  const text = data.toString('latin1')
  const m = /^begin(?:-base64)? [0-7]{3,4} [^\r\n]*\r?\n([\s\S]*?)^end[ \t]*$/m.exec(text)
  if (!m) return null
  const out: number[] = []
  for (const line of m[1]!.split(/\r?\n/)) {
    if (line === '') continue
    const n = (line.charCodeAt(0) - 32) & 63
    if (n === 0) break
    const chars = line.slice(1)
    const bytes: number[] = []
    for (let i = 0; i < chars.length && bytes.length < n; i += 4) {
      const c = [0, 1, 2, 3].map((k) => ((chars.charCodeAt(i + k) || 32) - 32) & 63)
      bytes.push(((c[0]! << 2) | (c[1]! >> 4)) & 255, ((c[1]! << 4) | (c[2]! >> 2)) & 255, ((c[2]! << 6) | c[3]!) & 255)
    }
    out.push(...bytes.slice(0, n))
  }
  return Buffer.from(out)
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': '.eml',
  'message/delivery-status': '.txt',
  'message/disposition-notification': '.txt',
  'message/feedback-report': '.txt',
  'text/rfc822-headers': '.txt',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/csv': '.csv',
  'text/calendar': '.ics',
  'text/xml': '.xml',
  'application/xml': '.xml',
  'application/json': '.json',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/jpg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/bmp': '.bmp',
  'image/tiff': '.tif',
  'image/svg+xml': '.svg',
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/msword': '.doc',
  'application/vnd.ms-excel': '.xls',
  'application/vnd.ms-powerpoint': '.ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/ms-tnef': '.dat',
  'application/vnd.ms-tnef': '.dat',
  'application/pkcs7-signature': '.p7s',
  'application/x-pkcs7-signature': '.p7s',
  'application/pgp-signature': '.asc',
  'audio/mpeg': '.mp3',
  'audio/wav': '.wav',
  'video/mp4': '.mp4',
  'video/quicktime': '.mov',
}

function extensionFor(type: string): string {
  return EXTENSIONS[type.toLowerCase()] ?? ''
}

/** The subject of an attached message, from its own headers. */
function attachedSubject(data: Buffer): string | null {
  const head = data.subarray(0, 64 * 1024).toString('latin1')
  const end = /\r?\n\r?\n/.exec(head)?.index ?? head.length
  const m = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head.slice(0, end))
  if (!m) return null
  const folded = m[1]!.replace(/\r?\n[ \t]/g, ' ')
  const line = repairEncodedWords(folded)
  const bytes = Buffer.from(line, 'latin1')
  const raw = isUtf8(bytes) ? bytes.toString('utf8') : decodeRawHeader(bytes, declaredCharsets(data.toString('latin1')))
  // Encoded words left (valid ones mailparser would decode): decoded through the address parser's decoder.
  const decoded = raw.replace(/(=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=)(\s+(?==\?))?/g, (word) => {
    const w = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=/.exec(word)!
    return tryDecode(wordBytes(w[2]!, w[3]!), w[1]!, false) ?? word
  })
  const subject = decoded
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return subject || null
}

/** A name for a part that came without one: its Content-ID when that reads as a file name, the subject of an attached message, else "attachment-N". */
function fallbackName(a: RawAttachment & { content: Buffer }, index: number): string {
  const cid = a.cid?.replace(/^<|>$/g, '').split('@')[0]?.trim()
  if (cid && /^[\w .()-]+\.[a-z][a-z0-9]{1,4}$/i.test(cid)) return cid
  const type = (a.contentType || '').toLowerCase()
  if (type === 'message/rfc822' || type === 'message/global') {
    // The subject as a file name: no path separators or characters file systems refuse.
    const subject = attachedSubject(a.content)
      ?.replace(/[\\/:*?"<>|]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
    if (subject) return `${subject.slice(0, 150)}.eml`
  }
  return `attachment-${index + 1}${extensionFor(type)}`
}

// ---------------------------------------------------------------------------------------------

/**
 * An address header value cleaned of what the address parser misreads: mailboxes with an empty
 * address ("Name" <>), which it merges into the next mailbox, and comments and white space inside
 * the angle brackets around dots and the @ (obsolete syntax: <jdoe@machine(comment).  example>).
 */
function cleanAddressValue(value: string): string {
  return (
    value
      // Each piece of white space can belong to one part only: linear time on hostile input.
      .replace(/(^|,)(?:\s*"[^"]*"\s*|[^,"<>]*)<\s*>\s*(?=,|$)/g, '')
      .replace(
        /<([^<>"]*)>/g,
        (_whole, inner: string) =>
          `<${inner
            .replace(/\([^()]*\)/g, '')
            .split(/([.@])/)
            .map((p) => p.trim())
            .join('')}>`,
      )
  )
}

/** The sender: the first From mailbox with an address (a message may carry several From lines), else Sender, else Reply-To. */
function senderOf(parsed: Parsed): Mailbox | null {
  for (const key of ['from', 'sender', 'reply-to']) {
    const values = parsed.headerLines
      .filter((l) => l.key === key)
      .map((l) => Buffer.from(l.line, 'latin1').toString('utf8'))
      .map((line) => line.slice(line.indexOf(':') + 1))
    for (const value of values) {
      const found = mailboxes(parseAddressHeader(cleanAddressValue(value)))[0] ?? mailboxes(parseAddressHeader(value))[0]
      if (found) return found
    }
    if (key === 'from') {
      const parsedFrom = mailboxes(parsed.headers.get('from') as AddressObject | undefined)[0]
      if (parsedFrom) return parsedFrom
    }
  }
  return null
}

function authorOf(parsed: Parsed): Mailbox | null {
  const lines = parsed.headerLines.filter((l) => l.key === 'from')
  if (lines.length !== 1) return null
  const line = Buffer.from(lines[0]!.line, 'latin1').toString('utf8')
  const value = line.slice(line.indexOf(':') + 1)
  const all = mailboxes(parseAddressHeader(cleanAddressValue(value)))
  return all.length === 1 ? all[0]! : null
}

/** Parses raw RFC 5322 bytes; mailparser is lenient, so malformed mail still yields what it can. */
export async function parseMail(raw: Buffer): Promise<InboundMail> {
  const { parsed, unread } = await parseWithinLimits(repairBoundaries(repairHeaders(normaliseLineEnds(raw))))
  const h = parsed.headers
  const headers = new Map<string, string>()
  for (const [key, value] of h) headers.set(key.toLowerCase(), headerText(value))
  const subject = h.get('subject')
  const date = h.get('date')
  const attachments = parsed.attachments.map((a, i): InboundAttachment => {
    const encoding = String(a.headers?.get('content-transfer-encoding') ?? '').toLowerCase()
    const decoded = /^(x-)?uu(e|encode)?$/.test(encoding) ? uudecode(a.content) : null
    return {
      fileName: a.filename?.trim() || fallbackName(a, i),
      contentType: a.contentType || 'application/octet-stream',
      data: decoded ?? a.content,
      cid: a.cid ? a.cid.replace(/^<|>$/g, '') : null,
      related: Boolean(a.related) || (a.contentDisposition === 'inline' && Boolean(a.cid)),
    }
  })
  const notStored = attachments.slice(ATTACHMENTS_PER_MESSAGE_MAX).map((a) => ({ fileName: a.fileName, size: a.data.length }))
  // The note rides with the text, which always reaches the agents, whatever the intake adds.
  const left = leftOutNote(notStored, unread)
  const note = left ? `[${left}]` : ''
  let text = parsed.text ?? ''
  let html = typeof parsed.html === 'string' && parsed.html.trim() ? parsed.html : null
  if (note) {
    text = text.trim() ? `${text.replace(/\s+$/, '')}\n\n${note}` : note
    if (html !== null) html = `${html}<p>${note.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`
  }
  return {
    messageId: messageIds(h.get('message-id') as string | undefined)[0] ?? null,
    inReplyTo: messageIds(h.get('in-reply-to') as string | undefined).at(-1) ?? null,
    references: messageIds(h.get('references') as string | string[] | undefined),
    from: senderOf(parsed),
    author: authorOf(parsed),
    to: mailboxes(h.get('to') as AddressObject | AddressObject[] | undefined),
    cc: mailboxes(h.get('cc') as AddressObject | AddressObject[] | undefined),
    replyTo: mailboxes(h.get('reply-to') as AddressObject | AddressObject[] | undefined),
    subject: (typeof subject === 'string' ? subject : '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
    text,
    html,
    attachments: attachments.slice(0, ATTACHMENTS_PER_MESSAGE_MAX),
    headers,
  }
}
