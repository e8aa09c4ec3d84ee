import { performance } from 'node:perf_hooks'
import addressparser from 'nodemailer/lib/addressparser'
import type { NodemailerError, SendMailOptions } from 'nodemailer'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import type { Clock } from '../../domain/clock.ts'
import { CUSTOMER_FACING_KINDS } from './outbox.ts'
import { renderPendingEmails } from './renderOutbox.ts'

/** Attempts before an e-mail is given up as `failed` (transient errors: connection refused, 4xx ...). */
export const MAX_ATTEMPTS = 8
/**
 * A 5xx reply is a permanent rejection by RFC 5321, but servers also answer 5xx for passing
 * trouble (a mailbox briefly over quota, a policy service down, a misconfigured relay being
 * fixed). We retry it a little, with the same back-off, and give up after this many attempts
 * instead of MAX_ATTEMPTS, so a bad address is reported within minutes, not hours.
 */
export const PERMANENT_REJECTION_ATTEMPTS = 3
/** How long a claimed row belongs to the pass that claimed it; after that another pass may take it. */
export const LOCK_MS = 2 * 60_000
/** One send is aborted after this long, so that it ends inside the row's lock. */
const SEND_TIMEOUT_MS = 45_000
/** Rows of a batch not started this long after the claim go back to the queue (lock safety). */
const START_DEADLINE_MS = LOCK_MS - SEND_TIMEOUT_MS - 15_000
const FIRST_RETRY_MS = 60_000
const MAX_RETRY_MS = 6 * 60 * 60_000
const MAX_ERROR_LENGTH = 500

/** Wait before the next attempt after `attempts` failed ones: 1 min, 2, 4, 8 ... at most 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS)
}

/** What a pass needs from a transport; nodemailer's transporter (see transport.ts) is one. */
export interface MailSender {
  sendMail(message: SendMailOptions): Promise<unknown>
}

export interface DeliveryOptions {
  prisma: Prisma
  transport: MailSender
  clock: Clock
  logger: Logger
  /** Rows claimed per pass. */
  batchSize?: number
  /** The From header when a row has no fromAddress of its own (config MAIL_FROM). */
  from: string
  /**
   * Records a relay's refusal of a customer's address (see addressRefusal) the way a bounce is
   * recorded (the outbox sits below the domain: the caller brings the command); without it the
   * refusal is only the row's error.
   */
  onAddressRefused?: (refusal: RefusedAddress) => Promise<void>
}

/** A customer's address that the relay refused, with the note the conversation shows. */
export interface RefusedAddress {
  conversationId: number | null
  recipient: string
  status: string
  summary: string
}

export interface DeliveryResult {
  sent: number
  failed: number
  retried: number
}

interface ClaimedRow {
  id: number
  kind: string
  messageId: string
  conversationId: number | null
  toAddress: string
  /** The stored name, else the customer's or agent's current one (see the claim). */
  toName: string | null
  fromAddress: string | null
  subject: string
  html: string
  text: string
  headers: unknown
  attachments: unknown
  cc: string[]
  bcc: string[]
  attempts: number
  lockedUntil: Date
}

/** The message cannot be built from the row; sending it again would not help. */
class InvalidMessageError extends Error {
  override name = 'InvalidMessageError'
}

/**
 * One delivery pass: claims the e-mails that are due, sends each over SMTP and records the outcome.
 *
 * Claiming is one UPDATE over rows picked with FOR UPDATE SKIP LOCKED, so passes running on several
 * instances at once never take the same row. A row stays `sending` with a lock for LOCK_MS; when a
 * process dies mid-send, the lock expires and another pass sends the row again with the same
 * Message-ID: at-least-once delivery, never a lost e-mail, and receivers can drop the duplicate.
 */
export async function deliverDueEmails(options: DeliveryOptions): Promise<DeliveryResult> {
  const { prisma, clock, logger } = options
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 20))
  const result: DeliveryResult = { sent: 0, failed: 0, retried: 0 }
  // Rows still a template (their writer died between commit and render) are rendered first;
  // rows being rendered by someone else right now wait for the next pass.
  const render = await renderPendingEmails(prisma, { limit: batchSize }).catch((err: unknown) => {
    logger.warn({ err }, 'rendering queued e-mails failed; will try again')
    return null
  })
  if (render?.failed) logger.error({ failed: render.failed }, 'queued e-mails could not be written from their templates; marked failed')
  const now = clock()
  const lockedUntil = new Date(now.getTime() + LOCK_MS)
  const claimedAt = performance.now()

  const rows = await prisma.$queryRaw<ClaimedRow[]>`
    UPDATE outbox_emails
    SET status = 'sending', "lockedUntil" = ${lockedUntil}, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM outbox_emails
      WHERE template IS NULL
        AND ((status = 'queued' AND "nextAttemptAt" <= ${now})
          OR (status = 'sending' AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now})))
      ORDER BY id
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, kind::text AS kind, "messageId", "conversationId", "toAddress",
      -- Rows written without a name (by the sweep, or before names were kept) take the one the
      -- recipient has now. Acknowledgements never get one: their address is unverified, and a
      -- name typed with it must not be shown to whoever owns the address.
      coalesce("toName", CASE
        WHEN kind IN ('agent_reply', 'reminder', 'closing') THEN (SELECT c.name FROM customers c WHERE c.email = lower(outbox_emails."toAddress"))
        WHEN kind IN ('notification', 'invitation', 'password_reset') THEN (SELECT a.name FROM agents a WHERE a.email = lower(outbox_emails."toAddress"))
      END) AS "toName",
      "fromAddress", subject, html, text, headers, attachments, cc, bcc, attempts, "lockedUntil"`
  rows.sort((a, b) => a.id - b.id)

  for (const row of rows) {
    if (performance.now() - claimedAt > START_DEADLINE_MS) {
      // Too late to start within our lock: hand the row back untouched rather than risk a
      // second pass taking it while we still send.
      await prisma.outboxEmail.updateMany({
        where: { id: row.id, status: 'sending', lockedUntil: row.lockedUntil },
        data: { status: 'queued', attempts: { decrement: 1 }, lockedUntil: null },
      })
      logger.info({ outboxId: row.id }, 'e-mail handed back to the queue: too late in the pass to send it within its lock')
      continue
    }
    const outcome = await deliverOne(options, row)
    result[outcome]++
  }
  if (rows.length) logger.debug({ claimed: rows.length, ...result }, 'outbox pass done')
  return result
}

async function deliverOne(options: DeliveryOptions, row: ClaimedRow): Promise<keyof DeliveryResult> {
  const { prisma, clock, logger } = options
  const ours = { id: row.id, status: 'sending' as const, lockedUntil: row.lockedUntil }
  const logFields = { outboxId: row.id, kind: row.kind, messageId: row.messageId, attempt: row.attempts }
  let recipient: string
  let response: string
  try {
    const message = await buildMessage(prisma, row, options.from)
    recipient = message.envelope.to[0]!
    const info = (await options.transport.sendMail({ ...message, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })) as { response?: unknown } | undefined
    response = shorten(oneLine(String(info?.response ?? '')), 200)
  } catch (err) {
    const reason = describeError(err)
    const e = err as NodemailerError
    const rejected = e?.permanent === true || (typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 503)
    const giveUp = err instanceof InvalidMessageError || row.attempts >= MAX_ATTEMPTS || (rejected && row.attempts >= PERMANENT_REJECTION_ATTEMPTS)
    const errFields = { ...logFields, error: reason, code: e?.code, responseCode: e?.responseCode }
    if (giveUp) {
      const refusal = addressRefusal(err)
      // Recorded before the row is marked: a crash in between sends again and records again,
      // which is better than a refusal nobody hears of.
      if (refusal) await recordRefusal(options, row, refusal)
      await prisma.outboxEmail.updateMany({ where: ours, data: { status: 'failed', lockedUntil: null, lastError: reason } })
      logger.error(errFields, 'e-mail delivery failed for good')
      return 'failed'
    }
    const nextAttemptAt = new Date(clock().getTime() + retryDelayMs(row.attempts))
    await prisma.outboxEmail.updateMany({ where: ours, data: { status: 'queued', lockedUntil: null, nextAttemptAt, lastError: reason } })
    logger.warn({ ...errFields, nextAttemptAt }, 'e-mail delivery failed; will retry')
    return 'retried'
  }
  // Outside the try: if recording fails, the row stays `sending` and is sent again (same
  // Message-ID) once its lock expires, rather than being counted as a failed send.
  const done = await prisma.outboxEmail.updateMany({ where: ours, data: { status: 'sent', sentAt: clock(), lockedUntil: null, lastError: null } })
  if (done.count === 0) logger.warn(logFields, 'e-mail sent after its claim had expired; it may have been sent twice')
  logger.info({ ...logFields, to: recipient, response }, 'e-mail sent')
  return 'sent'
}

// ---- Building the message ---------------------------------------------------------------------

const attachmentsSchema = z.array(
  z.object({
    blobSha256: z.string().regex(/^[0-9a-f]{64}$/),
    fileName: z.string().min(1),
    mimeType: z.string().min(1),
    contentId: z.string().nullish(),
  }),
)

/** RFC 7230 token: what a header field name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Control characters other than tab; CR and LF would start a new header line. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/
/** Set from the row's own columns or by nodemailer; the headers JSON may not override them. */
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'return-path',
  'received',
])

type BuiltMessage = SendMailOptions & { envelope: { from: string; to: string[] } }

async function buildMessage(prisma: Prisma, row: ClaimedRow, defaultFrom: string): Promise<BuiltMessage> {
  const mailbox = singleMailbox(row.toAddress)
  if (!mailbox) throw new InvalidMessageError('invalid recipient address')
  // nodemailer quotes or encodes a name given this way, so no name can add an address or a header.
  const to = { name: displayName(row.toName) || mailbox.name, address: mailbox.address }
  const from = singleMailbox(row.fromAddress ?? defaultFrom)
  if (!from) throw new InvalidMessageError('invalid From address')

  const message: BuiltMessage = {
    from,
    to,
    // The envelope is the only thing that decides who receives the message.
    envelope: { from: from.address, to: [to.address] },
    subject: oneLine(row.subject),
    messageId: row.messageId,
    text: row.text,
    html: row.html,
    headers: {},
    disableFileAccess: true,
    disableUrlAccess: true,
  }
  // Copies: Cc is a header every recipient sees; Bcc is only ever in the envelope, so no header
  // (and no recipient) learns of it. A malformed stored address is left out, never the e-mail.
  const cc = (row.cc ?? []).map(singleMailbox).filter((m) => m !== null)
  const bcc = (row.bcc ?? []).map(singleMailbox).filter((m) => m !== null)
  if (cc.length) message.cc = cc.map((m) => m.address)
  message.envelope.to.push(...[...cc, ...bcc].map((m) => m.address).filter((a) => a !== to.address))

  for (const [name, value] of Object.entries(asObject(row.headers))) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || CONTROL.test(value) || value.length > 2000) continue
    const key = name.toLowerCase()
    if (RESERVED_HEADERS.has(key)) continue
    if (key === 'in-reply-to') message.inReplyTo = value
    else if (key === 'references') message.references = value
    else if (key === 'reply-to') message.replyTo = value
    else (message.headers as Record<string, string>)[name] = value
  }

  const parsed = attachmentsSchema.safeParse(parseJson(row.attachments) ?? [])
  if (!parsed.success) throw new InvalidMessageError('malformed attachment list')
  if (parsed.data.length) {
    const shas = [...new Set(parsed.data.map((a) => a.blobSha256))]
    const blobs = await prisma.blob.findMany({ where: { sha256: { in: shas } }, select: { sha256: true, data: true } })
    const bySha = new Map(blobs.map((b) => [b.sha256, Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)]))
    message.attachments = parsed.data.map((a) => {
      const content = bySha.get(a.blobSha256)
      if (!content) throw new InvalidMessageError(`attachment ${oneLine(a.fileName)} is missing from storage`)
      const cid = a.contentId ? a.contentId.replace(/^<|>$/g, '') : undefined
      return {
        filename: oneLine(a.fileName),
        content,
        contentType: oneLine(a.mimeType),
        ...(cid && !CONTROL.test(cid) ? { cid, contentDisposition: 'inline' } : { contentDisposition: 'attachment' }),
      }
    })
  }
  return message
}

/** Exactly one plain mailbox (no group, no list), or null: a line break cannot add a recipient. */
function singleMailbox(value: string): { name: string; address: string } | null {
  const list = addressparser(oneLine(value))
  const only = list[0]
  if (list.length !== 1 || !only || only.group || !only.address) return null
  if (!/^[^\s<>@,;:"\\]+@[^\s<>@,;:"\\]+$/.test(only.address)) return null
  return { name: only.name, address: only.address }
}

/** A name fit for a header: one line, of a sensible length; '' when there is none. */
function displayName(value: string | null): string {
  if (!value) return ''
  return shorten(oneLine(value).replace(/\s+/g, ' '), 100)
}

function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return undefined
  }
}

function asObject(value: unknown): Record<string, unknown> {
  const v = parseJson(value)
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

function shorten(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value
}

// ---- A relay's refusal of the address ----------------------------------------------------------

export interface AddressRefusal {
  /** The enhanced status code (5.1.1), or the reply code when the relay gave none. */
  status: string
  /** The relay's reply, one line. */
  response: string
}

/**
 * Whether a failed send was the relay refusing the recipient's address itself at RCPT: a 5xx reply
 * whose enhanced status code (RFC 3463) says the mailbox or its domain does not exist or takes no
 * mail (5.1.1 bad mailbox, 5.1.2 bad domain, 5.1.3 bad address syntax, 5.1.6 moved, 5.1.10 null
 * MX, 5.2.1 disabled). Other RCPT refusals (5.7.1 relaying denied, a policy, a full mailbox) say
 * nothing about the address and are not one; a refusal without an enhanced code is one only when
 * its words say the user is unknown.
 */
export function addressRefusal(err: unknown): AddressRefusal | null {
  const e = err as Partial<NodemailerError> & { command?: string }
  if (!e || e.code !== 'EENVELOPE' || e.command !== 'RCPT TO' || typeof e.response !== 'string') return null
  const response = shorten(oneLine(e.response), 300)
  const m = /^(5\d\d)[ -](?:([245])\.(\d{1,3})\.(\d{1,3})\b)?/.exec(response)
  if (!m) return null
  if (m[2] !== undefined) {
    const [subject, detail] = [Number(m[3]), Number(m[4])]
    const aboutAddress = (subject === 1 && [1, 2, 3, 6, 10].includes(detail)) || (subject === 2 && detail === 1)
    return m[2] === '5' && aboutAddress ? { status: `5.${subject}.${detail}`, response } : null
  }
  const unknownUser =
    /\b(user unknown|unknown (user|recipient|mailbox)|no such (user|mailbox|recipient|address)|(mailbox|recipient|address|user) (does not exist|not found|unknown))\b/i
  return ['550', '551', '553'].includes(m[1]!) && unknownUser.test(response) ? { status: m[1]!, response } : null
}

/** A customer's address refused by the relay: marked undeliverable and said in the conversation, as a bounce is. */
async function recordRefusal(options: DeliveryOptions, row: ClaimedRow, refusal: AddressRefusal): Promise<void> {
  const { onAddressRefused, logger } = options
  const recipient = singleMailbox(row.toAddress)?.address.toLowerCase()
  if (!onAddressRefused || !recipient || !(CUSTOMER_FACING_KINDS as readonly string[]).includes(row.kind)) return
  const summary = `The e-mail "${shorten(oneLine(row.subject), 200)}" could not be delivered to ${recipient}: the mail server refused the address (${refusal.response}).`
  try {
    await onAddressRefused({ conversationId: row.conversationId, recipient, status: refusal.status, summary })
    logger.warn(
      { outboxId: row.id, conversationId: row.conversationId, status: refusal.status },
      'the mail server refused a customer address: marked undeliverable',
    )
  } catch (err) {
    logger.error({ err, outboxId: row.id, conversationId: row.conversationId }, 'could not record a refused customer address')
  }
}

// ---- Errors -------------------------------------------------------------------------------------

/** TLS verification failures (Node's codes), and what an admin can do about each. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
])
const OUTDATED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])

function certificateAdvice(code: string | undefined): string | null {
  if (!code) return null
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return "The mail server's TLS certificate is not trusted: set SMTP_TLS_CA_FILE to the certificate (PEM) that signed it (the server's own when it is self-signed), or SMTP_TLS_REJECT_UNAUTHORIZED=false to encrypt without checking it."
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return "The mail server's TLS certificate is for another name than SMTP_URL's host: use the name the certificate carries in SMTP_URL, or set SMTP_TLS_REJECT_UNAUTHORIZED=false."
  }
  if (OUTDATED_CERTIFICATE.has(code))
    return "The mail server's TLS certificate has expired or is not valid yet: renew it, or set SMTP_TLS_REJECT_UNAUTHORIZED=false."
  return null
}

/** A short, single-line reason for admins and logs; credentials in URLs are masked. */
export function describeError(err: unknown): string {
  const e = err as (Partial<NodemailerError> & { originalCode?: string }) | undefined
  let text = typeof e?.message === 'string' && e.message ? e.message : String(err)
  if (e?.code && !text.includes(e.code)) text = `${e.code}: ${text}`
  // nodemailer reports a failed certificate check as ESOCKET and keeps Node's code aside.
  const advice = certificateAdvice(e?.originalCode ?? (typeof e?.code === 'string' ? e.code : undefined))
  if (advice) text = `${advice} (${text})`
  text = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1***@')
    .replace(/\s+/g, ' ')
    .trim()
  return shorten(text, MAX_ERROR_LENGTH)
}
