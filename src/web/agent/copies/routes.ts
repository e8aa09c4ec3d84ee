import { renderConversationPage } from '../conversations/renderPage.ts'
import { Router } from 'express'
import { forwardConversation } from '../../../domain/conversations/commands/forwardConversation.ts'
import { fromZodError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { errorText, firstProblem } from '../../messages.ts'
import { conversationNumber } from '../conversations/schema.ts'
import { visibleConversationId } from '../conversations/visibleConversation.ts'
import { forwardForm } from './schema.ts'
import type { ForwardFormState } from './extras.ts'

/** Forwarding a conversation or one of its messages to any address, with a note. */
export function copiesRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/conversations', requireAgent)

  // Opened from the address bar: the conversation itself (a 404 for those who may not see it).
  router.get('/conversations/:number/forward', async (req, res) => {
    await visibleConversationId(ctx, req)
    res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
  })

  router.post('/conversations/:number/forward', async (req, res) => {
    const number = conversationNumber(req.params)
    const id = await visibleConversationId(ctx, req)
    const body = (req.body ?? {}) as Record<string, unknown>
    const values = Object.fromEntries(['to', 'note', 'messageId'].filter((k) => typeof body[k] === 'string').map((k) => [k, body[k] as string]))
    const refuse = async (error: string) => {
      res.locals.copiesForward = { values, error } satisfies ForwardFormState
      await renderConversationPage(ctx, req, res, 400, number)
    }
    const parsed = forwardForm.safeParse(body)
    if (!parsed.success) return refuse(firstProblem(req.t, fromZodError(parsed.error)))
    const form = parsed.data
    try {
      const { email } = await forwardConversation(ctx.domain, req.agent!, {
        conversationId: id,
        to: form.to,
        note: form.note,
        ...(form.messageId ? { messageId: form.messageId } : {}),
      })
      flash(req, 'success', 'copies.forward.sent', { to: [email.toAddress, ...email.cc].join(', ') })
      res.redirect(303, `/conversations/${number}`)
    } catch (err) {
      if (err instanceof ValidationError) return refuse(firstProblem(req.t, err))
      if (err instanceof NotFoundError && err.key === 'copies.forward.messageNotFound') return refuse(errorText(req.t, err))
      throw err
    }
  })

  return router
}
