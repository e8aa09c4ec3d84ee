import { Router, type Request, type Response } from 'express'
import { filterOptions } from '../../../domain/conversations/filterOptions.ts'
import { createConversation } from '../../../domain/conversations/commands/createConversation.ts'
import { replyAsAgent, ThreadChangedError } from '../../../domain/conversations/commands/replyAsAgent.ts'
import { addInternalComment } from '../../../domain/conversations/commands/addInternalComment.ts'
import { TooLateToWithdrawError, withdrawReply } from '../../../domain/conversations/commands/withdrawReply.ts'
import { setAfterSend } from '../../../domain/agents/profile.ts'
import { ForbiddenError, fromZodError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import { sanitizeMessageHtml } from '../../../domain/content/index.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { filesToChooseAgain, uploadedFiles } from '../../middleware/uploads.ts'
import type { AfterSend } from '../../../domain/agents/profile.ts'
import { errorText, fieldMessages, firstProblem } from '../../messages.ts'
import { conversationNumber, messageForm, newConversationForm, withdrawParams } from './schema.ts'
import { visibleConversationId } from './visibleConversation.ts'
import { renderConversationPage, type ReplyFormState } from './renderPage.ts'
import { pageAfterReply } from './afterSend.ts'

export function conversationsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  router.get('/', requireAgent, (_req, res) => res.redirect(303, '/conversations'))

  router.get('/conversations/new', async (req, res) => {
    res.render('agent/new-conversation', await newConversationView(req, {}, {}, null))
  })

  async function newConversationView(req: Request, values: Record<string, unknown>, errors: Record<string, string>, error: string | null) {
    const scope = await folderScope(prisma, req.agent!)
    const { folders, agents } = await filterOptions(prisma, scope)
    return { title: req.t('conversation.new.title'), nav: 'conversations', folders, agents, values: { mode: 'send', ...values }, errors, error }
  }

  router.post('/conversations', async (req, res) => {
    const keep = {
      ...keptValues(req.body, ['customerEmail', 'customerName', 'subject', 'folderId', 'assigneeId', 'mode', 'text']),
      html: sanitizedHtml(req.body),
    }
    const refuse = async (status: number, errors: Record<string, string>, error: string) => {
      const filesNote = filesToChooseAgain(req)
      const files = [errors.files, filesNote].filter(Boolean).join(' ')
      res.status(status).render('agent/new-conversation', await newConversationView(req, keep, files ? { ...errors, files } : errors, error))
    }
    if (req.uploadError) return refuse(413, {}, req.uploadError)
    const parsed = newConversationForm.safeParse(req.body ?? {})
    if (!parsed.success) return refuse(400, fieldMessages(req.t, bodyErrorsOnEditor(fromZodError(parsed.error).fields)), req.t('conversation.new.checkFields'))
    const form = parsed.data
    try {
      const { conversation } = await createConversation(ctx.domain, req.agent!, { ...form, files: uploadedFiles(req) })
      flash(req, 'success', form.mode === 'send' ? 'conversation.new.sent' : 'conversation.new.recorded')
      res.redirect(303, `/conversations/${conversation.number}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await refuse(400, fieldMessages(req.t, bodyErrorsOnEditor(err.fields)), errorText(req.t, err))
    }
  })

  const renderConversation = (req: Request, res: Response, status: number, number: number, form: ReplyFormState = {}) =>
    renderConversationPage(ctx, req, res, status, number, form)

  router.get('/conversations/:number', async (req, res) => {
    const number = conversationNumber(req.params)
    await renderConversation(req, res, 200, number)
  })

  // The conversation page's forms post to these addresses, and a refused reply is answered at its
  // address with what was typed still in it. Opened again from the address bar or a shared link,
  // such an address is the conversation itself (for those who may see it; a 404 for the others).
  router.get(
    [
      '/conversations/:number/messages',
      '/conversations/:number/messages/:messageId/withdraw',
      '/conversations/:number/assign',
      '/conversations/:number/move',
      '/conversations/:number/status',
      '/conversations/:number/tags',
      '/conversations/:number/tags/:tagId/remove',
    ],
    async (req, res) => {
      await visibleConversationId(ctx, req)
      res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
    },
  )

  router.post('/conversations/:number/messages', async (req, res) => {
    const number = conversationNumber(req.params)
    const id = await visibleConversationId(ctx, req)
    const values = { ...keptValues(req.body, ['type', 'text', 'statusAfter', 'afterSend', 'cc', 'bcc']), html: sanitizedHtml(req.body) }
    const refuse = (status: number, error: string, threadChanged = false) =>
      renderConversation(req, res, status, number, { values, error, threadChanged, filesNote: filesToChooseAgain(req) })
    if (req.uploadError) return refuse(413, req.uploadError)
    const parsed = messageForm.safeParse(req.body ?? {})
    if (!parsed.success) return refuse(400, firstProblem(req.t, fromZodError(parsed.error)))
    const form = parsed.data
    const agent = req.agent!
    try {
      if (form.type === 'comment') {
        await addInternalComment(ctx.domain, agent, { conversationId: id, html: form.html, text: form.text, files: uploadedFiles(req) })
        await rememberAfterSend(req, form.afterSend)
        flash(req, 'success', 'conversation.commentAdded')
        // A note is often followed by more work on the same conversation: it stays.
        return res.redirect(303, `/conversations/${number}`)
      }
      const sent = await replyAsAgent(ctx.domain, agent, {
        conversationId: id,
        html: form.html,
        text: form.text,
        statusAfter: form.statusAfter,
        seenMessageCount: form.seenMessageCount,
        holdForUndo: form.undo === '1',
        cc: form.cc,
        bcc: form.bcc,
        files: uploadedFiles(req),
      })
      const choice = await rememberAfterSend(req, form.afterSend)
      const page = await pageAfterReply(ctx, req, choice, { number, positionBefore: sent.positionBefore })
      const undo = sent.sendAfter && {
        action: `/conversations/${number}/messages/${sent.message.id}/withdraw`,
        // When the e-mail leaves (ms): the page counts down to it.
        fields: { until: String(sent.sendAfter.getTime()) },
      }
      flash(req, 'success', page.endOfList ? 'conversation.replySentEndOfList' : 'conversation.replySent', undefined, { undo })
      res.redirect(303, page.href)
    } catch (err) {
      if (err instanceof ThreadChangedError) return refuse(409, errorText(req.t, err), true)
      if (err instanceof ValidationError) return refuse(400, firstProblem(req.t, err))
      throw err
    }
  })

  /** A changed after-send choice is remembered for the agent; returns the choice in force. */
  async function rememberAfterSend(req: Request, chosen: AfterSend | undefined): Promise<AfterSend> {
    const agent = req.agent!
    const remembered = agent.afterSend ?? 'stay'
    if (!chosen || chosen === remembered) return remembered
    return setAfterSend(ctx.domain, agent, { afterSend: chosen })
  }

  // Undo send: the reply leaves the thread and its words come back into the editor, answered at
  // this address like a refused form (the text may be large: it is not parked in the session).
  router.post('/conversations/:number/messages/:messageId/withdraw', async (req, res) => {
    const params = withdrawParams.safeParse(req.params)
    if (!params.success) throw new NotFoundError()
    const { number, messageId } = params.data
    const id = await visibleConversationId(ctx, req)
    try {
      const withdrawn = await withdrawReply(ctx.domain, req.agent!, { conversationId: id, messageId })
      flash(req, 'info', 'conversation.replyWithdrawn')
      const filesNote = withdrawn.fileNames.length ? req.t('conversation.withdrawn.chooseFilesAgain', { names: withdrawn.fileNames.join(', ') }) : null
      await renderConversation(req, res, 200, number, { values: { type: 'reply', html: withdrawn.html, text: withdrawn.text }, filesNote })
    } catch (err) {
      if (!(err instanceof TooLateToWithdrawError || err instanceof ForbiddenError || (err instanceof NotFoundError && err.key === 'error.replyNotFound')))
        throw err
      flash(req, 'error', err.key, err.values)
      res.redirect(303, `/conversations/${number}`)
    }
  })

  return router
}

/** The text fields of a refused form, to fill it in again; anything that is not plain text is dropped. */
function keptValues(body: unknown, names: string[]): Record<string, string> {
  const fields = (body ?? {}) as Record<string, unknown>
  return Object.fromEntries(names.filter((name) => typeof fields[name] === 'string').map((name) => [name, fields[name] as string]))
}

/** What goes back into the editor is what would have been stored: sanitised. */
function sanitizedHtml(body: unknown): string {
  const html = (body as Record<string, unknown> | undefined)?.html
  return typeof html === 'string' && html ? sanitizeMessageHtml(html) : ''
}

/** The editor is one field on the page, whatever part of it (text or HTML) was refused. */
function bodyErrorsOnEditor<M>(fields: Record<string, M>): Record<string, M> {
  const { html, text, ...rest } = fields
  const body = rest.body ?? text ?? html
  return body ? { ...rest, body } : rest
}
