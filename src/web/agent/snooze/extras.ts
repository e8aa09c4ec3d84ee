import type { Request } from 'express'
import { snoozeOf } from '../../../domain/conversations/snooze.ts'
import type { AppContext } from '../../context.ts'
import { presentSnooze } from '../../presenters/snooze.ts'

/** The conversation page's snooze notice and menu (pageExtras' `snooze`, read by views/partials/team/snooze-*.ejs), from the page's row. */
export function loadSnoozeExtras(ctx: AppContext, req: Request, conversation: Parameters<typeof snoozeOf>[0] & { number: number }) {
  return presentSnooze(snoozeOf(conversation), `/conversations/${conversation.number}`, ctx.clock(), { t: req.t, fmt: req.formats })
}
