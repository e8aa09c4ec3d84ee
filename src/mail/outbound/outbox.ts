import type { Tx } from '../../db/database.ts'
import type { OutboxKind } from '../../generated/prisma/enums.ts'
import { Prisma } from '../../generated/prisma/client.ts'
import { newMessageId } from '../messageIds.ts'
import type { MailTemplate } from './templates.ts'

export { newMessageId }

export interface OutgoingEmail {
  kind: OutboxKind
  to: string
  /**
   * The recipient's name for the To header. Unset: delivery takes the customer's or agent's name
   * for that address (never for an acknowledgement, see delivery.ts).
   */
  toName?: string
  subject: string
  conversationId?: number
  headers?: Record<string, string>
  /** Fixed in advance when the e-mail is also a message of the thread. */
  messageId?: string
  attachments?: OutboxAttachment[]
  /**
   * What it says: its HTML and text, or (for an e-mail written in a command's transaction, under
   * its locks) a template and its parameters, rendered after the commit (renderOutbox.ts).
   */
  html?: string
  text?: string
  template?: MailTemplate
  params?: Record<string, Prisma.InputJsonValue | null>
  /** Not sent before this moment (a reply its author may still withdraw); unset: at once. */
  notBefore?: Date
  /** Copies: Cc is shown to every recipient, Bcc only reaches the SMTP envelope (delivery.ts). */
  cc?: string[]
  bcc?: string[]
}

export interface OutboxAttachment {
  blobSha256: string
  fileName: string
  mimeType: string
  /** Set for images the HTML shows inline (cid:). */
  contentId?: string
}

/** E-mails nobody wrote by hand: they carry Auto-Submitted and are rate-limited per address. */
export const AUTOMATIC_KINDS = ['notification', 'reminder', 'closing', 'confirmation'] as const satisfies readonly OutboxKind[]

/**
 * E-mails a customer receives: the only ones whose Message-IDs thread an answer into a
 * conversation (notifications, resets and invitations go to agents).
 */
export const CUSTOMER_FACING_KINDS = ['agent_reply', 'reminder', 'closing', 'confirmation'] as const satisfies readonly OutboxKind[]

/** Loop protection: at most this many automatic e-mails to one address in an hour. */
export const AUTOMATIC_PER_ADDRESS_PER_HOUR = 5

/**
 * An automatic e-mail (notification, reminder, closing note, confirmation), marked
 * Auto-Submitted. Over the hourly limit for its address it is not queued (returns null): two
 * robots answering each other must not run forever.
 */
export async function enqueueAutomaticEmail(tx: Tx, mailDomain: string, email: OutgoingEmail & { kind: (typeof AUTOMATIC_KINDS)[number] }) {
  const [row] = await tx.$queryRaw<{ recent: number }[]>`
    SELECT count(*)::int AS recent FROM outbox_emails
    WHERE "toAddress" = ${email.to} AND kind::text IN (${Prisma.join(AUTOMATIC_KINDS)}) AND "createdAt" > now() - interval '1 hour'`
  if ((row?.recent ?? 0) >= AUTOMATIC_PER_ADDRESS_PER_HOUR) return null
  return enqueueEmail(tx, mailDomain, { ...email, headers: { ...email.headers, 'Auto-Submitted': 'auto-generated' } })
}

/**
 * Puts an e-mail in the outbox inside the caller's transaction, so it exists exactly when the
 * change that caused it does. The Message-ID is fixed here and reused by every delivery attempt.
 */
export async function enqueueEmail(tx: Tx, mailDomain: string, email: OutgoingEmail) {
  if (!email.template && (email.html === undefined || email.text === undefined)) throw new Error('an e-mail needs its HTML and text, or a template')
  return tx.outboxEmail.create({
    data: {
      kind: email.kind,
      messageId: email.messageId ?? newMessageId(mailDomain),
      conversationId: email.conversationId,
      toAddress: email.to,
      toName:
        email.toName
          ?.replace(/[\u0000-\u001f\u007f]+/g, ' ')
          .trim()
          .slice(0, 200) || null,
      // CR/LF in a subject would let it write extra headers; a subject is one line.
      subject: email.subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
      ...(email.template ? { template: email.template, params: email.params ?? {} } : { html: email.html, text: email.text }),
      headers: email.headers ?? {},
      attachments: (email.attachments ?? []) as unknown as object[],
      ...(email.notBefore ? { nextAttemptAt: email.notBefore } : {}),
      ...(email.cc?.length ? { cc: email.cc } : {}),
      ...(email.bcc?.length ? { bcc: email.bcc } : {}),
    },
  })
}

/** The domain part of the From address, used for Message-IDs. */
export function mailDomainOf(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from)
  return m?.[1]?.toLowerCase() ?? 'localhost'
}
