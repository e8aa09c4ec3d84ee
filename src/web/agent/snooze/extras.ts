import type { Request } from 'express'
import { snoozeOf } from '../../../domain/conversations/snooze.ts'
import type { AppContext } from '../../context.ts'
import { presentSnooze } from '../../presenters/snooze.ts'

/** The conversation page's snooze notice and menu (pageExtras' `snooze`, read by views/partials/team/snooze-*.ejs). */
export async function loadSnoozeExtras(ctx: AppContext, req: Request, conversation: { id: number; number: number }) {
  const state = await snoozeOf(ctx.db.prisma, conversation.id)
  return presentSnooze(state, `/conversations/${conversation.number}`, ctx.clock(), { t: req.t, fmt: req.formats })
}
