import { z } from 'zod'
import type { Tx } from '../../../db/database.ts'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { ConflictError, ForbiddenError, NotFoundError, parseInput } from '../../errors.ts'
import { attachmentPath } from '../../attachments/storeAttachment.ts'
import { replaceImageSources } from '../../content/index.ts'
import { changeConversation } from '../changeConversation.ts'
import { restoredStatusFields } from '../lifecycle.ts'
import { messageSnippet } from '../messageBody.ts'

/** How long a reply sent from the reply form waits in the outbox, so that its author may take it back. */
export const UNDO_SEND_MS = 10_000
/** An Undo clicked at the last moment still counts while no sender has taken the e-mail. */
const UNDO_GRACE_MS = 5_000

export const withdrawSchema = z.object({
  conversationId: z.number().int().positive(),
  messageId: z.number().int().positive(),
})
export type WithdrawInput = z.input<typeof withdrawSchema>

/** The e-mail has started to leave (or was sent at once): nothing was changed. */
export class TooLateToWithdrawError extends ConflictError {
  override name = 'TooLateToWithdrawError'
  constructor() {
    super('error.replyAlreadySent')
  }
}

const when = z.iso.datetime({ offset: true }).transform((s) => new Date(s))
/** What replyAsAgent saved of the conversation before a reply held for undo. */
const savedBeforeReply = z.object({
  status: z.enum(['new', 'open', 'pending', 'closed']),
  pendingSince: when.nullable(),
  reminderSentAt: when.nullable(),
  closedAt: when.nullable(),
  closedByKind: z.enum(['agent', 'customer', 'system']).nullable(),
  closedById: z.number().int().nullable(),
  lastActivityAt: when,
  lastAgentReplyAt: when.nullable(),
})

/**
 * Undo send: takes back a reply whose e-mail is still waiting in the outbox, in one transaction.
 * The e-mail is claimed only if no sender has taken it (queued, never attempted): the delivery
 * pass claims rows with FOR UPDATE SKIP LOCKED, so either it skips the row we delete, or we wait
 * for its claim and find the row `sending` — never both sent and withdrawn. The message goes
 * (its files with it), the conversation gets back what the reply changed unless something later
 * changed it again, and the history says so. Returns the reply's words for the editor.
 */
export async function withdrawReply(ctx: DomainContext, agent: Actor, input: WithdrawInput) {
  const p = parseInput(withdrawSchema, input)
  return changeConversation(ctx, asAgent(agent), p.conversationId, async ({ tx, conversation, now, record }) => {
    const message = await tx.message.findFirst({
      where: { id: p.messageId, conversationId: conversation.id, kind: 'agent' },
      select: { id: true, authorAgentId: true, emailMessageId: true, bodyHtml: true, bodyText: true, createdAt: true },
    })
    if (!message) throw new NotFoundError('error.replyNotFound')
    if (message.authorAgentId !== agent.id) throw new ForbiddenError('error.notYourReply')
    const sent = await replySentEvent(tx, conversation.id, message.id)
    const before = savedBeforeReply.safeParse(sent?.before)
    // A reply sent at once (not held) has nothing saved to undo with.
    if (!sent || !before.success || !message.emailMessageId) throw new TooLateToWithdrawError()
    const claimed = await tx.$executeRaw`
      DELETE FROM outbox_emails
      WHERE "messageId" = ${message.emailMessageId} AND status = 'queued' AND attempts = 0
        AND "nextAttemptAt" > ${new Date(now.getTime() - UNDO_GRACE_MS)}`
    if (claimed === 0) throw new TooLateToWithdrawError()

    const files = await tx.attachment.findMany({
      where: { messageId: message.id },
      orderBy: { id: 'asc' },
      select: { id: true, fileName: true, mimeType: true, inline: true, blob: { select: { data: true } } },
    })
    await tx.message.delete({ where: { id: message.id } })

    const saved = before.data
    const later = await whatCameAfter(tx, conversation.id, message.id, sent.position)
    const restoreStatus = !later.statusChanged
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: {
        ...(restoreStatus ? restoredStatusFields(saved) : {}),
        // Each only if nothing after the reply set it again.
        ...(sameMoment(conversation.lastActivityAt, message.createdAt) ? { lastActivityAt: saved.lastActivityAt } : {}),
        ...(sameMoment(conversation.lastAgentReplyAt, message.createdAt) ? { lastAgentReplyAt: saved.lastAgentReplyAt } : {}),
        ...(later.publicMessage ? {} : { snippet: await latestSnippet(tx, conversation.id) }),
      },
    })
    // The thread version (messageCount) does not go back: a count seen before the withdrawal must
    // not hide a message that arrives after it from the traffic cop.
    await record('reply.withdrawn', { messageId: message.id })
    if (restoreStatus && saved.status !== conversation.status) await record('status.changed', { from: conversation.status, to: saved.status })

    return {
      conversation: updated,
      /** The reply's words for the editor; pasted images come back as data: URLs (their stored copies are gone). */
      html: withImagesInline(message.bodyHtml, files),
      text: message.bodyText,
      /** Attached files, which the agent must choose again (a browser cannot refill a file field). */
      fileNames: files.filter((f) => !f.inline).map((f) => f.fileName),
      sentAt: message.createdAt,
      withdrawnAt: now,
    }
  })
}

/** The reply's `reply.sent` event: its position and what it saved. */
async function replySentEvent(tx: Tx, conversationId: number, messageId: number) {
  const [row] = await tx.$queryRaw<{ position: bigint; before: unknown }[]>`
    SELECT position, data->'before' AS before FROM events
    WHERE "conversationId" = ${conversationId} AND type = 'reply.sent' AND data->>'messageId' = ${String(messageId)}
    ORDER BY position DESC LIMIT 1`
  return row ?? null
}

/**
 * Whether the status changed after the reply (by another transaction than the reply's own:
 * the customer answered, someone set it by hand), and whether a public message followed it.
 */
async function whatCameAfter(tx: Tx, conversationId: number, messageId: number, replyPosition: bigint) {
  const [row] = await tx.$queryRaw<{ statusChanged: boolean; publicMessage: boolean }[]>`
    SELECT
      EXISTS (
        SELECT 1 FROM events e, events r
        WHERE r.position = ${replyPosition} AND e."conversationId" = ${conversationId} AND e.type = 'status.changed'
          AND e.position > r.position AND e.tx <> r.tx
      ) AS "statusChanged",
      EXISTS (
        SELECT 1 FROM messages m
        WHERE m."conversationId" = ${conversationId} AND m.id > ${messageId}
          AND (m.kind = 'agent' OR (m.kind = 'customer' AND NOT m."isAutoReply"))
      ) AS "publicMessage"`
  return row ?? { statusChanged: false, publicMessage: false }
}

/** The snippet of the latest public message left in the thread (as appendMessage writes it). */
async function latestSnippet(tx: Tx, conversationId: number): Promise<string> {
  const latest = await tx.message.findFirst({
    where: { conversationId, OR: [{ kind: 'agent' }, { kind: 'customer', isAutoReply: false }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { bodyText: true, _count: { select: { attachments: true } } },
  })
  return latest ? messageSnippet(latest.bodyText, latest._count.attachments) : ''
}

function sameMoment(a: Date | null, b: Date): boolean {
  return a !== null && a.getTime() === b.getTime()
}

/** The stored HTML with its inline images (pointing at attachments about to disappear) as data: URLs. */
function withImagesInline(html: string, files: { id: number; fileName: string; mimeType: string; inline: boolean; blob: { data: Uint8Array } }[]): string {
  const inline = new Map(
    files
      .filter((f) => f.inline)
      .map((f) => [
        attachmentPath(f),
        `data:${f.mimeType};base64,${Buffer.from(f.blob.data.buffer, f.blob.data.byteOffset, f.blob.data.byteLength).toString('base64')}`,
      ]),
  )
  return inline.size ? replaceImageSources(html, (src) => inline.get(src) ?? src) : html
}
