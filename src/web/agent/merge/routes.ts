import { Router, type Request } from 'express'
import { mergeConversations } from '../../../domain/conversations/commands/mergeConversations.ts'
import { splitMessage } from '../../../domain/conversations/commands/splitMessage.ts'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash, flashError } from '../../middleware/flash.ts'
import { conversationNumber } from '../conversations/schema.ts'
import { mergeForm, splitParams } from './schema.ts'

/**
 * Merging a conversation into another of the same customer, and splitting a customer's message
 * out into a new conversation. Plain forms: a flash and a 303 to the conversation that holds the
 * result (the survivor, the new one); refused, back to where the agent was, with the reason.
 */
export function mergeRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  const visible = async (req: Request, number: number) => findVisibleConversation(prisma, await folderScope(prisma, req.agent!), number)
  const hrefOf = (number: number) => `/conversations/${number}`

  router.post('/conversations/:number/merge', async (req, res) => {
    // The source first: outside the agent's folders it is a 404, whatever the form says.
    const source = await visible(req, conversationNumber(req.params))
    const form = mergeForm.parse(req.body ?? {})
    const intoNumber = form.intoNumber ?? form.into
    if (intoNumber === undefined) {
      flash(req, 'error', 'merge.error.noTarget')
      return res.redirect(303, hrefOf(source.number))
    }
    if (!form.understand) {
      flash(req, 'error', 'merge.error.confirm')
      return res.redirect(303, hrefOf(source.number))
    }
    try {
      const target = await visible(req, intoNumber)
      await mergeConversations(ctx.domain, req.agent!, { sourceId: source.id, targetId: target.id })
      flash(req, 'success', 'merge.done', { number: source.number })
      res.redirect(303, hrefOf(target.number))
    } catch (err) {
      if (err instanceof NotFoundError && err.key === 'error.notFound') flash(req, 'error', 'merge.error.notFound', { number: intoNumber })
      else if (err instanceof ValidationError) flashError(req, err)
      else throw err
      res.redirect(303, hrefOf(source.number))
    }
  })

  router.post('/conversations/:number/messages/:messageId/split', async (req, res) => {
    const params = splitParams.safeParse(req.params)
    if (!params.success) throw new NotFoundError()
    const source = await visible(req, params.data.number)
    try {
      const { conversation } = await splitMessage(ctx.domain, req.agent!, { messageId: params.data.messageId, conversationId: source.id })
      flash(req, 'success', 'split.done', { number: conversation.number })
      res.redirect(303, hrefOf(conversation.number))
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      flashError(req, err)
      res.redirect(303, hrefOf(source.number))
    }
  })

  // As the conversation page's other form addresses: opened from the address bar, it is the conversation.
  router.get(['/conversations/:number/merge', '/conversations/:number/messages/:messageId/split'], async (req, res) => {
    res.redirect(303, hrefOf((await visible(req, conversationNumber(req.params))).number))
  })

  return router
}
