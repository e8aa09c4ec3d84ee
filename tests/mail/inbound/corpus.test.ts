/**
 * The inbound intake against the shared corpus of real-world and edge-case e-mails
 * (its folder in MAIL_CORPUS; see its README.md and each folder's MANIFEST.md).
 *
 * Every message in CATALOG.tsv goes through receiveRawMessage (the intake's one way in, which the
 * SMTP listener, the IMAP poller and POST /inbound/raw call), one after the other on one app, in
 * catalog order: the full corpus, on PGlite and on PostgreSQL (TEST_DATABASE_URL) alike — it takes
 * about half a minute, so no subset is needed. Then:
 * - ingestion: no exception escapes, the stored raw bytes equal the file, the row ends `processed`
 *   or `failed` with a reason, and a processed message is a message of a conversation or carries
 *   a note (bounce, auto-reply, duplicate);
 * - where the corpus has expected results (corpusExpectations.ts says which), the subject and sender
 *   (from parseMail), the body text and the attachments (from the database: what was stored) are
 *   compared with them. Messages that were not stored as a conversation message (a bounce, an
 *   auto-reply to nothing, a failure) are compared on what the intake would have stored: the body
 *   prepareBody makes of the parsed mail, and its non-empty attachments.
 *
 * Body comparison: both texts are normalised (NFKC, no zero-width characters, white space runs to
 * one space). "contains" expectations (discourse, zammad S/MIME) must appear whole in the body;
 * the others (zammad, stalwart parse trees) must reach a word recall of BODY_RECALL: that share of
 * the expected words, as a multiset, is found in the stored body. Both sides come from the same
 * HTML or text part, but each tool renders HTML to text its own way (tables, links, lists), so
 * exact equality would measure the renderers, not the parsing.
 *
 * Subjects, display names and file names are compared after the same normalisation; a U+FFFD in an
 * expected value (a character the reference tool could not decode) stands for any one character.
 * Attachments are matched by stored file name (cleaned as the storage cleans it) and blob size;
 * inline images count. The attachments of a bounce are not compared: a bounce is kept as a summary.
 * REFERENCE_DIFFERENCES (corpusExpectations.ts) lists, with reasons, the few expected values that are
 * wrong or describe another valid reading of a broken message; they are printed, not counted.
 *
 * The table printed at the end gives, per source: messages; ingested (no exception escaped, raw kept,
 * row processed or failed with a reason); processed; failed; and for each comparison passed/reached.
 * FLOORS holds the rates asserted; the failures are listed with their reasons.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareBody } from '../../../src/domain/conversations/messageBody.ts'
import { defaultSettings } from '../../../src/domain/settings/settings.ts'
import { classifyMail } from '../../../src/mail/inbound/classify.ts'
import { receiveRawMessage } from '../../../src/mail/inbound/intake.ts'
import { parseMail, type InboundMail } from '../../../src/mail/inbound/parse.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import {
  corpusDir,
  corpusPath,
  expectationFor,
  normaliseText,
  readCatalog,
  recall,
  REFERENCE_DIFFERENCES,
  sameText,
  storedName,
  type CatalogRow,
  type Check,
  type Expectation,
} from './corpusExpectations.ts'
import { announceCorpusAbsent, corpusPresent } from '../../helpers/mailCorpus.ts'

/** Share of the expected body's words that the stored body must hold (see above). */
const BODY_RECALL = 0.9

const CHECKS: Check[] = ['subject', 'sender', 'body', 'attachments', 'kind']

/**
 * Pass rates (percent, rounded down) asserted per source for the comparisons it has expected
 * results for. A source missing here has no expected results: only its ingestion is asserted.
 */
const FLOORS: Record<string, Partial<Record<Check, number>>> = {
  zammad: { subject: 100, sender: 100, body: 100, attachments: 100, kind: 100 },
  // attachments 97 / 94: a text part with a file name and Content-Disposition: inline is shown in the
  // body but not kept as a file as well (legacy/030, 042, 047 = zbateson m1009, m1015, m1016).
  'stalwart-mail-parser': { subject: 100, sender: 100, body: 100, attachments: 97 },
  'zbateson-mail-mime-parser': { subject: 100, sender: 100, body: 100, attachments: 94 },
  'discourse-fixtures': { body: 100, kind: 100 },
}

/** Why a message may fail. A message without any sender address cannot be answered. */
const NO_SENDER = 'The message has no sender address (From), so it cannot be answered'
/**
 * An e-mail whose HTML part shows nothing (no text, only an external image, empty paragraphs) and
 * that has no file must be kept with the intake's "no text" note, never refused as empty.
 */
const EMPTY = 'The message is empty'
const EMPTY_CEILING = 0
/** An e-mail whose HTML part shows nothing but whose text part has text keeps that text. */
const LOST_TEXT_CEILING = 0

interface StoredAttachment {
  fileName: string
  size: number
  inline: boolean
}

interface Outcome {
  row: CatalogRow
  id: number | null
  /** An exception that escaped receiveRawMessage. */
  uncaught: string | null
  status: string | null
  error: string | null
  note: string | null
  rawKept: boolean
  /** Processed into a conversation message, or noted (bounce, auto-reply, duplicate …). */
  accounted: boolean
  /** The stored customer of the message is not the parsed sender. */
  wrongCustomer: string | null
  /** parseMail found a sender address. */
  hasSender: boolean
  /** Stored with an empty body although the e-mail has a text part with text in it. */
  lostText: boolean
  results: Partial<Record<Check, boolean>>
  details: string[]
  /** Comparisons left out by REFERENCE_DIFFERENCES, with whether they matched all the same. */
  differences: { check: Check; matched: boolean; reason: string }[]
}

function describeMismatch(check: Check, expected: unknown, actual: unknown): string {
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 160 ? `${v.slice(0, 160)}…` : v) : JSON.stringify(v))
  return `${check}: expected ${show(expected)}, got ${show(actual)}`
}

announceCorpusAbsent('inbound intake on the real-world mail corpus')

describe.runIf(corpusPresent)('inbound intake on the shared mail corpus (needs the real-world corpus: MAIL_CORPUS)', () => {
  let app: TestApp
  const outcomes: Outcome[] = []
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    const dir = corpusDir()
    const catalog = readCatalog(dir)
    app = await startTestApp()
    for (const row of catalog) outcomes.push(await ingestOne(row, dir))
  }, 170_000)

  afterAll(async () => {
    await app?.close()
  })

  async function ingestOne(row: CatalogRow, dir: string): Promise<Outcome> {
    const raw = readFileSync(corpusPath(row, dir))
    const out: Outcome = {
      row,
      id: null,
      uncaught: null,
      status: null,
      error: null,
      note: null,
      rawKept: false,
      accounted: false,
      wrongCustomer: null,
      hasSender: false,
      lostText: false,
      results: {},
      details: [],
      differences: [],
    }
    try {
      const { id } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw, envelopeTo: ['support@localhost'] })
      out.id = id
    } catch (err) {
      out.uncaught = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      return out
    }
    const stored = await prisma().inboundMessage.findUniqueOrThrow({ where: { id: out.id } })
    out.status = stored.status
    out.error = stored.error
    out.note = stored.note
    out.rawKept = Buffer.from(stored.raw).equals(raw)

    // The conversation message this e-mail became (for a duplicate: the one it duplicates, when that
    // was the same e-mail).
    const include = { attachments: { include: { blob: { select: { size: true } } } }, customer: { select: { email: true, name: true } } } as const
    let message = await prisma().message.findFirst({ where: { inboundId: out.id }, include, orderBy: { id: 'asc' } })
    const mail = await parseMail(raw)
    out.hasSender = mail.from !== null
    if (!message && stored.note?.startsWith('duplicate') && mail.messageId) {
      const original = await prisma().message.findUnique({
        where: { emailMessageId: mail.messageId },
        include: { ...include, inbound: { select: { raw: true } } },
      })
      const sameMail = (a: Buffer, b: Buffer) => a.toString('latin1').replace(/\r\n/g, '\n') === b.toString('latin1').replace(/\r\n/g, '\n')
      if (original?.inbound && sameMail(Buffer.from(original.inbound.raw), raw)) message = original
    }
    const isBounceSummary = stored.note?.startsWith('bounce') ?? false
    out.accounted = stored.status === 'processed' && (Boolean(message && stored.conversationId === message.conversationId) || Boolean(stored.note))
    if (message && message.inboundId === out.id && !isBounceSummary && message.bodyText.trim() === '' && mail.text.trim() !== '') out.lostText = true
    // (Without a From address the intake files the message under a stand-in of its own choosing.)
    if (mail.from && message?.customer && message.inboundId === out.id && message.customer.email !== mail.from.address)
      out.wrongCustomer = `${message.customer.email} ≠ ${mail.from?.address}`

    const expected = expectationFor(row, dir)
    if (expected) await compare(out, expected, mail, raw, isBounceSummary ? null : message, isBounceSummary || classifyMail(mail, raw).kind === 'bounce')
    for (const [check, reason] of Object.entries(REFERENCE_DIFFERENCES[`${row.source}/${row.file}`] ?? {}) as [Check, string][]) {
      if (out.results[check] === undefined) continue
      out.differences.push({ check, matched: out.results[check]!, reason })
      delete out.results[check]
      out.details = out.details.filter((d) => !d.startsWith(`${check}:`))
    }
    return out
  }

  async function compare(
    out: Outcome,
    expected: Expectation,
    mail: InboundMail,
    raw: Buffer,
    message: { bodyText: string; attachments: { fileName: string; inline: boolean; blob: { size: number } }[] } | null,
    isBounce: boolean,
  ) {
    const fail = (check: Check, exp: unknown, act: unknown) => {
      out.results[check] = false
      out.details.push(describeMismatch(check, exp, act))
    }
    if (expected.subject !== undefined) {
      const ok = sameText(expected.subject, mail.subject)
      if (ok) out.results.subject = true
      else fail('subject', expected.subject, mail.subject)
    }
    if (expected.from) {
      const e = expected.from
      const ok = mail.from?.address === e.address.toLowerCase() && sameText(e.name ?? '', mail.from.name)
      if (ok) out.results.sender = true
      else fail('sender', `${e.name ?? ''} <${e.address}>`, mail.from ? `${mail.from.name} <${mail.from.address}>` : null)
    }
    if (expected.body !== undefined) {
      // The body of the e-mail itself, as the intake would store it (sanitised HTML, else the text).
      const own = async () =>
        (await prepareBody({ html: mail.html ?? undefined, text: mail.text }, defaultSettings.attachmentMaxBytes).catch(() => ({ text: mail.text }))).text
      const unmark = (t: string) => (expected.ignoreEmphasis ? t.replace(/\*\*/g, '') : t)
      const want = normaliseText(unmark(expected.body))
      // For an e-mail with nothing to show the stored message carries the intake's own note instead,
      // so the e-mail's own body is what is compared.
      const actual = message && want !== '' ? message.bodyText : await own()
      const have = normaliseText(unmark(actual))
      // With nothing expected, all the body shows must come from nameless text parts the reference kept aside.
      const ok =
        want === ''
          ? have === '' || recall(have, normaliseText(expected.bodyOptional ?? '')) >= BODY_RECALL
          : expected.bodyMode === 'contains'
            ? have.includes(want)
            : recall(want, have) >= BODY_RECALL
      if (ok) out.results.body = true
      else fail('body', want, `${have} (recall ${recall(want, have).toFixed(2)})`)
    }
    // A bounce is kept as a summary with the raw message; its parts are not stored as files.
    if (expected.attachments && !isBounce) {
      const max = defaultSettings.attachmentMaxBytes
      const actual: StoredAttachment[] = message
        ? message.attachments.map((a) => ({ fileName: a.fileName, size: a.blob.size, inline: a.inline }))
        : mail.attachments
            .filter((a) => a.data.length > 0 && a.data.length <= max)
            .map((a) => ({ fileName: storedName(a.fileName), size: a.data.length, inline: a.related }))
      // Empty parts are not stored, and parts over the size limit stay in the raw message only.
      const want = expected.attachments.filter((a) => a.size === null || (a.size > 0 && a.size <= max))
      const left = [...actual]
      const missing: string[] = []
      for (const w of want.filter((a) => !a.optional)) {
        const i = left.findIndex(
          (a) => (w.fileName === null || sameText(storedName(w.fileName), a.fileName)) && (w.size === null || a.size === w.size || a.size === w.crlfSize),
        )
        if (i >= 0) left.splice(i, 1)
        else missing.push(`${w.fileName ?? '(no name)'}:${w.size ?? '?'}`)
      }
      // A nameless text part may be in the body instead, or stored under a made-up name.
      for (const w of want.filter((a) => a.optional)) {
        const i = left.findIndex((a) => /^attachment-\d+(\.\w+)?$/.test(a.fileName) && (w.size === null || a.size === w.size || a.size === w.crlfSize))
        if (i >= 0) left.splice(i, 1)
      }
      const extra = expected.attachmentsPartial ? [] : left.map((a) => `${a.fileName}:${a.size}`)
      if (missing.length === 0 && extra.length === 0) out.results.attachments = true
      else
        fail(
          'attachments',
          want.map((w) => `${w.fileName ?? '(no name)'}:${w.size ?? '?'}`),
          { missing, extra, stored: actual.map((a) => `${a.fileName}:${a.size}`), from: message ? 'database' : 'parse' },
        )
    }
    if (expected.kind) {
      const kind = classifyMail(mail, raw).kind
      if (kind === expected.kind) out.results.kind = true
      else fail('kind', expected.kind, kind)
    }
  }

  function table(): string {
    const sources = [...new Set(outcomes.map((o) => o.row.source))]
    const header = ['source', 'messages', 'ingested', 'processed', 'failed', ...CHECKS]
    const rows = sources.map((source) => {
      const of = outcomes.filter((o) => o.row.source === source)
      const cell = (check: Check) => {
        const reached = of.filter((o) => o.results[check] !== undefined)
        if (reached.length === 0) return '-'
        const passed = reached.filter((o) => o.results[check]).length
        return `${passed}/${reached.length} ${Math.floor((100 * passed) / reached.length)}%`
      }
      return [
        source,
        String(of.length),
        String(of.filter((o) => !o.uncaught && o.rawKept && (o.status === 'processed' || o.status === 'failed')).length),
        String(of.filter((o) => o.status === 'processed').length),
        String(of.filter((o) => o.status === 'failed').length),
        ...CHECKS.map(cell),
      ]
    })
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')
    return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n')
  }

  it('reads every message in the catalog, each with the size the catalog gives', () => {
    expect(outcomes.length).toBeGreaterThan(500)
    const wrongSize = outcomes.filter((o) => readFileSync(corpusPath(o.row)).length !== o.row.bytes).map((o) => `${o.row.source}/${o.row.file}`)
    expect(wrongSize).toEqual([])
  })

  it('ingests every message without an exception escaping, keeping its raw bytes', () => {
    const uncaught = outcomes.filter((o) => o.uncaught).map((o) => `${o.row.source}/${o.row.file}: ${o.uncaught}`)
    expect(uncaught).toEqual([])
    const notKept = outcomes.filter((o) => !o.rawKept).map((o) => `${o.row.source}/${o.row.file}`)
    expect(notKept).toEqual([])
    const unfinished = outcomes
      .filter((o) => o.status !== 'processed' && !(o.status === 'failed' && o.error?.trim()))
      .map((o) => `${o.row.source}/${o.row.file}: ${o.status}`)
    expect(unfinished).toEqual([])
  })

  it('makes each processed message a message of a conversation, or notes why not', () => {
    const unaccounted = outcomes
      .filter((o) => o.status === 'processed' && !o.accounted)
      .map((o) => `${o.row.source}/${o.row.file}: note ${JSON.stringify(o.note)}`)
    expect(unaccounted).toEqual([])
    // The customer a message is filed under is its parsed sender.
    const wrongCustomer = outcomes.filter((o) => o.wrongCustomer).map((o) => `${o.row.source}/${o.row.file}: ${o.wrongCustomer}`)
    expect(wrongCustomer).toEqual([])
    // See LOST_TEXT_CEILING: the text part must not be dropped when the HTML part shows nothing.
    const lostText = outcomes.filter((o) => o.lostText).map((o) => `${o.row.source}/${o.row.file}`)
    if (lostText.length)
      console.log(`Stored with an empty body although the e-mail has text (${lostText.length}):\n${lostText.map((f) => `  ${f}`).join('\n')}`)
    expect(lostText.length).toBeLessThanOrEqual(LOST_TEXT_CEILING)
  })

  it('fails a message only when it has no sender address (or for the known empty-message fault)', () => {
    const failed = outcomes.filter((o) => o.status === 'failed')
    const byReason = new Map<string, string[]>()
    for (const o of failed) byReason.set(o.error!, [...(byReason.get(o.error!) ?? []), `${o.row.source}/${o.row.file}`])
    console.log(
      `${failed.length} of ${outcomes.length} messages failed:\n${[...byReason].map(([reason, files]) => `  ${reason} (${files.length}):\n${files.map((f) => `    ${f}`).join('\n')}`).join('\n')}`,
    )
    const unexplained = failed
      .filter((o) => !(o.error === NO_SENDER && !o.hasSender) && o.error !== EMPTY)
      .map((o) => `${o.row.source}/${o.row.file}: ${o.error}`)
    expect(unexplained).toEqual([])
    expect(failed.filter((o) => o.error === EMPTY).length).toBeLessThanOrEqual(EMPTY_CEILING)
  })

  it('decodes subjects, senders, bodies and attachments as the expected results say', () => {
    console.log(`Inbound corpus: pass rate per source\n${table()}`)
    const mismatches = outcomes.filter((o) => o.details.length)
    const differences = outcomes.filter((o) => o.differences.length)
    console.log(
      `Left out of the rates (REFERENCE_DIFFERENCES, ${differences.length} messages):\n${differences
        .map((o) => o.differences.map((d) => `  ${o.row.source}/${o.row.file} ${d.check}${d.matched ? ' (matches anyway)' : ''}: ${d.reason}`).join('\n'))
        .join('\n')}`,
    )
    console.log(
      `Mismatches (${mismatches.length} messages):\n${mismatches.map((o) => `  ${o.row.source}/${o.row.file}\n${o.details.map((d) => `    ${d}`).join('\n')}`).join('\n')}`,
    )
    const below: string[] = []
    for (const [source, floors] of Object.entries(FLOORS)) {
      const of = outcomes.filter((o) => o.row.source === source)
      for (const [check, floor] of Object.entries(floors) as [Check, number][]) {
        const reached = of.filter((o) => o.results[check] !== undefined)
        const rate = reached.length ? Math.floor((100 * reached.filter((o) => o.results[check]).length) / reached.length) : 0
        if (reached.length === 0 || rate < floor) below.push(`${source} ${check}: ${rate}% of ${reached.length}, floor ${floor}%`)
      }
    }
    expect(below).toEqual([])
  })
})
