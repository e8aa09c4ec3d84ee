import { randomUUID } from 'node:crypto'
import type { Tx } from '../../db/database.ts'
import type { OutboxKind } from '../../generated/prisma/enums.ts'

export interface OutgoingEmail {
  kind: OutboxKind
  to: string
  subject: string
  html: string
  text: string
  conversationId?: number
  headers?: Record<string, string>
  /** Fixed in advance when the e-mail is also a message of the thread. */
  messageId?: string
  attachments?: OutboxAttachment[]
}

export interface OutboxAttachment {
  blobSha256: string
  fileName: string
  mimeType: string
  /** Set for images the HTML shows inline (cid:). */
  contentId?: string
}

export function newMessageId(mailDomain: string): string {
  return `<${randomUUID()}@${mailDomain}>`
}

/**
 * Puts an e-mail in the outbox inside the caller's transaction, so it exists exactly when the
 * change that caused it does. The Message-ID is fixed here and reused by every delivery attempt.
 */
export async function enqueueEmail(tx: Tx, mailDomain: string, email: OutgoingEmail) {
  return tx.outboxEmail.create({
    data: {
      kind: email.kind,
      messageId: email.messageId ?? newMessageId(mailDomain),
      conversationId: email.conversationId,
      toAddress: email.to,
      // CR/LF in a subject would let it write extra headers; a subject is one line.
      subject: email.subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
      html: email.html,
      text: email.text,
      headers: email.headers ?? {},
      attachments: (email.attachments ?? []) as unknown as object[],
    },
  })
}

/** The domain part of the From address, used for Message-IDs. */
export function mailDomainOf(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from)
  return m?.[1]?.toLowerCase() ?? 'localhost'
}
