import { Router } from 'express'
import { assignConversation } from '../../../domain/conversations/commands/assignConversation.ts'
import { moveConversation } from '../../../domain/conversations/commands/moveConversation.ts'
import { addTag, removeTag } from '../../../domain/conversations/commands/tagConversation.ts'
import { setCustomerLanguage } from '../../../domain/conversations/commands/setCustomerLanguage.ts'
import { setConversationStatus } from '../../../domain/conversations/commands/setConversationStatus.ts'
import { can } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { assignForm, conversationNumber, languageForm, moveForm, statusForm, tagForm } from './schema.ts'
import { visibleConversationId } from './visibleConversation.ts'

/** The conversation page's sidebar: status, assignee, folder, tags and the customer's language. */
export function sidebarRouter(ctx: AppContext): Router {
  const router = Router()
  router.use('/conversations', requireAgent)

  router.post('/conversations/:number/assign', async (req, res) => {
    const { assigneeId } = assignForm.parse(req.body)
    await assignConversation(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), assigneeId })
    res.redirect(303, req.path.replace(/\/assign$/, ''))
  })

  router.post('/conversations/:number/move', async (req, res) => {
    const { folderId } = moveForm.parse(req.body)
    const conversation = await moveConversation(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), folderId })
    // Moved out of the agent's own folders: the page is gone for them, go back to the list.
    const stillVisible = can(req.agent!, 'read', { type: 'conversation', folderId: conversation.folderId })
    res.redirect(303, stillVisible ? `/conversations/${conversation.number}` : '/conversations')
  })

  router.post('/conversations/:number/tags', async (req, res) => {
    const { tagId } = tagForm.parse(req.body)
    await addTag(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), tagId })
    res.redirect(303, req.path.replace(/\/tags$/, ''))
  })

  router.post('/conversations/:number/tags/:tagId/remove', async (req, res) => {
    const { tagId } = tagForm.parse(req.params)
    await removeTag(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), tagId })
    res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
  })

  router.post('/conversations/:number/language', async (req, res) => {
    const { locale } = languageForm.parse(req.body)
    await setCustomerLanguage(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), locale })
    res.redirect(303, req.path.replace(/\/language$/, ''))
  })

  router.post('/conversations/:number/status', async (req, res) => {
    const { status } = statusForm.parse(req.body)
    await setConversationStatus(ctx.domain, req.agent!, { conversationId: await visibleConversationId(ctx, req), status })
    res.redirect(303, req.path.replace(/\/status$/, ''))
  })

  return router
}
