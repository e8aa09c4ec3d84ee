import { renderConversationPage } from '../conversations/renderPage.ts'
import { Router, type Request, type Response } from 'express'
import { htmlToText, sanitizeMessageHtml } from '../../../domain/content/index.ts'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { FieldConflictError } from '../../../domain/folders/manageFolders.ts'
import { folderScope } from '../../../domain/policy.ts'
import { createSavedReply, deleteSavedReply, SAVED_REPLY_NAME_MAX, updateSavedReply } from '../../../domain/savedReplies/manageSavedReplies.ts'
import { findManageableSavedReply, listSavedReplies, savedRepliesForFolder, savedReplyScopes } from '../../../domain/savedReplies/savedReplyQueries.ts'
import { useSavedReply } from '../../../domain/savedReplies/useSavedReply.ts'
import type { MessageKey, Translate } from '../../../i18n/translate.ts'
import { SAVED_REPLY_VARIABLES, type SavedReplyVariable } from '../../../domain/savedReplies/variables.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { filesToChooseAgain } from '../../middleware/uploads.ts'
import { errorText, fieldMessages } from '../../messages.ts'
import { conversationNumber } from '../conversations/schema.ts'
import { insertForm, replyFormValues, savedReplyFormValues, savedReplyIdOf } from './schema.ts'

type FormValues = ReturnType<typeof savedReplyFormValues>

/** What each variable stands for, as the form explains it. */
const VARIABLE_HELP: Record<SavedReplyVariable, MessageKey> = {
  'customer.firstName': 'savedReplies.variable.customerFirstName',
  'customer.name': 'savedReplies.variable.customerName',
  'agent.name': 'savedReplies.variable.agentName',
  'agent.firstName': 'savedReplies.variable.agentFirstName',
  'conversation.number': 'savedReplies.variable.conversationNumber',
  'conversation.statusLink': 'savedReplies.variable.statusLink',
}

/** Field messages of a refused form; a message without a field goes on the text. */
function formErrors(t: Translate, err: unknown): { errors: Record<string, string>; status: number } | null {
  if (err instanceof FieldConflictError) return { errors: { [err.field]: errorText(t, err) }, status: 409 }
  if (err instanceof ValidationError)
    return { errors: Object.keys(err.fields).length ? fieldMessages(t, err.fields) : { body: errorText(t, err) }, status: 400 }
  if (err instanceof ConflictError) return { errors: { name: errorText(t, err) }, status: 409 }
  return null
}

/**
 * Saved replies: the page that lists and edits them (/saved-replies), the picker's list for a
 * conversation (JSON), and inserting one into a conversation's reply (JSON for the picker, the
 * conversation page again with the editor filled when JavaScript is off).
 */
export function savedRepliesRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/saved-replies', requireAgent)

  router.get('/saved-replies', async (req, res) => {
    const [replies, scopes] = await Promise.all([listSavedReplies(ctx.domain, req.agent!), savedReplyScopes(ctx.domain, req.agent!)])
    res.render('agent/saved-replies', {
      title: req.t('savedReplies.title'),
      nav: 'savedReplies',
      replies: replies.map((r) => ({ ...r, uses: req.formats.number(r.useCount), href: `/saved-replies/${r.id}` })),
      canCreate: scopes.shared || scopes.folders.length > 0,
      showSharedNote: !scopes.shared && replies.some((r) => r.folderId === null),
    })
  })

  async function renderForm(req: Request, res: Response, status: number, form: { id?: number; values: FormValues; errors?: Record<string, string> }) {
    const scopes = await savedReplyScopes(ctx.domain, req.agent!)
    res.status(status).render('agent/saved-replies-form', {
      title: form.id ? req.t('savedReplies.editTitle', { name: form.values.name }) : req.t('savedReplies.new'),
      nav: 'savedReplies',
      action: form.id ? `/saved-replies/${form.id}` : '/saved-replies',
      editing: Boolean(form.id),
      nameMax: SAVED_REPLY_NAME_MAX,
      scopes,
      values: form.values,
      errors: form.errors ?? {},
      variables: SAVED_REPLY_VARIABLES.map((name) => ({ code: `{{${name}}}`, description: req.t(VARIABLE_HELP[name]) })),
    })
  }

  router.get('/saved-replies/new', async (req, res) => {
    const scopes = await savedReplyScopes(ctx.domain, req.agent!)
    if (!scopes.shared && scopes.folders.length === 0) throw new ForbiddenError()
    // An agent files replies in their first folder unless they choose another; admins share them by default.
    const folderId = scopes.shared ? '' : String(scopes.folders[0]!.id)
    await renderForm(req, res, 200, { values: { name: '', folderId, html: '', text: '' } })
  })

  router.post('/saved-replies', async (req, res) => {
    const values = savedReplyFormValues(req.body)
    try {
      const reply = await createSavedReply(ctx.domain, req.agent!, values)
      flash(req, 'success', 'savedReplies.created', { name: reply.name })
      res.redirect(303, '/saved-replies')
    } catch (err) {
      const refused = formErrors(req.t, err)
      if (!refused) throw err
      await renderForm(req, res, refused.status, { values: { ...values, html: sanitizedOrEmpty(values.html) }, errors: refused.errors })
    }
  })

  router.get('/saved-replies/:savedReplyId', async (req, res) => {
    const reply = await findManageableSavedReply(ctx.domain, req.agent!, { savedReplyId: savedReplyIdOf(req.params) })
    if (!reply.canManage) throw new ForbiddenError()
    // Without JavaScript the textarea shows the text; with it, the editor shows the HTML.
    const values = { name: reply.name, folderId: reply.folderId === null ? '' : String(reply.folderId), html: reply.bodyHtml, text: htmlToText(reply.bodyHtml) }
    await renderForm(req, res, 200, { id: reply.id, values })
  })

  router.post('/saved-replies/:savedReplyId', async (req, res) => {
    const savedReplyId = savedReplyIdOf(req.params)
    const values = savedReplyFormValues(req.body)
    try {
      const reply = await updateSavedReply(ctx.domain, req.agent!, { ...values, savedReplyId })
      flash(req, 'success', 'savedReplies.saved', { name: reply.name })
      res.redirect(303, '/saved-replies')
    } catch (err) {
      const refused = formErrors(req.t, err)
      if (!refused) throw err
      await renderForm(req, res, refused.status, { id: savedReplyId, values: { ...values, html: sanitizedOrEmpty(values.html) }, errors: refused.errors })
    }
  })

  router.post('/saved-replies/:savedReplyId/delete', async (req, res) => {
    const { name } = await deleteSavedReply(ctx.domain, req.agent!, { savedReplyId: savedReplyIdOf(req.params) })
    flash(req, 'success', 'savedReplies.deleted', { name })
    res.redirect(303, '/saved-replies')
  })

  /** The conversation of the URL, within the agent's folders (a 404 otherwise). */
  async function visibleConversation(req: Request) {
    return findVisibleConversation(prisma, await folderScope(prisma, req.agent!), conversationNumber(req.params))
  }

  // The picker's list: what may be inserted in this conversation, by name, with a preview.
  router.get('/saved-replies/for/:number', async (req, res) => {
    const conversation = await visibleConversation(req)
    const replies = await savedRepliesForFolder(ctx.domain, req.agent!, conversation.folderId)
    res.json({ savedReplies: replies })
  })

  // Opened again from the address bar, the insert address is the conversation itself.
  router.get('/conversations/:number/saved-replies', async (req, res) => {
    const conversation = await visibleConversation(req)
    res.redirect(303, `/conversations/${conversation.number}`)
  })

  router.post('/conversations/:number/saved-replies', async (req, res) => {
    const conversation = await visibleConversation(req)
    const parsed = insertForm.safeParse(req.body ?? {})
    const wantsJson = req.accepts(['html', 'json']) === 'json'
    const typed = replyFormValues(req.body)
    if (!parsed.success) {
      if (wantsJson) throw new NotFoundError('error.savedReplyNotFound')
      // Nothing chosen: the page again, with what was typed still in the editor.
      return renderConversation(req, res, 400, conversation.number, { ...typed, html: sanitizedOrEmpty(typed.html) }, req.t('savedReplies.choose'))
    }
    const used = await useSavedReply(ctx.domain, req.agent!, { conversationId: conversation.id, savedReplyId: parsed.data.savedReplyId })
    if (wantsJson) return res.json({ html: used.html, name: used.name })
    flash(req, 'success', 'savedReplies.inserted', { name: used.name })
    await renderConversation(req, res, 200, conversation.number, appendToReply(typed, used.html))
  })

  /** The conversation page with the reply form holding `values` (as its own routes render a refused reply). */
  function renderConversation(req: Request, res: Response, status: number, number: number, values: Record<string, string>, error: string | null = null) {
    return renderConversationPage(ctx, req, res, status, number, { values, error, filesNote: filesToChooseAgain(req) })
  }

  return router
}

/** HTML that goes back into an editor is what would be stored: sanitised. */
const sanitizedOrEmpty = (html: string | undefined) => (html ? sanitizeMessageHtml(html) : '')

/**
 * The saved reply added after what was typed. A form sent by the rich editor carries HTML; one
 * sent without JavaScript carries the textarea's text, which gets the reply as text.
 */
function appendToReply(typed: Record<string, string>, html: string): Record<string, string> {
  const typedHtml = sanitizedOrEmpty(typed.html)
  if (typedHtml && !typed.text?.trim()) return { ...typed, html: typedHtml + html, text: '' }
  const before = typed.text?.trimEnd() ?? ''
  return { ...typed, html: '', text: before ? `${before}\n\n${htmlToText(html)}` : htmlToText(html) }
}
