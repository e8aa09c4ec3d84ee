import type { Prisma } from '../../db/database.ts'
import { ensureDefaultFolder } from '../../domain/folders/defaultFolder.ts'
import { survivingConversationId } from '../../domain/conversations/merged.ts'
import { CUSTOMER_FACING_KINDS } from '../outbound/outbox.ts'
import { conversationFromAddress } from '../replyAddress.ts'
import type { InboundMail } from './parse.ts'

export type ThreadMatch = { conversationId: number; via: 'message-id' | 'reply-address' | 'subject-number' }

/** Every address the message was sent to: headers and SMTP envelope. */
export function recipientsOf(mail: InboundMail, envelopeTo: string[]): string[] {
  const delivered = ['delivered-to', 'x-original-to', 'envelope-to'].flatMap((h) => (mail.headers.get(h) ?? '').split(/[,\s]+/))
  const all = [...mail.to, ...mail.cc].map((m) => m.address).concat(envelopeTo, delivered)
  // A bounded list: a message to tens of thousands of recipients must still fit one query.
  // Control characters make no address (and PostgreSQL refuses NUL in text).
  return [...new Set(all.map((a) => a.replace(/^<|>$/g, '').trim().toLowerCase()).filter((a) => a.includes('@') && !/[\x00-\x1f\x7f]/.test(a)))].slice(0, 500)
}

/**
 * Finds the conversation a message continues (SPEC §5): its In-Reply-To and References against
 * the Message-IDs of messages and of e-mails sent to customers, then a signed reply address, then "[#123]" in the subject, the last
 * only when the single From mailbox is that conversation's customer.
 */
export async function findThread(prisma: Prisma, mail: InboundMail, recipients: string[], secret: string): Promise<ThreadMatch | null> {
  const match = await findThreadAsAddressed(prisma, mail, recipients, secret)
  // A merged conversation's mail (its Message-IDs, reply address, number) goes to the survivor.
  return match && { ...match, conversationId: await survivingConversationId(prisma, match.conversationId) }
}

async function findThreadAsAddressed(prisma: Prisma, mail: InboundMail, recipients: string[], secret: string): Promise<ThreadMatch | null> {
  const ids = [...new Set([mail.inReplyTo, ...[...mail.references].reverse()].filter((x): x is string => Boolean(x)))].slice(0, 50)
  if (ids.length) {
    const [messages, outbox] = await Promise.all([
      prisma.message.findMany({ where: { emailMessageId: { in: ids } }, select: { emailMessageId: true, conversationId: true } }),
      prisma.outboxEmail.findMany({
        where: { messageId: { in: ids }, conversationId: { not: null }, kind: { in: [...CUSTOMER_FACING_KINDS] } },
        select: { messageId: true, conversationId: true },
      }),
    ])
    const known = new Map<string, number>()
    for (const m of messages) known.set(m.emailMessageId!, m.conversationId)
    for (const o of outbox) if (!known.has(o.messageId)) known.set(o.messageId, o.conversationId!)
    // The most recent reference that we know wins.
    for (const id of ids) {
      const conversationId = known.get(id)
      if (conversationId !== undefined) return { conversationId, via: 'message-id' }
    }
  }
  for (const address of recipients) {
    const conversationId = conversationFromAddress(address, secret)
    if (conversationId !== null && (await prisma.conversation.count({ where: { id: conversationId } }))) return { conversationId, via: 'reply-address' }
  }
  const number = /\[#(\d{1,9})\]/.exec(mail.subject)?.[1]
  // A number is guessable: only the customer's own single From mailbox (or one the conversation
  // is copied to) vouches for it, never Sender, Reply-To, the envelope or one of several From lines.
  if (number && mail.author) {
    const c = await prisma.conversation.findUnique({
      where: { number: Number(number) },
      select: { id: true, cc: true, customer: { select: { email: true, addresses: { where: { email: mail.author.address }, select: { id: true } } } } },
    })
    // Any of the customer's addresses vouches too (customers write from several).
    if (c && (c.customer.email === mail.author.address || c.customer.addresses.length > 0 || c.cc.includes(mail.author.address)))
      return { conversationId: c.id, via: 'subject-number' }
  }
  return null
}

/** The folder that owns one of the recipient addresses (plus-tags ignored), else the default folder. */
export async function folderForRecipients(prisma: Prisma, recipients: string[]): Promise<number> {
  const plain = recipients.map((a) => a.replace(/\+[^@]*@/, '@'))
  const folder = plain.length
    ? await prisma.folder.findFirst({
        where: { inboundAddress: { in: [...new Set([...recipients, ...plain])] } },
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
      })
    : null
  return (folder ?? (await ensureDefaultFolder(prisma))).id
}

/** A subject for a new conversation: reply prefixes and our own "[#123]" tag removed. */
export function cleanSubject(subject: string): string {
  let s = subject
  for (let i = 0; i < 5; i++) s = s.replace(/^\s*((re|fwd?|aw|wg|tr|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)/i, '')
  return s.replace(/\s*\[#\d+\]\s*/g, ' ').trim() || '(no subject)'
}
