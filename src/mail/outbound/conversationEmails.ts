import type { Tx } from '../../db/database.ts'
import type { MailContext } from '../../mail/mailContext.ts'
import { toEmailHtml } from '../../domain/content/index.ts'
import { enqueueAutomaticEmail, enqueueEmail, type OutboxAttachment } from './outbox.ts'
import { renderMail } from './templates.ts'
import { replyAddressFor } from '../replyAddress.ts'
import { statusPageUrl } from '../customerLinks.ts'

interface ConversationRef {
  id: number
  number: number
  subject: string
}

/** "[#123] Subject": the number lets a reply find its conversation even without headers. */
export function threadSubject(c: ConversationRef, reply: boolean): string {
  const base = `[#${c.number}] ${c.subject || '(no subject)'}`
  return reply ? `Re: ${base}` : base
}

/** In-Reply-To and References from the e-mails already in the thread (newest last). */
async function threadHeaders(tx: Tx, conversationId: number, excludeMessageId: number): Promise<Record<string, string>> {
  const earlier = await tx.message.findMany({
    where: { conversationId, id: { not: excludeMessageId }, emailMessageId: { not: null }, kind: { in: ['customer', 'agent'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 20,
    select: { emailMessageId: true, kind: true },
  })
  if (earlier.length === 0) return {}
  const refs = earlier.map((m) => m.emailMessageId!).reverse()
  const lastCustomer = earlier.find((m) => m.kind === 'customer')?.emailMessageId
  return { 'In-Reply-To': lastCustomer ?? refs.at(-1)!, References: refs.join(' ') }
}

/** The e-mail that carries an agent's public reply to the customer. */
export async function enqueueAgentReply(
  tx: Tx,
  mail: MailContext,
  args: {
    conversation: ConversationRef
    to: string
    message: { id: number; bodyHtml: string; bodyText: string; emailMessageId: string }
    agentName: string
    signatureHtml: string
    attachments: { id: number; blobSha256: string; fileName: string; mimeType: string; inline: boolean }[]
    isFirst: boolean
    /** The folder's own inbound address, when it has one: replies then come back to it. */
    folderAddress?: string | null
  },
) {
  const cid = (attachmentId: number) => `att-${attachmentId}@${mail.mailDomain}`
  const inlineIds = new Set(args.attachments.filter((a) => a.inline).map((a) => a.id))
  const bodyHtml = toEmailHtml(args.message.bodyHtml, (id) => (inlineIds.has(id) ? cid(id) : null))
  const content = await renderMail('agent-reply', { bodyHtml, bodyText: args.message.bodyText, agentName: args.agentName, signatureHtml: args.signatureHtml, number: args.conversation.number, statusUrl: statusPageUrl(mail, args.conversation.id) })
  const attachments: OutboxAttachment[] = args.attachments.map((a) => ({
    blobSha256: a.blobSha256,
    fileName: a.fileName,
    mimeType: a.mimeType,
    ...(a.inline ? { contentId: cid(a.id) } : {}),
  }))
  return enqueueEmail(tx, mail.mailDomain, {
    kind: 'agent_reply',
    to: args.to,
    subject: threadSubject(args.conversation, !args.isFirst),
    conversationId: args.conversation.id,
    messageId: args.message.emailMessageId,
    headers: {
      ...(await threadHeaders(tx, args.conversation.id, args.message.id)),
      'Reply-To': replyAddressFor(args.folderAddress || mail.supportAddress, mail.secret, args.conversation.id),
    },
    attachments,
    ...content,
  })
}

/** Tells an agent about a conversation (assigned to them, or the customer answered). */
export async function enqueueAgentNotification(
  tx: Tx,
  mail: MailContext,
  args: { conversation: ConversationRef; to: string; agentName: string; headline: string; excerpt: string },
) {
  const link = `${mail.publicUrl}/conversations/${args.conversation.number}`
  const content = await renderMail('agent-notification', { ...args, link, subject: args.conversation.subject, number: args.conversation.number })
  return enqueueAutomaticEmail(tx, mail.mailDomain, {
    kind: 'notification',
    to: args.to,
    subject: `${args.headline}: ${threadSubject(args.conversation, false)}`,
    conversationId: args.conversation.id,
    ...content,
  })
}
