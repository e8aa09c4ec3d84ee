import { Router } from 'express'
import { othersDrafting } from '../../../domain/drafts/draftQueries.ts'
import { discardDraft, saveDraft } from '../../../domain/drafts/saveDraft.ts'
import { fromZodError, ValidationError } from '../../../domain/errors.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash, flashError } from '../../middleware/flash.ts'
import { conversationNumber } from '../conversations/schema.ts'
import { visibleConversationId } from '../conversations/visibleConversation.ts'
import { draftBody, draftForm } from './schema.ts'

/** The agent's draft of a reply, kept on the server as they type (public/js/drafts.js) or by its button. */
export function draftsRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/conversations/:number/draft', requireAgent)
  router.use('/conversations/:number/drafts', requireAgent)

  // The script's autosave: JSON in, nothing out.
  router.put('/conversations/:number/draft', async (req, res) => {
    const conversationId = await visibleConversationId(ctx, req)
    const parsed = draftBody.safeParse(req.body ?? {})
    if (!parsed.success) throw fromZodError(parsed.error)
    await saveDraft(ctx.domain, req.agent!, { conversationId, ...parsed.data })
    res.status(204).end()
  })

  // "Save draft" in the reply form, without a script: back to the conversation, which shows it.
  router.post('/conversations/:number/draft', async (req, res) => {
    const number = conversationNumber(req.params)
    const conversationId = await visibleConversationId(ctx, req)
    const parsed = draftForm.safeParse(req.body ?? {})
    try {
      if (!parsed.success) throw fromZodError(parsed.error)
      const { saved } = await saveDraft(ctx.domain, req.agent!, { conversationId, ...parsed.data })
      flash(req, 'success', saved ? 'drafts.saved' : 'drafts.discarded')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      flashError(req, err)
    }
    res.redirect(303, `/conversations/${number}`)
  })

  router.post('/conversations/:number/draft/discard', async (req, res) => {
    const number = conversationNumber(req.params)
    const conversationId = await visibleConversationId(ctx, req)
    await discardDraft(ctx.domain, req.agent!, { conversationId })
    flash(req, 'success', 'drafts.discarded')
    res.redirect(303, `/conversations/${number}`)
  })

  // Who else has a draft, asked again by the page when a message arrives (a sent reply takes its draft away).
  router.get('/conversations/:number/drafts', async (req, res) => {
    const conversationId = await visibleConversationId(ctx, req)
    res.json({ others: await othersDrafting(ctx.db.prisma, req.agent!, conversationId) })
  })

  return router
}
