import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import { toEmailHtml } from '../../domain/content/index.ts'
import { translator } from '../../i18n/translate.ts'
import type { MailContext } from '../mailContext.ts'
import type { RenderedEmail } from './conversationEmails.ts'
import { enqueueEmail, type OutboxAttachment } from './outbox.ts'
import { renderMail, type MailLanguage } from './templates.ts'

/**
 * A conversation (its public messages) or one message, forwarded by an agent to any addresses,
 * with the agent's note above. Written in the forward's transaction with the messages it carries
 * named by id (messages never change); rendered after commit by renderForward.
 */
export async function enqueueForward(
  tx: Tx,
  mail: MailContext,
  args: {
    conversation: { id: number; number: number; subject: string }
    /** The first is To, the others Cc: one e-mail, as a mail program forwards to several people. */
    to: string[]
    note: string
    /** The public messages forwarded, oldest first. */
    messageIds: number[]
    agent: { name: string; email: string }
    /** The agent's own language: the words around the messages are theirs. */
    language: MailLanguage
  },
) {
  const t = translator(args.language.locale)
  const subject = `Fwd: ${args.conversation.subject || t('mail.noSubject')} [#${args.conversation.number}]`
  const params: z.input<typeof forwardParams> = {
    title: subject,
    note: args.note,
    agentName: args.agent.name,
    messageIds: args.messageIds,
    mailDomain: mail.mailDomain,
    ...args.language,
  }
  const [first, ...others] = args.to
  return enqueueEmail(tx, mail.mailDomain, {
    kind: 'forward',
    to: first!,
    subject,
    conversationId: args.conversation.id,
    // An answer goes to the agent who forwarded it, not into the customer's conversation.
    headers: { 'Reply-To': args.agent.email, 'Content-Language': args.language.locale },
    template: 'forward',
    params,
    cc: others,
  })
}

const forwardParams = z.object({
  title: z.string(),
  note: z.string(),
  agentName: z.string(),
  messageIds: z.array(z.number()),
  mailDomain: z.string(),
  locale: z.string().default('en'),
  timeZone: z.string().default('UTC'),
})

/** The forward's body: the note, then each message with its sender and date, and every file the messages carry. */
export async function renderForward(tx: Tx, row: { params: unknown }): Promise<RenderedEmail> {
  const p = forwardParams.parse(row.params)
  const messages = await tx.message.findMany({
    where: { id: { in: p.messageIds }, kind: { in: ['customer', 'agent'] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      kind: true,
      bodyHtml: true,
      bodyText: true,
      createdAt: true,
      author: { select: { name: true } },
      customer: { select: { name: true, email: true } },
      attachments: { orderBy: { id: 'asc' }, select: { id: true, blobSha256: true, fileName: true, mimeType: true, inline: true } },
    },
  })
  const cid = (attachmentId: number) => `att-${attachmentId}@${p.mailDomain}`
  const attachments: OutboxAttachment[] = []
  const shown = messages.map((m) => {
    const inline = new Set(m.attachments.filter((a) => a.inline).map((a) => a.id))
    for (const a of m.attachments) {
      attachments.push({ blobSha256: a.blobSha256, fileName: a.fileName, mimeType: a.mimeType, ...(a.inline ? { contentId: cid(a.id) } : {}) })
    }
    const sender =
      m.kind === 'agent' ? (m.author?.name ?? '') : m.customer ? (m.customer.name ? `${m.customer.name} <${m.customer.email}>` : m.customer.email) : ''
    return {
      sender,
      at: m.createdAt,
      html: toEmailHtml(m.bodyHtml, (id) => (inline.has(id) ? cid(id) : null)),
      text: m.bodyText,
      files: m.attachments.filter((a) => !a.inline).map((a) => a.fileName),
    }
  })
  const content = await renderMail('forward', { title: p.title, note: p.note, agentName: p.agentName, messages: shown, locale: p.locale, timeZone: p.timeZone })
  return { ...content, attachments }
}
