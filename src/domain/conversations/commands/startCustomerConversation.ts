import type { DomainContext } from '../../context.ts'
import { ValidationError } from '../../errors.ts'
import { findOrCreateCustomer } from '../../customers/findOrCreateCustomer.ts'
import { loadSettings } from '../../settings/settings.ts'
import { enqueueAgentNotification, threadSubject } from '../../../mail/outbound/conversationEmails.ts'
import { enqueueAutomaticEmail } from '../../../mail/outbound/outbox.ts'
import { renderMail } from '../../../mail/outbound/templates.ts'
import { statusPageUrl } from '../../../mail/customerLinks.ts'
import { replyAddressFor } from '../../../mail/replyAddress.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordHistory } from '../history.ts'
import { assertFileSizes, prepareBody, withFoldedQuotes, type InlineImage, type UploadedFile } from '../messageBody.ts'

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
  /** E-mail the customer a confirmation with the status page link (the contact page does). */
  sendConfirmation?: boolean
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
    if (input.sendConfirmation) {
      const content = await renderMail('confirmation', { name: customer.name, number: created.number, subject: created.subject, statusUrl: statusPageUrl(ctx.mail, created.id) })
      await enqueueAutomaticEmail(tx, ctx.mail.mailDomain, {
        kind: 'confirmation',
        to: customer.email,
        subject: `We received your request: ${threadSubject(created, false)}`,
        conversationId: created.id,
        headers: { 'Reply-To': replyAddressFor(ctx.mail.supportAddress, ctx.mail.secret, created.id) },
        ...content,
      })
    }
    for (const w of watchers) {
      await enqueueAgentNotification(tx, ctx.mail, { conversation: created, to: w.email, agentName: w.name, headline: 'New conversation', excerpt: appended.message.bodyText.slice(0, 500) })
    }
    return { conversation: appended.conversation, message: appended.message, customer }
  })
  ctx.events.publish({ type: 'conversation.created', conversationId: result.conversation.id, folderId: result.conversation.folderId, messageCount: result.conversation.messageCount })
  return result
}
