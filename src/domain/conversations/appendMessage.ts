import type { Tx } from '../../db/database.ts'
import type { Conversation } from '../../generated/prisma/client.ts'
import type { MessageKind } from '../../generated/prisma/enums.ts'
import type { ActorRef } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { recordEvents } from '../events/record.ts'
import { messageSnippet, storeMessageFiles, type PreparedBody, type UploadedFile } from './messageBody.ts'

export interface AppendMessageArgs {
  conversation: Conversation
  actor: ActorRef
  kind: MessageKind
  body: PreparedBody
  files: UploadedFile[]
  at: Date
  authorAgentId?: number | null
  customerId?: number | null
  emailMessageId?: string | null
  inReplyTo?: string | null
  isAutoReply?: boolean
  inboundId?: number | null
  /** Copies of the message: as the customer's e-mail had them, or as the agent sent it. */
  cc?: string[]
  bcc?: string[]
}

/**
 * Adds a message with its files to a locked conversation and moves the conversation's
 * counters: thread version, last activity, snippet and the per-side timestamps.
 */
export async function appendMessage(ctx: Pick<DomainContext, 'reactions'>, tx: Tx, a: AppendMessageArgs) {
  const created = await tx.message.create({
    data: {
      conversationId: a.conversation.id,
      kind: a.kind,
      authorAgentId: a.authorAgentId ?? null,
      customerId: a.customerId ?? null,
      bodyHtml: a.body.html,
      bodyText: a.body.text,
      emailMessageId: a.emailMessageId ?? null,
      inReplyTo: a.inReplyTo ?? null,
      isAutoReply: a.isAutoReply ?? false,
      inboundId: a.inboundId ?? null,
      cc: a.cc ?? [],
      bcc: a.bcc ?? [],
      createdAt: a.at,
    },
  })
  const { html, visibleHtml, attachments } = await storeMessageFiles(tx, {
    conversationId: a.conversation.id,
    messageId: created.id,
    body: a.body,
    files: a.files,
    at: a.at,
  })
  const message =
    html === created.bodyHtml && visibleHtml === null ? created : await tx.message.update({ where: { id: created.id }, data: { bodyHtml: html, visibleHtml } })
  const isPublic = a.kind === 'customer' || a.kind === 'agent'
  const conversation = await tx.conversation.update({
    where: { id: a.conversation.id },
    data: {
      messageCount: { increment: 1 },
      lastActivityAt: a.at,
      ...(isPublic && !a.isAutoReply ? { snippet: messageSnippet(a.body.text, attachments.length) } : {}),
      ...(a.kind === 'customer' && !a.isAutoReply ? { lastCustomerMessageAt: a.at } : {}),
      ...(a.kind === 'agent' ? { lastAgentReplyAt: a.at } : {}),
    },
  })
  const files = attachments.filter((f) => !f.inline)
  // One event per attached file, in one statement: a message may carry hundreds of files.
  await recordEvents(
    ctx,
    tx,
    files.map((file) => ({
      type: 'attachment.added' as const,
      actor: a.actor,
      at: a.at,
      conversation,
      data: { attachmentId: file.id, fileName: file.fileName, messageId: message.id },
    })),
  )
  return { message, attachments, conversation }
}
