import { SYSTEM } from '../../actor.ts'
import { transaction } from '../../transaction.ts'
import type { DomainContext } from '../../context.ts'
import { findOrCreateCustomer } from '../../customers/findOrCreateCustomer.ts'
import { appendMessage } from '../appendMessage.ts'
import { joinCustomerCopies } from '../copies.ts'
import { recordConversationEvent } from '../history.ts'
import { initialStatusFields } from '../lifecycle.ts'
import { readCustomerMessage, transactionOptionsFor, type InlineImage, type UploadedFile } from '../messageBody.ts'

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
  /** The language the message was detected in (a file of locales/): kept when the customer has none yet. */
  customerLocale?: string
  /** Whom the e-mail was copied to (the help desk's own addresses left out): they become the conversation's Cc. */
  cc?: string[]
}

/** The acknowledgement's text when a folder has none of its own. */
export const DEFAULT_ACKNOWLEDGEMENT = 'Thank you for writing to us. We have received your request and will answer you by e-mail as soon as we can.'

/** At most this many acknowledgements to one address in 24 hours (besides the hourly loop limit). */
export const ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 3

/**
 * A customer writes for the first time (e-mail, contact page): a new conversation with their
 * message, status new. Agents of the folder who asked to hear of new conversations are told. The
 * help desk takes the request in (`SYSTEM`); the customer it finds or creates is its author.
 */
export async function startCustomerConversation(ctx: DomainContext, _system: typeof SYSTEM, input: StartCustomerConversationInput) {
  const files = input.files ?? []
  const body = await readCustomerMessage(ctx, { ...input, html: input.html ?? undefined }, files)

  const result = await transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      const customer = await findOrCreateCustomer(tx, input.customerEmail, input.customerName ?? '', input.customerLocale)
      const actor = { kind: 'customer' as const, customerId: customer.id }
      const created = await tx.conversation.create({
        data: {
          subject: input.subject.slice(0, 300) || '(no subject)',
          channel: input.channel,
          ...initialStatusFields(now, actor),
          folderId: input.folderId,
          customerId: customer.id,
          lastActivityAt: now,
          createdAt: now,
        },
      })
      // `acknowledge`: the customer e-mail reaction writes the acknowledgement (src/reactions).
      await recordConversationEvent(ctx, tx, created, actor, 'conversation.created', now, {
        channel: input.channel,
        ...(input.acknowledge ? { acknowledge: true } : {}),
      })
      const appended = await appendMessage(ctx, tx, {
        conversation: created,
        actor,
        kind: 'customer',
        body,
        files,
        at: now,
        customerId: customer.id,
        emailMessageId: input.emailMessageId ?? null,
        inboundId: input.inboundId ?? null,
        cc: input.cc ?? [],
      })
      const conversation = await joinCustomerCopies(
        tx,
        (type, data) => recordConversationEvent(ctx, tx, created, SYSTEM, type, now, data),
        appended.conversation,
        input.cc ?? [],
      )
      return { conversation, message: appended.message, customer }
    },
    transactionOptionsFor([...files, ...body.inlineImages]),
  )
  return result
}
