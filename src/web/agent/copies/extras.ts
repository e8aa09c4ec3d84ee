import type { Request } from 'express'
import type { ConversationPage } from '../../../domain/conversations/getConversation.ts'

/** What a refused forward form is filled in again with. */
export type ForwardFormState = { values: Record<string, string>; error: string }

/** The forward form lists the latest public messages; the whole conversation is always offered. */
const FORWARD_CHOICES = 100

/**
 * What the copies partials read (extras.copies): the conversation's Cc and Bcc, and the messages
 * the forward form offers, from the page already read. A refused forward form comes back with
 * what was typed.
 */
export function loadCopiesExtras(req: Request, page: ConversationPage) {
  const { conversation } = page
  const customer = conversation.customer.name || conversation.customer.email
  const author = (m: ConversationPage['messages'][number]) =>
    m.kind === 'agent' ? (m.author?.name ?? '') : m.sender ? m.sender.name || m.sender.email : customer
  return {
    cc: conversation.cc,
    bcc: conversation.bcc,
    messages: page.messages
      .filter((m) => m.kind === 'customer' || m.kind === 'agent')
      .slice(-FORWARD_CHOICES)
      .map((m) => ({ id: m.id, label: req.t('copies.forward.oneMessage', { author: author(m), date: req.formats.dateTime(m.createdAt) }) })),
    // A refused forward form leaves what was typed on its response.
    forward: (req.res?.locals.copiesForward as ForwardFormState | undefined) ?? { values: {}, error: null },
  }
}
