import type { Tx } from '../../../db/database.ts'
import type { Conversation, Customer } from '../../../generated/prisma/client.ts'
import type { DomainContext } from '../../context.ts'
import { ValidationError } from '../../errors.ts'
import { findOrCreateCustomer } from '../../customers/findOrCreateCustomer.ts'
import { loadSettings } from '../../settings/settings.ts'
import { enqueueAgentNotification } from '../../../mail/outbound/conversationEmails.ts'
import { enqueueAutomaticEmail } from '../../../mail/outbound/outbox.ts'
import { renderMail } from '../../../mail/outbound/templates.ts'
import { statusPageUrl } from '../../../mail/customerLinks.ts'
import { replyAddressFor } from '../../../mail/replyAddress.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { assertFileSizes, prepareBody, transactionOptionsFor, withFoldedQuotes, type InlineImage, type UploadedFile } from '../messageBody.ts'

export interface StartCustomerConversationInput {
  customerEmail: string
  customerName?: string
  subject: string
  folderId: number
  channel: 'email' | 'portal'
  html?: string | null
  text?: string
  files?: UploadedFile[]
  inlineImages?: InlineImage[]
  emailMessageId?: string | null
  inboundId?: number | null
  /**
   * Acknowledge the request by e-mail when the folder does. The caller says false for a sender
   * that is a robot (mailing list, no-reply address, empty envelope sender).
   */
  acknowledge?: boolean
}

/** The acknowledgement's text when a folder has none of its own. */
export const DEFAULT_ACKNOWLEDGEMENT = 'Thank you for writing to us. We have received your request and will answer you by e-mail as soon as we can.'

/** At most this many acknowledgements to one address in 24 hours (besides the hourly loop limit). */
export const ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 3

/**
 * Tells the customer that their request arrived, with its number and status page. The address is
 * not verified (anyone can type it in the contact form or forge a From line), so the e-mail carries
 * no text the sender chose (no name, subject or message): it cannot relay anyone's words.
 */
async function acknowledge(tx: Tx, ctx: DomainContext, conversation: Conversation, customer: Customer) {
  const folder = await tx.folder.findUniqueOrThrow({ where: { id: conversation.folderId }, select: { acknowledge: true, acknowledgementText: true, inboundAddress: true } })
  if (!folder.acknowledge || customer.undeliverableAt) return
  // Outbox rows carry the real time of writing (as the loop limit counts them), not the domain clock.
  const since = new Date(Date.now() - 24 * 3600_000)
  if ((await tx.outboxEmail.count({ where: { toAddress: customer.email, kind: 'confirmation', createdAt: { gt: since } } })) >= ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY) return
  const content = await renderMail('confirmation', { text: folder.acknowledgementText || DEFAULT_ACKNOWLEDGEMENT, number: conversation.number, statusUrl: statusPageUrl(ctx.mail, conversation.id) })
  await enqueueAutomaticEmail(tx, ctx.mail.mailDomain, {
    kind: 'confirmation',
    to: customer.email,
    subject: `We received your request [#${conversation.number}]`,
    conversationId: conversation.id,
    headers: { 'Reply-To': replyAddressFor(folder.inboundAddress || ctx.mail.supportAddress, ctx.mail.secret, conversation.id) },
    ...content,
  })
}

/**
 * A customer writes for the first time (e-mail, contact page): a new conversation with their
 * message, status new. Agents of the folder who asked to hear of new conversations are told.
 */
export async function startCustomerConversation(ctx: DomainContext, input: StartCustomerConversationInput) {
  const files = input.files ?? []
  const settings = await loadSettings(ctx.prisma)
  assertFileSizes(files, settings.attachmentMaxBytes)
  const prepared = await prepareBody({ html: input.html ?? undefined, text: input.text }, settings.attachmentMaxBytes)
  const body = withFoldedQuotes({ ...prepared, inlineImages: [...prepared.inlineImages, ...(input.inlineImages ?? [])] })
  if (!body.text.trim() && files.length === 0 && body.inlineImages.length === 0) throw new ValidationError('The message is empty', { body: 'Write a message first.' })

  const result = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const customer = await findOrCreateCustomer(tx, input.customerEmail, input.customerName ?? '')
    const actor = { kind: 'customer' as const, customerId: customer.id }
    const created = await tx.conversation.create({
      data: { subject: input.subject.slice(0, 300) || '(no subject)', channel: input.channel, status: 'new', folderId: input.folderId, customerId: customer.id, lastActivityAt: now, createdAt: now },
    })
    await recordHistory(tx, created.id, actor, 'created', now, { channel: input.channel })
    const appended = await appendMessage(tx, {
      conversation: created,
      actor,
      kind: 'customer',
      body,
      files,
      at: now,
      customerId: customer.id,
      emailMessageId: input.emailMessageId ?? null,
      inboundId: input.inboundId ?? null,
    })
    const watchers = await tx.agent.findMany({
      where: { active: true, notifyOnNewInFolder: true, OR: [{ role: 'admin' }, { folders: { some: { folderId: input.folderId } } }] },
      select: { email: true, name: true },
    })
    if (input.acknowledge) await acknowledge(tx, ctx, created, customer)
    for (const w of watchers) {
      await enqueueAgentNotification(tx, ctx.mail, { conversation: created, to: w.email, agentName: w.name, headline: 'New conversation', excerpt: appended.message.bodyText.slice(0, 500) })
    }
    return { conversation: appended.conversation, message: appended.message, customer }
  }, transactionOptionsFor([...files, ...body.inlineImages]))
  ctx.events.publish({ type: 'conversation.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}
