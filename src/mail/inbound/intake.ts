import { asCustomer, SYSTEM } from '../../domain/actor.ts'
import type { Logger } from 'pino'
import type { Prisma } from '../../db/database.ts'
import type { DomainContext } from '../../domain/context.ts'
import { addCustomerMessage } from '../../domain/conversations/commands/addCustomerMessage.ts'
import { recordBounce } from '../../domain/conversations/commands/recordBounce.ts'
import { startCustomerConversation } from '../../domain/conversations/commands/startCustomerConversation.ts'
import { formatBytes, type InlineImage, type UploadedFile } from '../../domain/conversations/messageBody.ts'
import { ValidationError } from '../../domain/errors.ts'
import { findOrCreateCustomer } from '../../domain/customers/findOrCreateCustomer.ts'
import { blockedSender, heldNote } from '../../domain/customers/spam.ts'
import { detectLanguage } from '../../i18n/detectLanguage.ts'
import { htmlToText, sanitizeMessageHtml } from '../../domain/content/index.ts'
import { boundBody } from './bodyLimits.ts'
import { loadSettings } from '../../domain/settings/settings.ts'
import type { InboundSource } from '../../generated/prisma/enums.ts'
import { classifyMail, isAutomaticSender, type MailKind } from './classify.ts'
import type { IntakeQueue } from './intakeQueue.ts'
import { parseMail, quickMessageId, type InboundMail } from './parse.ts'
import { cleanSubject, findThread, folderForRecipients, recipientsOf } from './route.ts'
import { customerCopies } from './copies.ts'
import { bareAddress, conversationFromAddress } from '../replyAddress.ts'
import { createHash } from 'node:crypto'

export interface RawMessage {
  source: InboundSource
  raw: Buffer
  envelopeFrom?: string | null
  envelopeTo?: string[]
}

export type IntakeOutcome =
  | { status: 'processed'; conversationId: number | null; note: string | null }
  | { status: 'failed'; error: string }
  /** Left waiting in `received` for the recovery to retry (the database was away). */
  | { status: 'deferred'; error: string }

/** What receiving a message came to: processed at once, or left in line for the intake queue. */
export type ReceiveOutcome = IntakeOutcome | { status: 'queued' }

export interface ReceiveOptions {
  /**
   * Answers whoever delivered the message (SMTP 250, HTTP 202, the IMAP flag). Called once the row
   * has committed and before the message is parsed: from then on the message is ours to keep.
   */
  acknowledge?: (id: number) => unknown
  /**
   * The intake queue's workers: the message is processed at once when one is free, else it waits
   * in line (outcome `queued`). Without a queue it is processed at once, in the caller's turn.
   */
  queue?: IntakeQueue
  /** A larger message is stored and acknowledged but not read: its row is marked failed with the reason. */
  maxBytes?: number
  logger?: Logger
}

/**
 * The intake's one way in: the SMTP listener, the IMAP poller, POST /inbound/raw, the tests and
 * the tools all receive a message through here. The raw bytes become a row first, committed before
 * the sender is acknowledged; then the message is processed from the bytes at hand.
 *
 * A row this process is about to process is claimed by its own insert (its attempt counted), so it
 * is written twice in all: the insert and the outcome. A row waiting in line is stored unclaimed,
 * for whichever worker or instance gets to it first.
 *
 * Rejects only when the row could not be stored or the acknowledgement failed: the sender was not
 * answered then and delivers the message again. Processing itself never rejects.
 */
export async function receiveRawMessage(
  ctx: DomainContext,
  message: RawMessage,
  options: ReceiveOptions = {},
): Promise<{ id: number; outcome: ReceiveOutcome }> {
  const { queue, logger, maxBytes } = options
  const notRead =
    maxBytes !== undefined && message.raw.length > maxBytes
      ? `The message is ${formatBytes(message.raw.length)}, over the ${formatBytes(maxBytes)} inbound limit; it was not read, the original is kept`
      : null
  // Processed at once unless every worker of the queue is busy; then it waits in line.
  const releaseWorker = notRead ? null : queue ? queue.reserveWorker() : () => {}
  try {
    const now = ctx.clock()
    const id = await storeRawMessage(ctx.prisma, message, notRead ? { failed: { error: notRead, at: now } } : releaseWorker ? { claimedAt: now } : {})
    try {
      await options.acknowledge?.(id)
    } catch (err) {
      // Not answered: the sender delivers it again. Meanwhile the recovery may take this copy at once.
      if (releaseWorker) await release(ctx, id)
      throw err
    }
    if (notRead) {
      logger?.warn({ inboundId: id, size: message.raw.length }, 'inbound message over the size limit: stored, not processed')
      return { id, outcome: { status: 'failed', error: notRead } }
    }
    if (!releaseWorker) {
      queue!.push(id)
      return { id, outcome: { status: 'queued' } }
    }
    const outcome = await processStored(ctx, id, message.raw, storedEnvelopeTo(message.envelopeTo), storedEnvelopeFrom(message.envelopeFrom), logger)
    return { id, outcome }
  } finally {
    releaseWorker?.()
  }
}

/**
 * The raw bytes become a row. Claimed (`claimedAt`) when the caller processes it at once, its
 * attempt counted; `failed` for a message that will not be read. Used on its own only to set up
 * what a crash leaves behind.
 */
export async function storeRawMessage(
  prisma: Prisma,
  message: RawMessage,
  options: { claimedAt?: Date; failed?: { error: string; at: Date } } = {},
): Promise<number> {
  const { claimedAt, failed } = options
  const row = await prisma.inboundMessage.create({
    data: {
      source: message.source,
      raw: message.raw as Uint8Array<ArrayBuffer>,
      size: message.raw.length,
      envelopeFrom: storedEnvelopeFrom(message.envelopeFrom),
      envelopeTo: storedEnvelopeTo(message.envelopeTo),
      attempts: claimedAt || failed ? 1 : 0,
      // Known before processing: a reply arriving meanwhile finds the message it answers.
      messageIdHeader: quickMessageId(message.raw),
      claimedAt: claimedAt ?? null,
      ...(failed ? { status: 'failed' as const, error: failed.error, processedAt: failed.at } : {}),
    },
    select: { id: true },
  })
  return row.id
}

const storedEnvelopeTo = (envelopeTo: string[] | undefined) => (envelopeTo ?? []).map((a) => a.slice(0, 500)).slice(0, 100)
const storedEnvelopeFrom = (envelopeFrom: string | null | undefined) => envelopeFrom?.slice(0, 500) ?? null

/**
 * A stored message taken up again: by the recovery (the process that stored it died, or left it
 * for later), by the intake queue (it waited in line) or by an admin's re-process.
 */
export async function processInboundMessage(ctx: DomainContext, id: number, logger?: Logger, options: { again?: boolean } = {}): Promise<IntakeOutcome> {
  // Claiming the row, counting the attempt and reading it are one statement. A waiting row that
  // another worker holds (its lease still running) is left to it; a row already done is taken
  // again only when asked to (an admin's re-process).
  const now = ctx.clock()
  const [row] = await ctx.prisma.$queryRaw<{ raw: Uint8Array; envelopeTo: string[]; envelopeFrom: string | null }[]>`
    UPDATE inbound_messages SET attempts = attempts + 1, "claimedAt" = ${now}
    WHERE id = ${id} AND ((status = 'received' AND ("claimedAt" IS NULL OR "claimedAt" < ${leaseEnded(now)})) OR (${options.again === true} AND status <> 'received'))
    RETURNING raw, "envelopeTo", "envelopeFrom"`
  if (row) return processStored(ctx, id, Buffer.from(row.raw), row.envelopeTo, row.envelopeFrom, logger)
  const current = await ctx.prisma.inboundMessage.findUnique({ where: { id }, select: { status: true, conversationId: true, note: true, error: true } })
  if (current?.status === 'processed') return { status: 'processed', conversationId: current.conversationId, note: current.note }
  if (current?.status === 'failed') return { status: 'failed', error: current.error ?? 'failed' }
  if (current?.status === 'blocked') return { status: 'processed', conversationId: null, note: current.note }
  return { status: 'deferred', error: 'being processed by another worker' }
}

/** How long a worker holds a stored message it processes; after that (it died) another may take it. */
const CLAIM_LEASE_MS = 60_000

/** Claims made before this moment have run out. */
export const leaseEnded = (now: Date) => new Date(now.getTime() - CLAIM_LEASE_MS)

/** What an admin sees of a row (its Message-ID and subject), written with its outcome. */
type RowHeading = { messageIdHeader: string | null; subject: string }

/**
 * Parse, classify and thread a claimed row (its attempt already counted; its bytes and envelope at
 * hand), hand it to the domain commands, and record the outcome in one write. Never throws: a bad
 * message is marked failed with the reason, for an admin to see and re-process, and the next
 * message goes on; a passing failure leaves the row waiting for the recovery.
 */
async function processStored(
  ctx: DomainContext,
  id: number,
  raw: Buffer,
  envelopeTo: string[],
  envelopeFrom: string | null,
  logger?: Logger,
): Promise<IntakeOutcome> {
  let heading: RowHeading | undefined
  try {
    const mail = await parseMail(raw)
    heading = { messageIdHeader: mail.messageId?.slice(0, 500) ?? null, subject: mail.subject.slice(0, 500) }
    const outcome = await ingest(ctx, id, mail, raw, envelopeTo, envelopeFrom).catch(async (err) => {
      if (!(mail.messageId && isUniqueViolation(err))) throw err
      // Another worker stored a message with this Message-ID meanwhile. The same e-mail: this copy
      // is the duplicate. Another e-mail reusing the id: taken once more, now seeing the collision.
      if (await earlierCopy(ctx.prisma, id, mail.messageId, raw)) return { conversationId: null, note: 'duplicate of a message already in a conversation' }
      return ingest(ctx, id, mail, raw, envelopeTo, envelopeFrom)
    })
    await ctx.prisma.inboundMessage.update({
      where: { id },
      data: {
        ...heading,
        // A blocked sender's e-mail is held for the spam view (src/domain/customers/spam.ts).
        status: outcome.held ? 'blocked' : 'processed',
        processedAt: ctx.clock(),
        error: null,
        conversationId: outcome.conversationId,
        note: outcome.note,
        claimedAt: null,
      },
    })
    return { status: 'processed', ...outcome }
  } catch (err) {
    if (err instanceof EarlierMessageWaiting) {
      // Left for the recovery pass, which takes waiting rows in order of receipt.
      await release(ctx, id, heading)
      return { status: 'deferred', error: err.message }
    }
    if (isTransient(err)) {
      // The database or the network is away for a moment: leave the row waiting; recovery retries it.
      logger?.warn({ err, inboundId: id }, 'inbound message left for a retry')
      await release(ctx, id, heading)
      return { status: 'deferred', error: 'temporarily unavailable; will be retried' }
    }
    const error = err instanceof ValidationError ? `${err.message}` : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`
    logger?.warn({ err, inboundId: id }, 'inbound message could not be processed')
    try {
      await ctx.prisma.inboundMessage.update({
        where: { id },
        data: { ...heading, status: 'failed', error: error.slice(0, 2000), processedAt: ctx.clock(), claimedAt: null },
      })
    } catch (recordErr) {
      // The failure itself could not be recorded: the row stays claimed until its lease runs out.
      logger?.error({ err: recordErr, inboundId: id }, 'inbound message failed and could not be marked so; left for the recovery')
      return { status: 'deferred', error: `could not be recorded as failed (${error.slice(0, 500)})` }
    }
    return { status: 'failed', error }
  }
}

async function ingest(
  ctx: DomainContext,
  inboundId: number,
  mail: InboundMail,
  raw: Buffer,
  envelopeTo: string[],
  envelopeFrom: string | null,
): Promise<{ conversationId: number | null; note: string | null; held?: boolean }> {
  const prisma = ctx.prisma
  // This very row was added before (the process stopped between that commit and marking the row
  // processed): done already, whatever its Message-ID.
  const done = await prisma.message.findFirst({ where: { inboundId }, select: { conversationId: true } })
  if (done) return { conversationId: done.conversationId, note: 'added before an interruption' }
  // The Message-ID the message is stored under; another e-mail may already hold it.
  let emailMessageId = mail.messageId
  let collision: string | null = null
  if (mail.messageId) {
    // The same e-mail delivered twice (an SMTP retry, a mailbox polled again) is kept once.
    const copy = await earlierCopy(prisma, inboundId, mail.messageId, raw)
    if (copy)
      return {
        conversationId: copy.conversationId,
        note: copy.conversationId ? 'duplicate of a message already in the conversation' : `duplicate of e-mail #${copy.id}, received before`,
      }
    const ours = await prisma.outboxEmail.findUnique({ where: { messageId: mail.messageId }, select: { id: true, toAddress: true } })
    if (ours) return ownEmailCameBack(ctx, ours, mail, envelopeTo)
    // Another e-mail with the same Message-ID (a careless or hostile sender) is still the sender's
    // words: kept as a message of its own, without the id, which stays with the first.
    if (await prisma.message.count({ where: { emailMessageId: mail.messageId } })) {
      // The same e-mail, processed by another worker since the first look, is a copy after all.
      const copyMeanwhile = await earlierCopy(prisma, inboundId, mail.messageId, raw)
      if (copyMeanwhile) return { conversationId: copyMeanwhile.conversationId, note: 'duplicate of a message already in the conversation' }
      emailMessageId = null
      collision = `its Message-ID ${mail.messageId.slice(0, 200)} already belongs to another e-mail, so it is kept without it`
    }
  }
  const recipients = recipientsOf(mail, envelopeTo)
  const kind = classifyMail(mail, raw, envelopeFrom)
  const outcome =
    kind.kind === 'bounce' || kind.kind === 'complaint'
      ? await recordReport(ctx, inboundId, mail, raw, kind, recipients, emailMessageId)
      : await ingestMessage(ctx, inboundId, mail, kind, recipients, envelopeFrom, emailMessageId)
  return collision ? { ...outcome, note: outcome.note ? `${outcome.note}; ${collision}` : collision } : outcome
}

/**
 * An earlier row holding the same e-mail: one already processed with this Message-ID, or the one
 * whose message holds the id. Only the same bytes (line ends aside), or the same sender and date,
 * make it a copy: another e-mail reusing the id is not one.
 */
async function earlierCopy(prisma: Prisma, inboundId: number, messageId: string, raw: Buffer): Promise<{ id: number; conversationId: number | null } | null> {
  const digest = createHash('sha256').update(raw).digest('hex')
  // Compared in the database: only a hash and the header block travel.
  const rows = await prisma.$queryRaw<{ id: number; conversationId: number | null; size: number; sameBytes: boolean; head: Uint8Array }[]>`
    SELECT id, "conversationId", size, (size = ${raw.length} AND encode(sha256(raw), 'hex') = ${digest}) AS "sameBytes", substring(raw from 1 for 65536) AS head
    FROM inbound_messages
    WHERE id <> ${inboundId}
      AND (("messageIdHeader" = ${messageId.slice(0, 500)} AND status = 'processed')
        OR id IN (SELECT "inboundId" FROM messages WHERE "emailMessageId" = ${messageId} AND "inboundId" IS NOT NULL))
    ORDER BY id
    LIMIT 20`
  if (rows.length === 0) return null
  const mine = senderAndDate(raw)
  for (const row of rows) {
    const theirs = senderAndDate(Buffer.from(row.head))
    if (row.sameBytes || (mine && theirs && mine.from === theirs.from && mine.date === theirs.date)) return { id: row.id, conversationId: row.conversationId }
  }
  // The same bytes with other line ends (a mailbox that stores LF, a relay that sends CRLF).
  const normalised = lineEnds(raw)
  for (const row of rows.filter((r) => r.size <= 2 * raw.length && raw.length <= 2 * r.size).slice(0, 3)) {
    const other = await prisma.inboundMessage.findUnique({ where: { id: row.id }, select: { raw: true } })
    if (other && lineEnds(Buffer.from(other.raw)).equals(normalised)) return { id: row.id, conversationId: row.conversationId }
  }
  return null
}

const lineEnds = (raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')

/** The From address and the Date (as a time) of a raw message's own headers, when it has both. */
function senderAndDate(raw: Buffer): { from: string; date: number } | null {
  const text = raw.subarray(0, 65536).toString('latin1')
  const end = /\r?\n\r?\n/.exec(text)?.index ?? text.length
  const headers = text.slice(0, end).replace(/\r?\n[ \t]+/g, ' ')
  const fromLine = /^From:[ \t]*(.*)$/im.exec(headers)?.[1]
  const dateLine = /^Date:[ \t]*(.*)$/im.exec(headers)?.[1]
  const from = fromLine ? (/<([^<>@\s]+@[^<>\s]+)>/.exec(fromLine)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(fromLine)?.[0]) : undefined
  const date = dateLine ? Date.parse(dateLine.replace(/\s*\([^)]*\)\s*$/, '').trim()) : NaN
  return from && !Number.isNaN(date) ? { from: from.toLowerCase(), date } : null
}

/**
 * One of our own e-mails arrived here. Usually a loop, ignored. But when the mail server handed
 * it to the help desk as mail for its own recipient (an agent's address under INBOUND_ADDRESSES, a
 * folder address), that recipient never got it: the outbox row says so instead of "sent".
 */
async function ownEmailCameBack(ctx: DomainContext, ours: { id: number; toAddress: string }, mail: InboundMail, envelopeTo: string[]) {
  const to = bareAddress(ours.toAddress)
  const delivered = [...envelopeTo, ...['delivered-to', 'x-original-to', 'envelope-to'].flatMap((h) => (mail.headers.get(h) ?? '').split(/[,\s]+/))]
    .filter(Boolean)
    .map(bareAddress)
  if (!delivered.includes(to)) return { conversationId: null, note: 'our own e-mail came back; ignored' }
  const agent = await ctx.prisma.agent.findFirst({ where: { email: { equals: to, mode: 'insensitive' } }, select: { name: true } })
  const reason = `was delivered back to the help desk, not to ${agent ? `the agent ${agent.name} (${to})` : to}: the mail server hands mail for this address to the help desk, so its owner never receives it; give ${agent ? 'the agent' : 'them'} an address outside INBOUND_ADDRESSES and the folder addresses`
  await ctx.prisma.outboxEmail.updateMany({
    where: { id: ours.id, status: { in: ['sent', 'sending'] } },
    data: { status: 'failed', lastError: `Not received: ${reason}`.slice(0, 2000) },
  })
  return { conversationId: null, note: `our own e-mail ${reason}; marked failed in the outbox` }
}

/**
 * A delivery report or a spam complaint: a system note in the conversation of the e-mail it is
 * about. It changes the customer only when it is about one of our own e-mails to that address (by
 * the outbox's Message-ID or a signed reply address): anybody can write a report.
 */
async function recordReport(
  ctx: DomainContext,
  inboundId: number,
  mail: InboundMail,
  raw: Buffer,
  kind: Extract<MailKind, { kind: 'bounce' | 'complaint' }>,
  recipients: string[],
  emailMessageId: string | null,
) {
  const prisma = ctx.prisma
  const report = kind.kind === 'bounce' ? kind.bounce : kind.complaint
  const ids = report.originalMessageIds
  const signed = signedConversations([raw.subarray(0, 2 * 1024 * 1024).toString('latin1'), mail.text, ...recipients].join('\n'), ctx.mail.secret)
  const [sent, conversations] = await Promise.all([
    ids.length ? prisma.outboxEmail.findMany({ where: { messageId: { in: ids } }, select: { toAddress: true }, take: 50 }) : [],
    signed.length ? prisma.conversation.findMany({ where: { id: { in: signed } }, select: { id: true, customer: { select: { email: true } } } }) : [],
  ])
  const sentTo = new Set(sent.map((o) => bareAddress(o.toAddress)))
  const ours = new Set([...sentTo, ...conversations.map((c) => c.customer.email.toLowerCase())])
  let recipient = report.recipient
  // A report that names nobody is about the one address our e-mail went to.
  if (!recipient && ours.size === 1) recipient = [...ours][0]!
  // Feedback reports often redact the complainer; the e-mail complained about names them.
  if (kind.kind === 'complaint' && recipient && !ours.has(recipient) && sentTo.size === 1) recipient = [...sentTo][0]!
  const verified = recipient !== null && ours.has(recipient)

  const threaded = ids.length ? await findThread(prisma, { ...mail, inReplyTo: null, references: ids }, [], '') : null
  const conversationId = threaded?.conversationId ?? conversations[0]?.id ?? null
  const hard = kind.kind === 'bounce' && kind.bounce.hard
  const summary =
    kind.kind === 'bounce'
      ? `Delivery failed${recipient ? ` to ${recipient}` : ''}${kind.bounce.status ? ` (status ${kind.bounce.status})` : ''}: ${mail.subject || 'delivery report'}`
      : `Spam complaint${recipient ? ` from ${recipient}` : ''}: their mail provider reports that our e-mail was marked as spam (feedback type ${kind.complaint.feedbackType})`
  const result = await recordBounce(ctx, SYSTEM, {
    kind: kind.kind,
    conversationId,
    recipient,
    status: kind.kind === 'bounce' ? kind.bounce.status : null,
    hard,
    markUndeliverable: verified && (hard || kind.kind === 'complaint'),
    summary,
    inboundId,
    emailMessageId,
  })
  const head = kind.kind === 'bounce' ? `bounce${hard ? ' (permanent)' : ''}` : `complaint (${kind.complaint.feedbackType})`
  const effect = result.marked
    ? kind.kind === 'bounce'
      ? `; ${recipient} marked undeliverable`
      : `; automatic e-mails to ${recipient} stopped`
    : recipient && !verified && (hard || kind.kind === 'complaint')
      ? `; it is about none of our e-mails to ${recipient}, so the address was left as it is`
      : ''
  return { conversationId: result.conversation?.id ?? null, note: `${head}${effect}${conversationId ? '' : '; no conversation found'}` }
}

/** Conversations named by genuine signed reply addresses in a text. */
function signedConversations(text: string, secret: string): number[] {
  const ids = new Set<number>()
  for (const m of text.matchAll(/[^\s<>"'(),;:]+\+c\d{1,10}-[0-9a-f]{16}@[^\s<>"'(),;:]+/gi)) {
    const id = conversationFromAddress(m[0], secret)
    if (id !== null) ids.add(id)
    if (ids.size >= 10) break
  }
  return [...ids]
}

/** A customer's e-mail or an auto-reply: into the conversation it continues, else a new one. */
async function ingestMessage(
  ctx: DomainContext,
  inboundId: number,
  mail: InboundMail,
  kind: Extract<MailKind, { kind: 'normal' | 'autoReply' }>,
  recipients: string[],
  envelopeFrom: string | null,
  emailMessageId: string | null,
): Promise<{ conversationId: number | null; note: string | null; held?: boolean }> {
  const prisma = ctx.prisma
  // An agent's own address (a reply to a notification, a forward to the support address) never
  // speaks as a customer: agents answer in the help desk, where the answer is theirs.
  const agent = mail.from
    ? await prisma.agent.findFirst({ where: { email: { equals: mail.from.address, mode: 'insensitive' } }, select: { name: true } })
    : null
  if (agent)
    return {
      conversationId: null,
      note: `sent from the address of the agent ${agent.name}; agents answer in the help desk, so it was added to no conversation`,
    }

  // No usable From: the SMTP envelope's sender, else a placeholder customer, so that the message
  // still reaches the agents (who see that nobody can be answered).
  const from = mail.from ?? (envelopeFrom && envelopeFrom.includes('@') ? { address: envelopeFrom.toLowerCase(), name: '' } : UNKNOWN_SENDER)
  // A blocked sender (any of their addresses): held for the spam view, new mail and replies alike;
  // no conversation, no message, no acknowledgement, nobody told.
  const blocked = from === UNKNOWN_SENDER ? null : await blockedSender(prisma, from.address)
  if (blocked) return { conversationId: null, note: heldNote(from.address, blocked.id), held: true }
  const { attachmentMaxBytes } = await loadSettings(prisma)
  const body = boundBody({ html: mail.html, text: mail.text })
  const { files, inlineImages, skipped } = splitAttachments(mail, attachmentMaxBytes, body.files)
  skipped.unshift(...body.notes)
  // The HTML is sanitised (the costly part) only when nothing else shows that there is content.
  const empty = !body.text.trim() && files.length === 0 && inlineImages.length === 0 && !(body.html && htmlToText(sanitizeMessageHtml(body.html)).trim())
  const text = (empty ? '(This e-mail has no text.)' : body.text) + (skipped.length ? `\n\n[${skipped.join('; ')}]` : '')
  const html = body.html && skipped.length ? `${body.html}<p>[${skipped.map(escapeHtml).join('; ')}]</p>` : body.html
  const isAutoReply = kind.kind === 'autoReply'
  // Whom the customer copied: kept on the message, and on the conversation for the next replies.
  const cc = await customerCopies(prisma, ctx.mail, mail, from.address)

  await processEarlierMessages(ctx, inboundId, mail)
  const match = await findThread(prisma, mail, recipients, ctx.mail.secret)
  if (match) {
    const customer = await findCustomerFor(ctx, from.address, from.name)
    const result = await addCustomerMessage(ctx, asCustomer(customer.id), {
      conversationId: match.conversationId,
      html: html ?? undefined,
      text,
      files,
      inlineImages,
      emailMessageId,
      inReplyTo: mail.inReplyTo,
      isAutoReply,
      inboundId,
      cc,
    })
    return {
      conversationId: result.conversation.id,
      note: result.followUpOf ? 'late reply to a closed conversation: new conversation linked to it' : isAutoReply ? `automatic reply (${kind.reason})` : null,
    }
  }
  if (isAutoReply) return { conversationId: null, note: `automatic reply (${kind.reason}) to no known conversation; kept here only` }

  const folderId = await folderForRecipients(prisma, recipients)
  const result = await startCustomerConversation(ctx, SYSTEM, {
    customerEmail: from.address,
    customerName: from.name,
    subject: cleanSubject(mail.subject),
    folderId,
    channel: 'email',
    html,
    text,
    files,
    inlineImages,
    emailMessageId,
    inboundId,
    acknowledge: mail.from !== null && !isAutomaticSender(mail, envelopeFrom),
    // The customer's language, when their first e-mail tells it: their e-mails follow it.
    customerLocale: detectLanguage(mail.headers.get('content-language'), body.text),
    cc,
  })
  return { conversationId: result.conversation.id, note: null }
}

/** The sender as a customer record (created on first contact). */
async function findCustomerFor(ctx: DomainContext, address: string, name: string) {
  return ctx.prisma.$transaction((tx) => findOrCreateCustomer(tx, address, name))
}

/**
 * Inline images the HTML refers to by cid: stay inline; everything else is an attachment. A part
 * over the size limit is left out of the conversation (it stays in the raw message) and named.
 */
function splitAttachments(mail: InboundMail, maxBytes: number, bodyFiles: UploadedFile[]) {
  const referenced = new Set([...(mail.html ?? '').matchAll(/cid:([^"'\s>)]+)/gi)].map((m) => m[1]!.toLowerCase()))
  const files: UploadedFile[] = []
  const inlineImages: InlineImage[] = []
  const skipped: string[] = []
  const parts = [...bodyFiles.map((f) => ({ fileName: f.fileName, data: f.data, cid: null, contentType: 'application/octet-stream' })), ...mail.attachments]
  for (const a of parts) {
    if (a.data.length === 0) continue
    if (a.data.length > maxBytes) {
      skipped.push(`“${a.fileName}” (${formatBytes(a.data.length)}) is over the ${formatBytes(maxBytes)} limit; it is kept in the original e-mail`)
      continue
    }
    if (a.cid && referenced.has(a.cid.toLowerCase()) && a.contentType.startsWith('image/'))
      inlineImages.push({ contentId: a.cid, fileName: a.fileName, data: a.data })
    else files.push({ fileName: a.fileName, data: a.data })
  }
  return { files, inlineImages, skipped }
}

/**
 * Connection-level failures (database restarting, network) and a transaction that ran out of time
 * (a busy or slow database: P2028 with its time limit, or no connection free to start it), as
 * opposed to a message we cannot take.
 */
function isTransient(err: unknown): boolean {
  const e = err as {
    code?: string
    message?: string
    errorCode?: string
    meta?: { timeout?: unknown; driverAdapterError?: { cause?: { code?: string; originalCode?: string } } }
  }
  const cause = e?.meta?.driverAdapterError?.cause
  const codes = [e?.code, e?.errorCode, cause?.code, cause?.originalCode].filter((c): c is string => typeof c === 'string')
  if (
    e?.code === 'P2028' &&
    (e.meta?.timeout !== undefined || /expired transaction|timeout|timed out|Unable to start a transaction in the given time/i.test(e.message ?? ''))
  )
    return true
  return (
    codes.some(
      (c) =>
        ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '53300', '40P01', '40001'].includes(c) ||
        /^(08|57P0[1-3])/.test(c),
    ) ||
    /Can't reach database|Connection terminated|connection is closed|terminating connection|Cannot use a pool after calling end|ECONNREFUSED|timeout exceeded when trying to connect/i.test(
      e?.message ?? '',
    )
  )
}

const UNKNOWN_SENDER = { address: 'unknown-sender@invalid', name: 'Unknown sender' }

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string })?.code === 'P2002' || /Unique constraint|unique_violation|23505/.test(String((err as Error)?.message))

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A reply whose earlier message is still waiting in another worker's hands: it goes after it. */
class EarlierMessageWaiting extends Error {
  constructor(earlierId: number) {
    super(`waits for e-mail #${earlierId}, which it answers and which is still being processed`)
  }
}

/** Lets go of a row left waiting, so that the next recovery pass takes it at once. */
async function release(ctx: DomainContext, id: number, heading?: RowHeading) {
  await ctx.prisma.inboundMessage.update({ where: { id }, data: { ...heading, claimedAt: null } }).catch(() => {
    // The database is away: the lease runs out on its own.
  })
}

/**
 * A reply can arrive before the message it answers was processed (stored just before a crash, or
 * in another worker's hands): that message goes first, so that the reply finds its conversation
 * instead of opening a second one. Only earlier rows are taken, so this cannot loop.
 */
async function processEarlierMessages(ctx: DomainContext, inboundId: number, mail: InboundMail) {
  const ids = [...new Set([mail.inReplyTo, ...mail.references].filter((x): x is string => Boolean(x)))].slice(0, 50)
  if (!ids.length) return
  const waiting = await ctx.prisma.inboundMessage.findMany({
    where: { id: { lt: inboundId }, status: 'received', messageIdHeader: { in: ids } },
    orderBy: { id: 'asc' },
    select: { id: true },
  })
  for (const earlier of waiting) {
    const outcome = await processInboundMessage(ctx, earlier.id)
    // Another worker holds it (usually for well under a second): wait a little, then leave this
    // one for the recovery pass rather than hold up the intake.
    if (outcome.status === 'deferred' && !(await processedWithin(ctx, earlier.id, EARLIER_MESSAGE_WAIT_MS))) throw new EarlierMessageWaiting(earlier.id)
  }
}

const EARLIER_MESSAGE_WAIT_MS = 10_000

async function processedWithin(ctx: DomainContext, id: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    const row = await ctx.prisma.inboundMessage.findUnique({ where: { id }, select: { status: true } })
    if (row?.status !== 'received') return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
