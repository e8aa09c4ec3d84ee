import { Router } from 'express'
import { z } from 'zod'
import { solvingReply } from '../../../domain/conversations/similarConversations.ts'
import { getDraft } from '../../../domain/drafts/draftQueries.ts'
import { saveDraft } from '../../../domain/drafts/saveDraft.ts'
import { NotFoundError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { visibleConversationId } from '../conversations/visibleConversation.ts'
import { loadSimilarExtras } from './extras.ts'

const id = z.coerce.number().int().positive().max(2_147_483_647)
const reuseParams = z.object({ number: id, otherNumber: id })
const listParams = z.object({ number: id })

/** "Use this reply" of the similar conversations: the reply that solved another one becomes the agent's draft here. */
export function similarRouter(ctx: AppContext): Router {
  const router = Router()

  // The list alone, for the sidebar card to fetch when it comes into view.
  router.get('/conversations/:number/similar', requireAgent, async (req, res) => {
    const params = listParams.safeParse(req.params)
    if (!params.success) throw new NotFoundError()
    const conversationId = await visibleConversationId(ctx, req)
    const scope = await folderScope(ctx.db.prisma, req.agent!)
    const items = await loadSimilarExtras(ctx, req, { id: conversationId, number: params.data.number }, scope)
    res.render('partials/team/similar-list', { items })
  })

  // Without a script: the reply joins the agent's draft (after what they had written), and the page opens with it in the editor.
  router.post('/conversations/:number/similar/:otherNumber/reuse', requireAgent, async (req, res) => {
    const params = reuseParams.safeParse(req.params)
    if (!params.success) throw new NotFoundError()
    const { number, otherNumber } = params.data
    const conversationId = await visibleConversationId(ctx, req)
    const agent = req.agent!
    const reply = await solvingReply(ctx.db.prisma, await folderScope(ctx.db.prisma, agent), otherNumber)
    if (!reply) throw new NotFoundError()
    const draft = await getDraft(ctx.db.prisma, agent, conversationId)
    await saveDraft(ctx.domain, agent, {
      conversationId,
      html: draft?.html ? `${draft.html}${reply.html}` : reply.html,
      text: draft?.text ? `${draft.text}\n\n${reply.text}` : reply.text,
    })
    flash(req, 'success', 'similar.reused')
    res.redirect(303, `/conversations/${number}`)
  })

  return router
}
