import { Router, type Request } from 'express'
import { assignConversation } from '../../../domain/conversations/commands/assignConversation.ts'
import { moveConversation } from '../../../domain/conversations/commands/moveConversation.ts'
import { addTag, removeTag } from '../../../domain/conversations/commands/tagConversation.ts'
import { setCustomerLanguage } from '../../../domain/conversations/commands/setCustomerLanguage.ts'
import { setConversationStatus } from '../../../domain/conversations/commands/setConversationStatus.ts'
import { filterOptions } from '../../../domain/conversations/filterOptions.ts'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { can, folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { answerSidebarChange, assignChange, languageChange, moveChange, statusChange, tagChange } from './sidebarChanges.ts'
import { assignForm, conversationNumber, languageForm, moveForm, statusForm, tagForm, undoFlag } from './schema.ts'

/**
 * The conversation page's sidebar: status, assignee, folder, tags and the customer's language.
 * Each action answers with what it did and how to undo it (sidebarChanges.ts): a flash after a
 * redirect for a plain form, JSON for the page's script.
 */
export function sidebarRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  /** The conversation of the URL as it is before the change (a 404 outside the agent's folders): its Undo puts this back. */
  async function current(req: Request) {
    return findVisibleConversation(prisma, await folderScope(prisma, req.agent!), conversationNumber(req.params))
  }
  /** The names of folders, tags and agents, for the message (the menus' own statement). */
  const namesFor = async (req: Request) => filterOptions(prisma, await folderScope(prisma, req.agent!))
  const hrefOf = (c: { number: number }) => `/conversations/${c.number}`
  const undoing = (req: Request) => undoFlag.parse(req.body ?? {}).undoing

  router.post('/conversations/:number/status', async (req, res) => {
    const { status } = statusForm.parse(req.body)
    const before = await current(req)
    await setConversationStatus(ctx.domain, req.agent!, { conversationId: before.id, status })
    await answerSidebarChange(ctx, req, res, before.number, statusChange(req.t, hrefOf(before), before.status, status), undoing(req))
  })

  router.post('/conversations/:number/assign', async (req, res) => {
    const { assigneeId } = assignForm.parse(req.body)
    const before = await current(req)
    await assignConversation(ctx.domain, req.agent!, { conversationId: before.id, assigneeId })
    const change = assignChange(await namesFor(req), req.agent!.id, hrefOf(before), before.assigneeId, assigneeId)
    await answerSidebarChange(ctx, req, res, before.number, change, undoing(req))
  })

  router.post('/conversations/:number/move', async (req, res) => {
    const { folderId, assigneeId } = moveForm.parse(req.body)
    const before = await current(req)
    let after = await moveConversation(ctx.domain, req.agent!, { conversationId: before.id, folderId })
    // Moved out of the agent's own folders: the page is gone for them, go back to the list.
    const stillVisible = can(req.agent!, 'read', { type: 'conversation', folderId: after.folderId })
    if (assigneeId !== undefined && stillVisible) after = await assignConversation(ctx.domain, req.agent!, { conversationId: before.id, assigneeId })
    const change = moveChange(await namesFor(req), hrefOf(before), before.number, before, after, stillVisible)
    await answerSidebarChange(ctx, req, res, before.number, change, undoing(req))
  })

  router.post('/conversations/:number/tags', async (req, res) => {
    const { tagId } = tagForm.parse(req.body)
    const before = await current(req)
    const changed = await addTag(ctx.domain, req.agent!, { conversationId: before.id, tagId })
    await answerSidebarChange(ctx, req, res, before.number, tagChange(await namesFor(req), hrefOf(before), tagId, true, changed), undoing(req))
  })

  router.post('/conversations/:number/tags/:tagId/remove', async (req, res) => {
    const { tagId } = tagForm.parse(req.params)
    const before = await current(req)
    const changed = await removeTag(ctx.domain, req.agent!, { conversationId: before.id, tagId })
    await answerSidebarChange(ctx, req, res, before.number, tagChange(await namesFor(req), hrefOf(before), tagId, false, changed), undoing(req))
  })

  router.post('/conversations/:number/language', async (req, res) => {
    const { locale } = languageForm.parse(req.body)
    const before = await current(req)
    await setCustomerLanguage(ctx.domain, req.agent!, { conversationId: before.id, locale })
    await answerSidebarChange(ctx, req, res, before.number, languageChange(locale), false)
  })

  // As the other forms' addresses (routes.ts): opened from the address bar, it is the conversation.
  router.get('/conversations/:number/language', async (req, res) => {
    res.redirect(303, hrefOf(await current(req)))
  })

  return router
}
