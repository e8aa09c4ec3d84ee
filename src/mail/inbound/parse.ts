import { Transform, type TransformCallback } from 'node:stream'
import { HTML_SHOWN_MAX } from './bodyLimits.ts'
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
        const address = (e.address ?? '').trim().replace(/^<+|>+$/g, '').toLowerCase()
        if (/^("[^"]*"|[^@\s"]+)@[^@\s]+$/.test(address)) out.push({ address, name: (e.name ?? '').trim() })
      }
    }
  }
  for (const obj of list) walk(obj.value)
  return out
}

// Control characters (a NUL above all) cannot be stored and are never part of a real Message-ID.
const MESSAGE_ID = /<[^<>\s\u0000-\u001f\u007f]+>/g

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
  const needsRepair = (w: { charset: string; bytes: Buffer; rawText: string }) => /[\x80-\xff]/.test(w.rawText) || decodeMislabelled(w.bytes, w.charset) !== null
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
    const parser = new MailParser({ skipImageLinks: true, skipTextLinks: true, maxHtmlLengthToParse: HTML_SHOWN_MAX })
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
  const subject = decoded.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim()
  return subject || null
}

/** A name for a part that came without one: its Content-ID when that reads as a file name, the subject of an attached message, else "attachment-N". */
function fallbackName(a: RawAttachment & { content: Buffer }, index: number): string {
  const cid = a.cid?.replace(/^<|>$/g, '').split('@')[0]?.trim()
  if (cid && /^[\w .()-]+\.[a-z][a-z0-9]{1,4}$/i.test(cid)) return cid
  const type = (a.contentType || '').toLowerCase()
  if (type === 'message/rfc822' || type === 'message/global') {
    // The subject as a file name: no path separators or characters file systems refuse.
    const subject = attachedSubject(a.content)?.replace(/[\\/:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim()
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
  return value
    // Each piece of white space can belong to one part only: linear time on hostile input.
    .replace(/(^|,)(?:\s*"[^"]*"\s*|[^,"<>]*)<\s*>\s*(?=,|$)/g, '')
    .replace(/<([^<>"]*)>/g, (_whole, inner: string) => `<${inner.replace(/\([^()]*\)/g, '').split(/([.@])/).map((p) => p.trim()).join('')}>`)
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
  const parsed = await parseRaw(repairHeaders(raw))
  const h = parsed.headers
  const headers = new Map<string, string>()
  for (const [key, value] of h) headers.set(key.toLowerCase(), headerText(value))
  const subject = h.get('subject')
  const date = h.get('date')
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
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' && parsed.html.trim() ? parsed.html : null,
    attachments: parsed.attachments.map((a, i) => {
      const encoding = String(a.headers?.get('content-transfer-encoding') ?? '').toLowerCase()
      const decoded = /^(x-)?uu(e|encode)?$/.test(encoding) ? uudecode(a.content) : null
      return {
        fileName: a.filename?.trim() || fallbackName(a, i),
        contentType: a.contentType || 'application/octet-stream',
        data: decoded ?? a.content,
        cid: a.cid ? a.cid.replace(/^<|>$/g, '') : null,
        related: Boolean(a.related) || (a.contentDisposition === 'inline' && Boolean(a.cid)),
      }
    }),
    headers,
  }
}
