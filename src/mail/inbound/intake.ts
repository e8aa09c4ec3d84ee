import type { Logger } from 'pino'
import type { Prisma } from '../../db/database.ts'
import type { DomainContext } from '../../domain/context.ts'
import { addCustomerMessage } from '../../domain/conversations/commands/addCustomerMessage.ts'
import { recordBounce } from '../../domain/conversations/commands/recordBounce.ts'
import { startCustomerConversation } from '../../domain/conversations/commands/startCustomerConversation.ts'
import { formatBytes, type InlineImage, type UploadedFile } from '../../domain/conversations/messageBody.ts'
import { ValidationError } from '../../domain/errors.ts'
import { findOrCreateCustomer } from '../../domain/customers/findOrCreateCustomer.ts'
import { htmlToText, sanitizeMessageHtml } from '../../domain/content/index.ts'
import { boundBody } from './bodyLimits.ts'
import { loadSettings } from '../../domain/settings/settings.ts'
import type { InboundSource } from '../../generated/prisma/enums.ts'
import { classifyMail, isAutomaticSender } from './classify.ts'
import { parseMail, type InboundMail } from './parse.ts'
import { cleanSubject, findThread, folderForRecipients, recipientsOf } from './route.ts'

export interface RawMessage {
  source: InboundSource
  raw: Buffer
  envelopeFrom?: string | null
  envelopeTo?: string[]
}

/**
 * Step one of the intake: the raw bytes become a row. Whoever delivered the message (SMTP
 * client, IMAP mailbox, HTTP caller) is answered only after this has committed.
 */
export async function storeRawMessage(prisma: Prisma, message: RawMessage, options: { attempts?: number } = {}): Promise<number> {
  const row = await prisma.inboundMessage.create({
    data: {
      source: message.source,
      raw: message.raw as Uint8Array<ArrayBuffer>,
      size: message.raw.length,
      envelopeFrom: message.envelopeFrom?.slice(0, 500) ?? null,
      envelopeTo: storedEnvelopeTo(message.envelopeTo),
      attempts: options.attempts ?? 0,
    },
    select: { id: true },
  })
  return row.id
}

const storedEnvelopeTo = (envelopeTo: string[] | undefined) => (envelopeTo ?? []).map((a) => a.slice(0, 500)).slice(0, 100)

export type IntakeOutcome =
  | { status: 'processed'; conversationId: number | null; note: string | null }
  | { status: 'failed'; error: string }
  /** Left waiting in `received` for the recovery to retry (the database was away). */
  | { status: 'deferred'; error: string }

/**
 * Step two: parse, classify and thread a stored message, then hand it to the domain commands.
 * Never throws for a bad message: the row is marked failed with the reason, for an admin to see
 * and re-process, and the next message goes on.
 */
export async function processInboundMessage(ctx: DomainContext, id: number, logger?: Logger): Promise<IntakeOutcome> {
  // Counting the attempt and reading the row are one statement.
  const row = await ctx.prisma.inboundMessage.update({ where: { id }, data: { attempts: { increment: 1 } }, select: { raw: true, envelopeTo: true, envelopeFrom: true } })
  return processStored(ctx, id, Buffer.from(row.raw), row.envelopeTo, row.envelopeFrom, logger)
}

/** A stored row whose attempt is already counted; its bytes and envelope are at hand. */
async function processStored(ctx: DomainContext, id: number, raw: Buffer, envelopeTo: string[], envelopeFrom: string | null, logger?: Logger): Promise<IntakeOutcome> {
  try {
    const mail = await parseMail(raw)
    // Before the rest: a row left for the recovery shows what it is.
    await ctx.prisma.inboundMessage.update({ where: { id }, data: { messageIdHeader: mail.messageId?.slice(0, 500) ?? null, subject: mail.subject.slice(0, 500) } })
    const outcome = await ingest(ctx, id, mail, raw, envelopeTo, envelopeFrom).catch(async (err) => {
      // The same e-mail processed at the same moment by another worker: the unique Message-ID
      // decides, and this copy is the duplicate.
      if (mail.messageId && isUniqueViolation(err) && (await ctx.prisma.message.count({ where: { emailMessageId: mail.messageId } }))) {
        return { conversationId: null, note: 'duplicate of a message already in a conversation' }
      }
      throw err
    })
    await ctx.prisma.inboundMessage.update({ where: { id }, data: { status: 'processed', processedAt: ctx.clock(), error: null, conversationId: outcome.conversationId, note: outcome.note } })
    return { status: 'processed', ...outcome }
  } catch (err) {
    if (isTransient(err)) {
      // The database or the network is away for a moment: leave the row waiting; recovery retries it.
      logger?.warn({ err, inboundId: id }, 'inbound message left for a retry')
      return { status: 'deferred', error: 'temporarily unavailable; will be retried' }
    }
    const error = err instanceof ValidationError ? `${err.message}` : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`
    logger?.warn({ err, inboundId: id }, 'inbound message could not be processed')
    await ctx.prisma.inboundMessage.update({ where: { id }, data: { status: 'failed', error: error.slice(0, 2000), processedAt: ctx.clock() } })
    return { status: 'failed', error }
  }
}

/**
 * Store, then process at once. The row is stored with its first attempt counted and processed
 * from the bytes at hand, not read back.
 */
export async function receiveRawMessage(ctx: DomainContext, message: RawMessage, logger?: Logger): Promise<{ id: number; outcome: IntakeOutcome }> {
  const id = await storeRawMessage(ctx.prisma, message, { attempts: 1 })
  const outcome = await processStored(ctx, id, message.raw, storedEnvelopeTo(message.envelopeTo), message.envelopeFrom?.slice(0, 500) ?? null, logger)
  return { id, outcome }
}

async function ingest(ctx: DomainContext, inboundId: number, mail: InboundMail, raw: Buffer, envelopeTo: string[], envelopeFrom: string | null): Promise<{ conversationId: number | null; note: string | null }> {
  const prisma = ctx.prisma
  if (mail.messageId) {
    // The same e-mail delivered twice (an SMTP retry, a mailbox polled again) is kept once.
    const seen = await prisma.message.findUnique({ where: { emailMessageId: mail.messageId }, select: { conversationId: true } })
    if (seen) return { conversationId: seen.conversationId, note: 'duplicate of a message already in the conversation' }
    if (await prisma.outboxEmail.count({ where: { messageId: mail.messageId } })) return { conversationId: null, note: 'our own e-mail came back; ignored' }
  }
  const recipients = recipientsOf(mail, envelopeTo)
  const kind = classifyMail(mail, raw)

  if (kind.kind === 'bounce') {
    const b = kind.bounce
    const match = b.originalMessageIds.length ? await findThread(prisma, { ...mail, inReplyTo: null, references: b.originalMessageIds }, [], '') : null
    const summary = `Delivery failed${b.recipient ? ` to ${b.recipient}` : ''}${b.status ? ` (status ${b.status})` : ''}: ${mail.subject || 'delivery report'}`
    const result = await recordBounce(ctx, { conversationId: match?.conversationId ?? null, recipient: b.recipient, status: b.status, hard: b.hard, summary, inboundId, emailMessageId: mail.messageId })
    return { conversationId: result.conversation?.id ?? null, note: `bounce${b.hard ? ' (permanent)' : ''}${result.marked ? `; ${b.recipient} marked undeliverable` : ''}${match ? '' : '; no conversation found'}` }
  }

  // An agent's own address (a reply to a notification, a forward to the support address) never
  // speaks as a customer: agents answer in the help desk, where the answer is theirs.
  const agent = mail.from ? await prisma.agent.findFirst({ where: { email: { equals: mail.from.address, mode: 'insensitive' } }, select: { name: true } }) : null
  if (agent) return { conversationId: null, note: `sent from the address of the agent ${agent.name}; agents answer in the help desk, so it was added to no conversation` }

  // No usable From: the SMTP envelope's sender, else a placeholder customer, so that the message
  // still reaches the agents (who see that nobody can be answered).
  const from = mail.from ?? (envelopeFrom && envelopeFrom.includes('@') ? { address: envelopeFrom.toLowerCase(), name: '' } : UNKNOWN_SENDER)
  const { attachmentMaxBytes } = await loadSettings(prisma)
  const body = boundBody({ html: mail.html, text: mail.text })
  const { files, inlineImages, skipped } = splitAttachments(mail, attachmentMaxBytes, body.files)
  skipped.unshift(...body.notes)
  // The HTML is sanitised (the costly part) only when nothing else shows that there is content.
  const empty = !body.text.trim() && files.length === 0 && inlineImages.length === 0 && !(body.html && htmlToText(sanitizeMessageHtml(body.html)).trim())
  const text = (empty ? '(This e-mail has no text.)' : body.text) + (skipped.length ? `\n\n[${skipped.join('; ')}]` : '')
  const html = body.html && skipped.length ? `${body.html}<p>[${skipped.map(escapeHtml).join('; ')}]</p>` : body.html
  const isAutoReply = kind.kind === 'autoReply'

  const match = await findThread(prisma, mail, recipients, ctx.mail.secret)
  if (match) {
    const customer = await findCustomerFor(ctx, from.address, from.name)
    const result = await addCustomerMessage(ctx, {
      conversationId: match.conversationId,
      customerId: customer.id,
      html: html ?? undefined,
      text,
      files,
      inlineImages,
      emailMessageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      isAutoReply,
      inboundId,
    })
    return { conversationId: result.conversation.id, note: result.followUpOf ? 'late reply to a closed conversation: new conversation linked to it' : isAutoReply ? `automatic reply (${kind.reason})` : null }
  }
  if (isAutoReply) return { conversationId: null, note: `automatic reply (${kind.reason}) to no known conversation; kept here only` }

  const folderId = await folderForRecipients(prisma, recipients)
  const result = await startCustomerConversation(ctx, {
    customerEmail: from.address,
    customerName: from.name,
    subject: cleanSubject(mail.subject),
    folderId,
    channel: 'email',
    html,
    text,
    files,
    inlineImages,
    emailMessageId: mail.messageId,
    inboundId,
    acknowledge: mail.from !== null && !isAutomaticSender(mail, envelopeFrom),
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
    if (a.cid && referenced.has(a.cid.toLowerCase()) && a.contentType.startsWith('image/')) inlineImages.push({ contentId: a.cid, fileName: a.fileName, data: a.data })
    else files.push({ fileName: a.fileName, data: a.data })
  }
  return { files, inlineImages, skipped }
}

/** Connection-level failures (database restarting, network), as opposed to a message we cannot take. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errorCode?: string; meta?: { driverAdapterError?: { cause?: { code?: string; originalCode?: string } } } }
  const cause = e?.meta?.driverAdapterError?.cause
  const codes = [e?.code, e?.errorCode, cause?.code, cause?.originalCode].filter((c): c is string => typeof c === 'string')
  return codes.some((c) => ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '53300', '40P01', '40001'].includes(c) || /^(08|57P0[1-3])/.test(c)) ||
    /Can't reach database|Connection terminated|connection is closed|terminating connection|Cannot use a pool after calling end|ECONNREFUSED|timeout exceeded when trying to connect/i.test(e?.message ?? '')
}

const UNKNOWN_SENDER = { address: 'unknown-sender@invalid', name: 'Unknown sender' }

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === 'P2002' || /Unique constraint|unique_violation|23505/.test(String((err as Error)?.message))

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
