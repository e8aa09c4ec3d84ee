import type { Request, Response } from 'express'
import { getConversationPage } from '../../../domain/conversations/getConversation.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { presentConversationPage } from '../../presenters/conversationPage.ts'
import { loadConversationExtras } from './pageExtras.ts'

/** What the reply form shows again: a refused reply's words, its error, a note on files to choose again. */
export type ReplyFormState = { values?: Record<string, unknown>; error?: string | null; threadChanged?: boolean; filesNote?: string | null }

/**
 * Everything views/agent/conversation.ejs reads: the page (one statement) and what the team tools
 * add to it (their loaders read the page rather than ask again for what it holds).
 */
export async function conversationView(ctx: AppContext, req: Request, number: number, form: ReplyFormState = {}) {
  const { prisma } = ctx.db
  const agent = req.agent!
  const scope = await folderScope(prisma, agent)
  const page = await getConversationPage(prisma, agent, scope, number)
  const view = presentConversationPage(page, ctx.clock(), form, page.viewers, { t: req.t, fmt: req.formats })
  const { extras, unreadCount } = await loadConversationExtras(ctx, req, page, scope)
  return { ...view, extras, unreadCount, form: { ...view.form, filesNote: form.filesNote ?? null } }
}

/** The conversation page, as loaded or as a refused form leaves it (the one way every route renders it). */
export async function renderConversationPage(ctx: AppContext, req: Request, res: Response, status: number, number: number, form: ReplyFormState = {}) {
  res.status(status).render('agent/conversation', await conversationView(ctx, req, number, form))
}
