import { createDomainContext } from '../src/reactions/index.ts'
// `npm run fuzz -- [--count 100000] [--seed 1] [--concurrency N] [--chunk 2000] [--database-url URL] [--corpus DIR] [--max-bytes N]`
//
// Feeds the inbound intake through its one way in, receiveRawMessage (the function the SMTP
// listener, the IMAP poller and POST /inbound/raw call), with mutated copies of a real-world corpus (--corpus DIR or MAIL_CORPUS): truncated,
// bit-flipped, bytes inserted and deleted, a 1 MB header line, 10,000 headers, hundreds of nested
// multiparts, corrupted boundaries, invalid charsets and transfer encodings, NUL bytes, broken
// line endings, deeply nested HTML, and several of these at once. Deterministic: the same seed and
// count give the same messages (each mutation has its own PRNG, seeded by seed and index).
//
// For every message: no error escapes receiveRawMessage, the raw bytes are stored exactly, and the
// row ends `processed` or `failed` (never left `received`). Several messages are in flight at once
// (--concurrency, 4), and the rows are checked in bulk, a few hundred to a query, so that the
// time goes to the intake. Prints the counts per outcome, the failure reasons and the mutation
// kinds; exits 1 when any message broke one of those rules.
//
// Never touches a real help desk: it runs on an in-memory PGlite, or, with --database-url (or
// TEST_DATABASE_URL), on a throwaway database it creates on that server and drops afterwards.
// The run is split in chunks with a fresh database each, so memory stays bounded on long runs.
// tests/fuzz/intakeFuzz.test.ts runs a few thousand mutations of this in CI.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import pg from 'pg'
import type { DomainContext } from '../src/domain/context.ts'
import { processInboundMessage, receiveRawMessage } from '../src/mail/inbound/intake.ts'
import { mulberry32 } from './seededRandom.ts'

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export class Rng {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor(this.next() * Math.max(1, max))
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}

/** The seed of mutation `index` of a run: independent of the order messages are processed in. */
export function mutationSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

// ---------------------------------------------------------------------------------------------
// The corpus

export interface CorpusMessage {
  name: string
  raw: Buffer
}

/** The corpus to mutate: --corpus DIR, else MAIL_CORPUS. */
export const DEFAULT_CORPUS = process.env.MAIL_CORPUS ?? ''

/** The messages CATALOG.tsv lists (smaller than maxBytes), in catalog order. */
export function loadCorpus(dir: string, options: { maxBytes?: number } = {}): CorpusMessage[] {
  const lines = readFileSync(join(dir, 'CATALOG.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
  const header = lines.shift()!.split('\t')
  const [source, file] = ['source', 'file'].map((c) => header.indexOf(c))
  if (source! < 0 || file! < 0) throw new Error('CATALOG.tsv has no source/file columns')
  const out: CorpusMessage[] = []
  for (const line of lines) {
    const f = line.split('\t')
    const name = `${f[source!]}/${f[file!]}`
    const raw = readFileSync(join(dir, name))
    if (options.maxBytes === undefined || raw.length <= options.maxBytes) out.push({ name, raw })
  }
  if (out.length === 0) throw new Error(`no corpus messages under ${dir}`)
  return out
}

// ---------------------------------------------------------------------------------------------
// Mutations

export const MUTATIONS = [
  'truncate',
  'bitflip',
  'insertBytes',
  'deleteBytes',
  'giantHeader',
  'manyHeaders',
  'deepNesting',
  'boundary',
  'charset',
  'encoding',
  'nulBytes',
  'lineEndings',
  'headerSoup',
  'deepHtml',
  'stacked',
] as const
export type Mutation = (typeof MUTATIONS)[number]

/** How often each mutation is chosen; the heavy ones (megabytes, thousands of parts) less often. */
const WEIGHTS: Record<Mutation, number> = {
  truncate: 10,
  bitflip: 12,
  insertBytes: 10,
  deleteBytes: 8,
  giantHeader: 2,
  manyHeaders: 2,
  deepNesting: 3,
  boundary: 9,
  charset: 9,
  encoding: 9,
  nulBytes: 8,
  lineEndings: 6,
  headerSoup: 6,
  deepHtml: 2,
  stacked: 10,
}
const LIGHT: Mutation[] = ['truncate', 'bitflip', 'insertBytes', 'deleteBytes', 'boundary', 'charset', 'encoding', 'nulBytes', 'lineEndings', 'headerSoup']

function weighted(rng: Rng): Mutation {
  const total = MUTATIONS.reduce((s, m) => s + WEIGHTS[m], 0)
  let r = rng.int(total)
  for (const m of MUTATIONS) {
    r -= WEIGHTS[m]
    if (r < 0) return m
  }
  return 'bitflip'
}

const CRLF = '\r\n'

/** Where the top-level header block ends (index of the blank line), or the length. */
function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n')
  const lf = raw.indexOf('\n\n')
  const ends = [crlf, lf].filter((i) => i >= 0)
  return ends.length ? Math.min(...ends) : raw.length
}

function splice(raw: Buffer, at: number, remove: number, insert: Buffer | string): Buffer {
  const ins = typeof insert === 'string' ? Buffer.from(insert, 'latin1') : insert
  return Buffer.concat([raw.subarray(0, at), ins, raw.subarray(Math.min(raw.length, at + remove))])
}

/** Replaces every match of a pattern in the latin1 view (one character per byte). */
function replaceLatin1(raw: Buffer, pattern: RegExp, replace: (match: string, ...groups: string[]) => string): Buffer {
  return Buffer.from(raw.toString('latin1').replace(pattern, replace as (substring: string, ...args: unknown[]) => string), 'latin1')
}

/** Gives the message a Message-ID of its own, so that the duplicate check does not skip it. */
export function withMessageId(raw: Buffer, id: string): Buffer {
  const end = headerEnd(raw)
  const head = raw.subarray(0, end).toString('latin1')
  const m = /^message-id:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(head)
  if (m) return splice(raw, m.index, m[0].length, `Message-ID: <${id}>`)
  return Buffer.concat([Buffer.from(`Message-ID: <${id}>${CRLF}`, 'latin1'), raw])
}

const SPECIAL_BYTES = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  ':',
  '=',
  '?',
  '--',
  ';',
  '"',
  '<',
  '>',
  '\t',
  ' ',
  '=?',
  '?=',
  '\xff',
  '\x80',
  'boundary=',
  '\r\n\r\n',
  '\r\n--',
  'Content-Type: multipart/mixed; boundary=x\r\n',
]

function insertBytes(raw: Buffer, rng: Rng): Buffer {
  let out = raw
  for (let n = rng.range(1, 8); n > 0; n--) {
    const at = rng.int(out.length + 1)
    const ins = rng.chance(0.5) ? Buffer.from(rng.pick(SPECIAL_BYTES), 'latin1') : rng.bytes(rng.range(1, 64))
    out = splice(out, at, 0, ins)
  }
  return out
}

function deleteBytes(raw: Buffer, rng: Rng): Buffer {
  let out = raw
  for (let n = rng.range(1, 8); n > 0 && out.length > 0; n--) {
    const at = rng.int(out.length)
    out = splice(out, at, rng.range(1, 256), '')
  }
  return out
}

function bitflip(raw: Buffer, rng: Rng): Buffer {
  if (raw.length === 0) return raw
  const out = Buffer.from(raw)
  // Flips concentrated in the headers half the time: that is where parsers branch most.
  const limit = rng.chance(0.5) ? Math.max(1, headerEnd(raw)) : out.length
  for (let n = rng.range(1, 32); n > 0; n--) {
    const at = rng.int(limit)
    out[at] = out[at]! ^ (1 << rng.int(8))
  }
  return out
}

function truncate(raw: Buffer, rng: Rng): Buffer {
  return raw.subarray(0, rng.int(raw.length + 1))
}

const MB = 1024 * 1024

function giantHeader(raw: Buffer, rng: Rng): Buffer {
  const size = rng.range(MB, MB + 4096)
  const kind = rng.int(6)
  let line: string
  if (kind === 0) line = `X-Giant: ${'A'.repeat(size)}`
  else if (kind === 1) line = `Subject: ${'=?UTF-8?B?w6k=?= '.repeat(Math.ceil(size / 17))}`
  else if (kind === 2) line = `To: ${Array.from({ length: Math.ceil(size / 24) }, (_, i) => `u${i}@example.com`).join(', ')}`
  else if (kind === 3) line = `References: ${Array.from({ length: Math.ceil(size / 24) }, (_, i) => `<r${i}@example.com>`).join(' ')}`
  else if (kind === 4) line = `Content-Type: multipart/mixed; boundary="${'b'.repeat(size)}"`
  else line = `X-Folded: ${Array.from({ length: Math.ceil(size / 80) }, () => 'x'.repeat(78)).join('\r\n ')}`
  // Replacing an existing header of that name keeps the message's own meaning out of the way.
  const name = line.slice(0, line.indexOf(':'))
  const end = headerEnd(raw)
  const existing = new RegExp(`^${name}:[^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*\\r?\\n`, 'im').exec(raw.subarray(0, end).toString('latin1'))
  if (existing && name !== 'X-Giant' && name !== 'X-Folded') return splice(raw, existing.index, existing[0].length, `${line}${CRLF}`)
  return Buffer.concat([Buffer.from(`${line}${CRLF}`, 'latin1'), raw])
}

function manyHeaders(raw: Buffer, rng: Rng): Buffer {
  const count = rng.range(10_000, 12_000)
  const name = rng.pick(['X-Header', 'Received', 'Comments', 'Subject', 'From', 'To', 'Content-Type'])
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    if (name === 'Received') lines.push(`Received: from host${i}.example.com by mx.example.com; Mon, 1 Jan 2024 00:00:${String(i % 60).padStart(2, '0')} +0000`)
    else if (name === 'From' || name === 'To') lines.push(`${name}: Person ${i} <p${i}@example.com>`)
    else if (name === 'Content-Type') lines.push(`Content-Type: text/plain; charset=${i % 2 ? 'utf-8' : 'latin1'}`)
    else lines.push(`${name === 'X-Header' ? `X-Header-${i}` : name}: value ${i}`)
  }
  const at = rng.chance(0.5) ? 0 : headerEnd(raw)
  const text = lines.join(CRLF) + CRLF
  return at === 0 ? Buffer.concat([Buffer.from(text, 'latin1'), raw]) : splice(raw, at, 0, CRLF + text.slice(0, -2))
}

/** Wraps the body in hundreds of multiparts (or attached messages), closed or not. */
function deepNesting(raw: Buffer, rng: Rng): Buffer {
  const depth = rng.range(100, 600)
  const end = headerEnd(raw)
  const sep = raw
    .subarray(end, end + 4)
    .toString('latin1')
    .startsWith('\r\n\r\n')
    ? 4
    : 2
  const headers = raw.subarray(0, end).toString('latin1')
  const body = raw.subarray(Math.min(raw.length, end + sep))
  const contentType = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(headers)?.[0] ?? 'Content-Type: text/plain; charset=utf-8'
  const cte = /^content-transfer-encoding:[^\r\n]*/im.exec(headers)?.[0]
  const outerHeaders = headers.replace(/^content-(type|transfer-encoding):[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n?/gim, '').replace(/\r?\n$/, '')
  const asMessages = rng.chance(0.3)
  const closed = rng.chance(0.7)
  const open: string[] = []
  const close: string[] = []
  for (let i = 0; i < depth; i++) {
    if (asMessages) {
      open.push(`Content-Type: message/rfc822${CRLF}${CRLF}Subject: level ${i}${CRLF}`)
    } else {
      const b = rng.chance(0.05) ? 'same' : `nest${i}`
      open.push(`Content-Type: multipart/${rng.pick(['mixed', 'alternative', 'related', 'report', 'signed'])}; boundary="${b}"${CRLF}${CRLF}--${b}${CRLF}`)
      close.unshift(`${CRLF}--${b}--${CRLF}`)
    }
  }
  const inner = Buffer.concat([Buffer.from(`${contentType}${CRLF}${cte ? cte + CRLF : ''}${CRLF}`, 'latin1'), body])
  return Buffer.concat([
    Buffer.from(`${outerHeaders}${CRLF}MIME-Version: 1.0${CRLF}${open.join('')}`, 'latin1'),
    inner,
    Buffer.from(closed ? close.join('') : '', 'latin1'),
  ])
}

function boundary(raw: Buffer, rng: Rng): Buffer {
  const text = raw.toString('latin1')
  const declared = [...text.matchAll(/boundary\s*=\s*"?([^";\r\n]+)"?/gi)].map((m) => m[1]!)
  if (declared.length === 0) {
    // No multipart: make it claim to be one with a boundary that never comes.
    return Buffer.concat([Buffer.from(`Content-Type: multipart/mixed; boundary="${rng.pick(['missing', '', '-', '"'])}"${CRLF}`, 'latin1'), raw])
  }
  const b = rng.pick(declared)
  const escaped = b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  switch (rng.int(8)) {
    case 0: // declared boundary no longer matches its delimiters
      return replaceLatin1(raw, new RegExp(`(boundary\\s*=\\s*"?)${escaped}`, 'i'), (_m, p: string) => `${p}${b}X`)
    case 1: // no closing delimiter
      return replaceLatin1(raw, new RegExp(`--${escaped}--`, 'g'), () => '')
    case 2: // every delimiter doubled
      return replaceLatin1(raw, new RegExp(`^--${escaped}`, 'gm'), (m) => `${m}${CRLF}${m}`)
    case 3: // empty boundary
      return replaceLatin1(raw, new RegExp(`(boundary\\s*=\\s*)"?${escaped}"?`, 'i'), (_m, p: string) => `${p}""`)
    case 4: // a boundary that is a prefix of the real one
      return replaceLatin1(raw, new RegExp(`(boundary\\s*=\\s*"?)${escaped}`, 'i'), (_m, p: string) => `${p}${b.slice(0, Math.max(1, b.length >> 1))}`)
    case 5: // delimiters without their line breaks
      return replaceLatin1(raw, new RegExp(`\\r?\\n--${escaped}`, 'g'), () => `--${b}`)
    case 6: // a 1000-character boundary
      return replaceLatin1(raw, new RegExp(escaped, 'g'), () => `${b}${'x'.repeat(1000)}`)
    default: // the delimiter lines cut in the middle
      return replaceLatin1(raw, new RegExp(`^--${escaped}`, 'gm'), () => `--${b.slice(0, -1)}`)
  }
}

const CHARSETS = [
  'utf-7',
  'utf-16',
  'utf-16le',
  'utf-32',
  'x-unknown-charset',
  'iso-2022-jp',
  'gb18030',
  'big5',
  'shift_jis',
  'ks_c_5601-1987',
  'windows-1258',
  'ibm037',
  'x-mac-roman',
  'unicode-1-1-utf-7',
  '"><script>',
  '',
  '../../etc/passwd',
  'utf-8"; charset="latin1',
  'a'.repeat(1000),
  'us-ascii',
  'ascii',
  'cp1252',
  'x-user-defined',
  'replacement',
  'hz-gb-2312',
]

function charset(raw: Buffer, rng: Rng): Buffer {
  const text = raw.toString('latin1')
  const which = rng.int(4)
  if (which === 0 && /charset\s*=/i.test(text)) {
    return replaceLatin1(raw, /(charset\s*=\s*)("[^"]*"|[^\s;]+)/gi, (_m, p: string) => `${p}${rng.pick(CHARSETS)}`)
  }
  if (which === 1) {
    // Encoded words with a bogus charset, an invalid encoding or a broken payload.
    const word = rng.pick([
      `=?${rng.pick(CHARSETS)}?B?${Buffer.from('héllo wörld').toString('base64')}?=`,
      '=?utf-8?Q?=ZZ=XX_broken?=',
      '=?utf-8?B?!!!notbase64***?=',
      '=?utf-8?B?AAA',
      '=?utf-7?B?K0FPUUFzLQ==?=',
      '=?utf-8?X?unknown_encoding?=',
      `=?utf-8?B?${Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]).toString('base64')}?=`,
      '=?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=',
      '=??B??=',
    ])
    const header = rng.pick(['Subject', 'From', 'To'])
    const value = header === 'Subject' ? word : `${word} <fuzz@example.com>`
    return Buffer.concat([Buffer.from(`${header}: ${value}${CRLF}`, 'latin1'), raw])
  }
  if (which === 2) {
    // Raw 8-bit bytes in the headers, in no declared charset.
    const end = headerEnd(raw)
    return splice(raw, rng.int(end + 1), 0, Buffer.from([0xff, 0xfe, 0x80, 0xc3, 0x28, 0xe9, 0x81, 0x8d, 0x90].slice(0, rng.range(1, 9))))
  }
  return Buffer.concat([Buffer.from(`Content-Type: text/plain; charset=${rng.pick(CHARSETS)}${CRLF}`, 'latin1'), raw])
}

const ENCODINGS = [
  'base64',
  'quoted-printable',
  'x-uuencode',
  'uuencode',
  '7bit',
  '8bit',
  'binary',
  'bogus',
  'base64; x=y',
  'BASE64',
  'Quoted-Printable',
  '',
  'x-binhex',
  'base32',
]

function encoding(raw: Buffer, rng: Rng): Buffer {
  const text = raw.toString('latin1')
  const which = rng.int(3)
  if (which === 0 && /content-transfer-encoding/i.test(text)) {
    return replaceLatin1(raw, /(content-transfer-encoding:[ \t]*)([^\r\n]*)/gi, (_m, p: string) => `${p}${rng.pick(ENCODINGS)}`)
  }
  if (which === 1) {
    // Corrupt the body of encoded parts: invalid base64 characters, QP escapes, an odd length.
    const end = headerEnd(raw)
    let out = raw
    for (let n = rng.range(1, 16); n > 0; n--)
      out = splice(
        out,
        rng.range(end, out.length),
        rng.int(2),
        rng.pick(['!', '=', '==', '=ZZ', '=\r\n', '*', '-', '\x80', '====', 'begin 644 x\r\n', 'end\r\n']),
      )
    return out
  }
  return Buffer.concat([Buffer.from(`Content-Transfer-Encoding: ${rng.pick(ENCODINGS)}${CRLF}`, 'latin1'), raw])
}

function nulBytes(raw: Buffer, rng: Rng): Buffer {
  const which = rng.int(3)
  if (which === 0) {
    // NULs inside the header values that end up in the database.
    return replaceLatin1(
      raw,
      /^(message-id|in-reply-to|references|subject|from|to|content-type|content-disposition):([^\r\n]*)/gim,
      (_m, name: string, value: string) => {
        const at = Math.floor(value.length / 2)
        return `${name}:${value.slice(0, at)}\0${value.slice(at)}`
      },
    )
  }
  let out = raw
  for (let n = rng.range(1, 20); n > 0; n--) out = splice(out, rng.int(out.length + 1), 0, Buffer.alloc(rng.range(1, 4)))
  return which === 1 ? out : Buffer.concat([Buffer.alloc(rng.range(1, 16)), out])
}

function lineEndings(raw: Buffer, rng: Rng): Buffer {
  switch (rng.int(5)) {
    case 0:
      return replaceLatin1(raw, /\r\n/g, () => '\n')
    case 1:
      return replaceLatin1(raw, /\r?\n/g, () => '\r')
    case 2:
      return replaceLatin1(raw, /\r?\n/g, () => (rng.chance(0.5) ? '\r\n' : rng.chance(0.5) ? '\n' : '\r'))
    case 3:
      return replaceLatin1(raw, /\r?\n/g, () => '\r\r\n')
    default:
      // A byte order mark and blank lines before the headers.
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\n\r\n', 'latin1'), raw])
  }
}

/** Duplicated, reordered, unfolded and headerless header blocks; header-injection attempts. */
function headerSoup(raw: Buffer, rng: Rng): Buffer {
  const end = headerEnd(raw)
  const head = raw.subarray(0, end).toString('latin1')
  const rest = raw.subarray(end)
  const lines = head.split(/\r?\n(?![ \t])/)
  switch (rng.int(6)) {
    case 0: // every header twice
      return Buffer.concat([Buffer.from(lines.concat(lines).join(CRLF), 'latin1'), rest])
    case 1: // shuffled
      for (let i = lines.length - 1; i > 0; i--) {
        const j = rng.int(i + 1)
        ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
      }
      return Buffer.concat([Buffer.from(lines.join(CRLF), 'latin1'), rest])
    case 2: // no headers at all
      return rest.subarray(Math.min(rest.length, 2))
    case 3: // "Name :" obsolete syntax and headers without colons
      return Buffer.concat([
        Buffer.from(lines.map((l) => (rng.chance(0.5) ? l.replace(/^([^:\s]+):/, '$1 :') : l.replace(/:/, ''))).join(CRLF), 'latin1'),
        rest,
      ])
    case 4: // folding continuation lines with no header before them
      return Buffer.concat([Buffer.from(`  continuation without a header${CRLF}\tand another${CRLF}`, 'latin1'), raw])
    default: // a line break smuggled into header values
      return Buffer.concat([
        Buffer.from(`Subject: hello\rBcc: victim@example.com${CRLF}From: a@example.com\nX-Injected: 1${CRLF}To: <support@localhost>\r\n\r${CRLF}`, 'latin1'),
        raw,
      ])
  }
}

function deepHtml(raw: Buffer, rng: Rng): Buffer {
  const depth = rng.range(5_000, 20_000)
  const tag = rng.pick(['div', 'b', 'table', 'blockquote', 'span', 'ul', 'a href="x"', 'svg', 'math'])
  const name = tag.split(' ')[0]!
  const closed = rng.chance(0.5)
  const html = `<html><body>${`<${tag}>`.repeat(depth)}deep${closed ? `</${name}>`.repeat(depth) : ''}</body></html>`
  const end = headerEnd(raw)
  const headers = raw
    .subarray(0, end)
    .toString('latin1')
    .replace(/^content-(type|transfer-encoding):[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n?/gim, '')
    .replace(/\r?\n$/, '')
  return Buffer.from(`${headers}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}${html}${CRLF}`, 'latin1')
}

const APPLY: Record<Exclude<Mutation, 'stacked'>, (raw: Buffer, rng: Rng) => Buffer> = {
  truncate,
  bitflip,
  insertBytes,
  deleteBytes,
  giantHeader,
  manyHeaders,
  deepNesting,
  boundary,
  charset,
  encoding,
  nulBytes,
  lineEndings,
  headerSoup,
  deepHtml,
}

/** One mutated message; `kind` names what was done ("stacked:charset+bitflip" for several). */
export function mutate(raw: Buffer, rng: Rng, kind: Mutation = weighted(rng)): { kind: string; raw: Buffer } {
  if (kind !== 'stacked') return { kind, raw: APPLY[kind](raw, rng) }
  const steps: Mutation[] = []
  for (let n = rng.range(2, 4); n > 0; n--) steps.push(rng.chance(0.1) ? rng.pick(['deepNesting', 'deepHtml'] as const) : rng.pick(LIGHT))
  let out = raw
  for (const step of steps) out = APPLY[step as Exclude<Mutation, 'stacked'>](out, rng)
  return { kind: `stacked:${steps.join('+')}`, raw: out }
}

/** Mutation `index` of a run: which corpus message, what was done, and the bytes. */
export function mutation(corpus: CorpusMessage[], seed: number, index: number): { index: number; source: string; kind: string; raw: Buffer } {
  const rng = new Rng(mutationSeed(seed, index))
  const base = rng.pick(corpus)
  // Most copies get a Message-ID of their own so they are processed in full, not skipped as
  // duplicates of the original; the others exercise the duplicate check on broken input.
  const start = rng.chance(0.9) ? withMessageId(base.raw, `fuzz-${seed}-${index}@fuzz.invalid`) : base.raw
  const { kind, raw } = mutate(start, rng)
  return { index, source: base.name, kind, raw }
}

// ---------------------------------------------------------------------------------------------
// Running

export interface FuzzProblem {
  index: number
  source: string
  kind: string
  problem: string
}

export interface FuzzReport {
  seed: number
  run: number
  processed: number
  failed: number
  /** Failure reasons (normalised: numbers and quoted values masked) with their counts. */
  failedByReason: Map<string, number>
  /** Per mutation family; `ms` adds up the time its messages took in the intake. */
  byMutation: Map<string, { run: number; processed: number; failed: number; ms: number }>
  /** Errors that escaped receiveRawMessage. */
  uncaught: FuzzProblem[]
  /** Rows missing, or whose stored bytes differ from what was received. */
  notStored: FuzzProblem[]
  /** Rows left in `received` (or `deferred` outcomes): nobody would process them again but recovery. */
  stuck: FuzzProblem[]
  /** Messages that took longer than the per-message time limit (their outcome is still checked). */
  hung: FuzzProblem[]
  slowest: { index: number; kind: string; source: string; ms: number; bytes: number }[]
  elapsedMs: number
  peakRssBytes: number
  /** How long the event loop was held up while the intake ran (worst of the chunks). */
  eventLoopDelay?: { p99Ms: number; maxMs: number }
}

export function emptyReport(seed: number): FuzzReport {
  return {
    seed,
    run: 0,
    processed: 0,
    failed: 0,
    failedByReason: new Map(),
    byMutation: new Map(),
    uncaught: [],
    notStored: [],
    stuck: [],
    hung: [],
    slowest: [],
    elapsedMs: 0,
    peakRssBytes: 0,
  }
}

/** A failure reason without the parts that differ per message (ids, values, line numbers). */
export function reasonOf(error: string): string {
  const prismaCode = /Code: `(\w+)`\. Message: `([^`]*)`/.exec(error)
  if (prismaCode) return `database error ${prismaCode[1]}: ${prismaCode[2]!.replace(/0x[0-9a-f]+/gi, '0x…')}`
  const lines = error
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
  // Prisma's messages start with the class name and end with the cause.
  const first = (/^PrismaClient\w*Error:?$/.test(lines[0] ?? '') ? `${lines[0]} ${lines.at(-1)}` : lines[0]) ?? error
  return first
    .replace(/“[^”]*”|"[^"]*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\d+/g, '#')
    .slice(0, 120)
}

export interface RunOptions {
  ctx: DomainContext
  corpus: CorpusMessage[]
  seed: number
  /** Mutation indexes [from, to). */
  from: number
  to: number
  /** Messages in flight at once: while one waits for the database, another is parsed. */
  concurrency?: number
  /** Per-message time limit (ms) before it is reported as hung. */
  timeoutMs?: number
  report?: FuzzReport
  onProgress?: (report: FuzzReport) => void
  /** Stop taking new mutations after this many milliseconds (the run is then a prefix of [from, to)). */
  budgetMs?: number
}

/** What became of one message in the intake, before its row is checked. */
interface Took {
  index: number
  source: string
  kind: string
  bytes: number
  ms: number
  /** The row, when receiveRawMessage returned. */
  id?: number
  sha256?: Uint8Array
  uncaught?: string
  stuck?: string
}

/** Rows are checked this many at a time, with one query. */
const VERIFY_BATCH = 250
/** A message deferred by a passing database error is processed again, as the recovery would. */
const DEFERRED_RETRIES = 3

const errorText = (err: unknown) => `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`

/** Mutation `index` through receiveRawMessage, as POST /inbound/raw hands a message over to a free intake worker. */
async function takeOne(ctx: DomainContext, corpus: CorpusMessage[], seed: number, index: number): Promise<Took> {
  const m = mutation(corpus, seed, index)
  const took: Took = { index, source: m.source, kind: m.kind, bytes: m.raw.length, ms: 0 }
  const t0 = performance.now()
  try {
    const { id, outcome: first } = await receiveRawMessage(ctx, { source: 'http', raw: m.raw })
    took.id = id
    took.sha256 = createHash('sha256').update(m.raw).digest()
    let outcome = first
    // Two messages in flight can deadlock in PostgreSQL; the intake then leaves the row for the
    // recovery (status `received`), which processes it again: do what the recovery does.
    for (let retry = 1; outcome.status === 'deferred' && retry <= DEFERRED_RETRIES; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 20 * retry))
      outcome = await processInboundMessage(ctx, id)
    }
    if (outcome.status === 'deferred') took.stuck = `row ${id} still deferred after ${DEFERRED_RETRIES} retries: ${outcome.error}`
  } catch (err) {
    took.uncaught = errorText(err)
  }
  took.ms = performance.now() - t0
  return took
}

/**
 * Runs mutations [from, to) through the intake, `concurrency` at a time. Per message only what
 * the intake itself does happens, plus a SHA-256 of the bytes; the rows are checked in bulk,
 * VERIFY_BATCH at a time with one query each: the stored bytes (length and SHA-256 computed by
 * PostgreSQL), the final status and the failure reason.
 */
export async function runFuzz(options: RunOptions): Promise<FuzzReport> {
  const { ctx, corpus, seed } = options
  const report = options.report ?? emptyReport(seed)
  const timeoutMs = options.timeoutMs ?? 60_000
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const started = performance.now()
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs
  let lastProgress = report.run
  let unchecked: Took[] = []
  let checking = Promise.resolve()
  const tallyOf = (kind: string) => {
    const family = kind.split(':')[0]!
    let tally = report.byMutation.get(family)
    if (!tally) report.byMutation.set(family, (tally = { run: 0, processed: 0, failed: 0, ms: 0 }))
    return tally
  }

  function record(t: Took) {
    const problem = (list: FuzzProblem[], text: string) => list.push({ index: t.index, source: t.source, kind: t.kind, problem: text.slice(0, 500) })
    report.run++
    const tally = tallyOf(t.kind)
    tally.run++
    tally.ms += t.ms
    if (report.slowest.length < 5 || t.ms > report.slowest.at(-1)!.ms) {
      report.slowest.push({ index: t.index, kind: t.kind, source: t.source, ms: Math.round(t.ms), bytes: t.bytes })
      report.slowest.sort((a, b) => b.ms - a.ms)
      report.slowest.length = Math.min(report.slowest.length, 5)
    }
    // A regular expression that backtracks blocks the whole event loop: the other messages in
    // flight are late too (the slowest list shows which one took the time).
    if (t.ms > timeoutMs)
      problem(report.hung, `took ${Math.round(t.ms)} ms, over ${timeoutMs} (${t.bytes} bytes)${concurrency > 1 ? `, with up to ${concurrency} in flight` : ''}`)
    if (t.uncaught) problem(report.uncaught, t.uncaught)
    if (t.stuck) problem(report.stuck, t.stuck)
    if (t.id !== undefined) unchecked.push(t)
    if (unchecked.length >= VERIFY_BATCH) check()
    report.peakRssBytes = Math.max(report.peakRssBytes, process.memoryUsage.rss())
    if (report.run - lastProgress >= 250) {
      lastProgress = report.run
      options.onProgress?.(report)
    }
  }

  /** Queues a check of the rows recorded so far (one query); checks run one after the other. */
  function check() {
    const batch = unchecked
    unchecked = []
    if (!batch.length) return
    checking = checking
      .then(() => verify(batch))
      .catch((err: unknown) => {
        report.notStored.push({
          index: batch[0]!.index,
          source: '',
          kind: '',
          problem: `${batch.length} rows could not be checked: ${errorText(err)}`.slice(0, 500),
        })
      })
  }

  async function verify(batch: Took[]) {
    const rows = await ctx.prisma.$queryRaw<{ id: number; size: number; stored: number; status: string; error: string | null; sha256: Uint8Array }[]>`
      SELECT id, size, octet_length(raw) AS stored, status::text AS status, error, sha256(raw) AS sha256
      FROM inbound_messages WHERE id = ANY(${batch.map((t) => t.id!)}::int[])`
    const byId = new Map(rows.map((r) => [Number(r.id), r]))
    for (const t of batch) {
      const problem = (list: FuzzProblem[], text: string) => list.push({ index: t.index, source: t.source, kind: t.kind, problem: text.slice(0, 500) })
      const row = byId.get(t.id!)
      if (!row) {
        problem(report.notStored, `no row ${t.id}`)
        continue
      }
      if (row.size !== t.bytes || Number(row.stored) !== t.bytes || !Buffer.from(row.sha256).equals(Buffer.from(t.sha256!))) {
        problem(report.notStored, `row ${t.id} holds ${row.stored} bytes (size ${row.size}) that differ from the ${t.bytes} received`)
      }
      const tally = tallyOf(t.kind)
      if (row.status === 'processed') {
        report.processed++
        tally.processed++
      } else if (row.status === 'failed') {
        report.failed++
        tally.failed++
        const reason = reasonOf(row.error ?? '(no reason recorded)')
        report.failedByReason.set(reason, (report.failedByReason.get(reason) ?? 0) + 1)
      } else if (!t.stuck) {
        problem(report.stuck, `row ${t.id} left ${row.status}`)
      }
    }
  }

  const loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()
  let nextIndex = options.from
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = nextIndex++; index < options.to && Date.now() <= deadline; index = nextIndex++) record(await takeOne(ctx, corpus, seed, index))
    }),
  )
  loop.disable()
  report.eventLoopDelay = {
    p99Ms: Math.max(report.eventLoopDelay?.p99Ms ?? 0, Math.round(loop.percentile(99) / 1e6)),
    maxMs: Math.max(report.eventLoopDelay?.maxMs ?? 0, Math.round(loop.max / 1e6)),
  }
  check()
  await checking
  report.elapsedMs += performance.now() - started
  return report
}

export function formatReport(r: FuzzReport): string {
  const lines: string[] = []
  const rate = r.elapsedMs > 0 ? (r.run / (r.elapsedMs / 1000)).toFixed(1) : '—'
  lines.push(
    `Intake fuzzing, seed ${r.seed}: ${r.run} mutations in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate}/s), peak RSS ${Math.round(r.peakRssBytes / MB)} MB`,
  )
  lines.push(
    `  processed ${r.processed}, failed ${r.failed}; uncaught ${r.uncaught.length}, not stored ${r.notStored.length}, stuck ${r.stuck.length}, hung ${r.hung.length}`,
  )
  if (r.eventLoopDelay) lines.push(`  event loop delay: p99 ${r.eventLoopDelay.p99Ms} ms, max ${r.eventLoopDelay.maxMs} ms`)
  lines.push('  by mutation (run / processed / failed / share of the intake time):')
  const totalMs = [...r.byMutation.values()].reduce((sum, t) => sum + t.ms, 0) || 1
  for (const [kind, t] of [...r.byMutation].sort((a, b) => b[1].run - a[1].run)) {
    lines.push(
      `    ${kind.padEnd(12)} ${String(t.run).padStart(7)} ${String(t.processed).padStart(7)} ${String(t.failed).padStart(7)} ${`${Math.round((100 * t.ms) / totalMs)} %`.padStart(6)}`,
    )
  }
  if (r.failedByReason.size) {
    lines.push('  failed, by reason:')
    for (const [reason, n] of [...r.failedByReason].sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(7)}  ${reason}`)
  }
  lines.push('  slowest:')
  for (const s of r.slowest) lines.push(`    #${s.index} ${s.kind} on ${s.source} (${s.bytes} bytes): ${s.ms} ms`)
  for (const [label, list] of [
    ['UNCAUGHT', r.uncaught],
    ['NOT STORED', r.notStored],
    ['STUCK', r.stuck],
    ['HUNG', r.hung],
  ] as const) {
    for (const p of list.slice(0, 20)) lines.push(`  ${label} #${p.index} ${p.kind} on ${p.source}: ${p.problem}`)
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Command line

async function throwawayDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `suivi_fuzz_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      concurrency: { type: 'string' },
      chunk: { type: 'string', default: '2000' },
      'database-url': { type: 'string' },
      corpus: { type: 'string', default: DEFAULT_CORPUS },
      'max-bytes': { type: 'string' },
      'timeout-ms': { type: 'string', default: '60000' },
    },
  })
  const count = Number(values.count)
  const seed = Number(values.seed)
  const chunk = Math.max(1, Number(values.chunk))
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error('usage: npm run fuzz -- [--count N] [--seed N] [--concurrency N] [--chunk N] [--database-url postgresql://…] [--corpus DIR] [--max-bytes N]')
    process.exit(2)
  }
  const { createLogger } = await import('../src/logger.ts')
  const { openDatabase } = await import('../src/db/database.ts')
  const { createLocalEventBus } = await import('../src/realtime/events.ts')
  const { systemClock } = await import('../src/domain/clock.ts')
  const server = values['database-url'] ?? process.env.TEST_DATABASE_URL
  if (!values.corpus) {
    console.error('Which e-mails to mutate? Give --corpus DIR (a folder with CATALOG.tsv) or set MAIL_CORPUS.')
    process.exit(2)
  }
  const corpus = loadCorpus(values.corpus, { maxBytes: values['max-bytes'] ? Number(values['max-bytes']) : undefined })
  const concurrency = Number(values.concurrency ?? 4)
  const logger = createLogger('silent')
  console.log(
    `${corpus.length} corpus messages, ${count} mutations, seed ${seed}, ${server ? 'throwaway PostgreSQL databases' : 'in-memory PGlite'}, ${concurrency} in flight, a fresh database every ${chunk}`,
  )

  const escaped: string[] = []
  process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${err?.stack ?? err}`))
  process.on('unhandledRejection', (err) => escaped.push(`unhandledRejection: ${(err as Error)?.stack ?? err}`))

  const report = emptyReport(seed)
  for (let from = 0; from < count; from += chunk) {
    const throwaway = server ? await throwawayDatabase(server) : null
    const db = await openDatabase({ databaseUrl: throwaway?.url, inMemory: !throwaway, logger })
    try {
      const ctx: DomainContext = createDomainContext({
        prisma: db.prisma,
        clock: systemClock,
        events: createLocalEventBus(),
        mail: {
          publicUrl: 'http://localhost:3000',
          mailDomain: 'fuzz.invalid',
          supportAddress: 'support@fuzz.invalid',
          secret: randomBytes(32).toString('hex'),
        },
      })
      await runFuzz({
        ctx,
        corpus,
        seed,
        from,
        to: Math.min(count, from + chunk),
        concurrency,
        timeoutMs: Number(values['timeout-ms']),
        report,
        onProgress: (r) =>
          process.stdout.write(
            `\r  ${r.run}/${count}: processed ${r.processed}, failed ${r.failed}, problems ${r.uncaught.length + r.notStored.length + r.stuck.length + r.hung.length}   `,
          ),
      })
    } finally {
      await db.close()
      await throwaway?.drop()
    }
  }
  process.stdout.write('\n')
  console.log(formatReport(report))
  for (const e of escaped.slice(0, 20)) console.log(`  ESCAPED ${e}`)
  const bad = report.uncaught.length + report.notStored.length + report.stuck.length + report.hung.length + escaped.length
  // The migration engine leaves a timer behind: exit explicitly.
  process.exit(bad ? 1 : 0)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
