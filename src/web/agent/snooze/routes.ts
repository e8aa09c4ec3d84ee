import { Router, type Request } from 'express'
import { snoozeConversation, wakeConversation } from '../../../domain/conversations/commands/snoozeConversation.ts'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { parseLocalDateTime, snoozePresets } from '../../../domain/conversations/snoozeTimes.ts'
import { ValidationError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash, flashError } from '../../middleware/flash.ts'
import { snoozeMoment } from '../../presenters/snooze.ts'
import { conversationNumber } from '../conversations/schema.ts'
import { snoozeForm, type SnoozeForm } from './schema.ts'

/** The moment a menu choice names, as of now in the agent's zone; undefined: no moment could be read. */
function chosenMoment(form: SnoozeForm, now: Date, zone: string): Date | null | undefined {
  if (form.when === 'customer') return null
  if (form.when === 'custom') return parseLocalDateTime(form.at, zone) ?? undefined
  return snoozePresets(now, zone)[form.when]
}

/** Snooze and Unsnooze on the conversation page: plain forms, answered with a flash on the page. */
export function snoozeRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  /** The conversation of the URL (a 404 outside the agent's folders). */
  const current = async (req: Request) => findVisibleConversation(prisma, await folderScope(prisma, req.agent!), conversationNumber(req.params))

  router.post('/conversations/:number/snooze', async (req, res) => {
    const conversation = await current(req)
    const back = `/conversations/${conversation.number}`
    const parsed = snoozeForm.safeParse(req.body ?? {})
    const now = ctx.clock()
    const until = parsed.success ? chosenMoment(parsed.data, now, req.formats.timeZone) : undefined
    if (until === undefined) {
      flash(req, 'error', 'error.snooze.choose')
      return res.redirect(303, back)
    }
    try {
      await snoozeConversation(ctx.domain, req.agent!, { conversationId: conversation.id, until })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      flashError(req, err)
      return res.redirect(303, back)
    }
    if (until) flash(req, 'success', 'snooze.flash.snoozed', { time: snoozeMoment(until, now, req.formats) })
    else flash(req, 'success', 'snooze.flash.snoozedUntilAnswer')
    res.redirect(303, back)
  })

  router.post('/conversations/:number/unsnooze', async (req, res) => {
    const conversation = await current(req)
    await wakeConversation(ctx.domain, req.agent!, { conversationId: conversation.id, reason: 'agent' })
    flash(req, 'success', 'snooze.flash.woke')
    res.redirect(303, `/conversations/${conversation.number}`)
  })

  return router
}
