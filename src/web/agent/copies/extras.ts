import type { Request } from 'express'
import { copiesPanel } from '../../../domain/conversations/copies.ts'
import type { AppContext } from '../../context.ts'

/** What a refused forward form is filled in again with. */
export type ForwardFormState = { values: Record<string, string>; error: string }

/**
 * What the copies partials read (extras.copies): the conversation's Cc and Bcc, and the messages
 * the forward form offers. A refused forward form comes back with what was typed.
 */
export async function loadCopiesExtras(ctx: AppContext, req: Request, conversation: { id: number }) {
  const panel = await copiesPanel(ctx.db.prisma, conversation.id)
  return {
    cc: panel.cc,
    bcc: panel.bcc,
    messages: panel.messages.map((m) => ({
      id: m.id,
      label: req.t('copies.forward.oneMessage', { author: m.author, date: req.formats.dateTime(m.createdAt) }),
    })),
    // A refused forward form leaves what was typed on its response.
    forward: (req.res?.locals.copiesForward as ForwardFormState | undefined) ?? { values: {}, error: null },
  }
}
