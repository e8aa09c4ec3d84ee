import { Router, type Request, type Response } from 'express'
import { countTabsDetailed, listConversations, listQuerySchema } from '../../../domain/conversations/listConversations.ts'
import { filterOptions } from '../../../domain/conversations/filterOptions.ts'
import { getConversationPage, findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { visibleConversationIds } from '../../../domain/conversations/visibleConversations.ts'
import { createConversation } from '../../../domain/conversations/commands/createConversation.ts'
import { replyAsAgent, ThreadChangedError } from '../../../domain/conversations/commands/replyAsAgent.ts'
import { addInternalComment } from '../../../domain/conversations/commands/addInternalComment.ts'
import { assignConversation } from '../../../domain/conversations/commands/assignConversation.ts'
import { moveConversation } from '../../../domain/conversations/commands/moveConversation.ts'
import { addTag, removeTag } from '../../../domain/conversations/commands/tagConversation.ts'
import { setCustomerLanguage } from '../../../domain/conversations/commands/setCustomerLanguage.ts'
import { closeConversation, setConversationStatus } from '../../../domain/conversations/commands/setConversationStatus.ts'
import { fromZodError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import type { Message } from '../../../i18n/translate.ts'
import { can, folderScope } from '../../../domain/policy.ts'
import { sanitizeMessageHtml } from '../../../domain/content/index.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent, safeNextPath } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { filesToChooseAgain, uploadedFiles } from '../../middleware/uploads.ts'
import { presentConversationList } from '../../presenters/conversationList.ts'
import { presentConversationPage } from '../../presenters/conversationPage.ts'
import type { Reader } from '../../presenters/conversationRow.ts'
import { errorText, fieldMessages, firstProblem } from '../../messages.ts'
import { assignForm, bulkForm, conversationNumber, messageForm, languageForm, moveForm, newConversationForm, statusForm, tagForm } from './schema.ts'

export function conversationsRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  router.get('/', requireAgent, (_req, res) => res.redirect(303, '/conversations'))

  router.get('/conversations', async (req, res) => {
    const agent = req.agent!
    const query = listQuerySchema.parse(req.query)
    const scope = await folderScope(prisma, agent)
    const [list, counts, { folders, tags, agents }] = await Promise.all([
      listConversations(prisma, agent, scope, query),
      countTabsDetailed(prisma, agent, scope, query),
      filterOptions(prisma, scope),
    ])
    // Rows another agent has open right now get the red bar (as of this load; live.js keeps it current).
    res.render(
      'agent/conversations',
      presentConversationList({ query, list, counts, folders, tags, agents, now: ctx.clock(), url: req.originalUrl, reader: reader(req) }),
    )
  })

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

  type ReplyFormState = { values?: Record<string, unknown>; error?: string | null; threadChanged?: boolean; filesNote?: string | null }

  async function renderConversation(req: Request, res: Response, status: number, number: number, form: ReplyFormState = {}) {
    const agent = req.agent!
    const scope = await folderScope(prisma, agent)
    const page = await getConversationPage(prisma, agent, scope, number)
    const view = presentConversationPage(page, ctx.clock(), form, page.viewers, reader(req))
    res.status(status).render('agent/conversation', { ...view, form: { ...view.form, filesNote: form.filesNote ?? null } })
  }

  // The list's bulk form posts here; opened again, the address is the list (before ':number' matches it).
  router.get('/conversations/bulk', (_req, res) => res.redirect(303, '/conversations'))

  router.get('/conversations/:number', async (req, res) => {
    const number = conversationNumber(req.params)
    await renderConversation(req, res, 200, number)
  })

  /** Resolves the public number to the conversation, within the agent's folders. */
  async function conversationId(req: Request) {
    const number = conversationNumber(req.params)
    const scope = await folderScope(prisma, req.agent!)
    return (await findVisibleConversation(prisma, scope, number)).id
  }

  // The conversation page's forms post to these addresses, and a refused reply is answered at its
  // address with what was typed still in it. Opened again from the address bar or a shared link,
  // such an address is the conversation itself (for those who may see it; a 404 for the others).
  router.get(
    [
      '/conversations/:number/messages',
      '/conversations/:number/assign',
      '/conversations/:number/move',
      '/conversations/:number/status',
      '/conversations/:number/tags',
      '/conversations/:number/tags/:tagId/remove',
    ],
    async (req, res) => {
      await conversationId(req)
      res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
    },
  )

  router.post('/conversations/:number/messages', async (req, res) => {
    const number = conversationNumber(req.params)
    const id = await conversationId(req)
    const values = { ...keptValues(req.body, ['type', 'text', 'statusAfter']), html: sanitizedHtml(req.body) }
    const refuse = (status: number, error: string, threadChanged = false) =>
      renderConversation(req, res, status, number, { values, error, threadChanged, filesNote: filesToChooseAgain(req) })
    if (req.uploadError) return refuse(413, req.uploadError)
    const parsed = messageForm.safeParse(req.body ?? {})
    if (!parsed.success) return refuse(400, firstProblem(req.t, fromZodError(parsed.error)))
    const form = parsed.data
    try {
      if (form.type === 'comment') {
        await addInternalComment(ctx.domain, req.agent!, { conversationId: id, html: form.html, text: form.text, files: uploadedFiles(req) })
        flash(req, 'success', 'conversation.commentAdded')
      } else {
        await replyAsAgent(ctx.domain, req.agent!, {
          conversationId: id,
          html: form.html,
          text: form.text,
          statusAfter: form.statusAfter,
          seenMessageCount: form.seenMessageCount,
          files: uploadedFiles(req),
        })
        flash(req, 'success', 'conversation.replySent')
      }
      res.redirect(303, `/conversations/${number}`)
    } catch (err) {
      if (err instanceof ThreadChangedError) return refuse(409, errorText(req.t, err), true)
      if (err instanceof ValidationError) return refuse(400, firstProblem(req.t, err))
      throw err
    }
  })

  router.post('/conversations/:number/assign', async (req, res) => {
    const { assigneeId } = assignForm.parse(req.body)
    await assignConversation(ctx.domain, req.agent!, { conversationId: await conversationId(req), assigneeId })
    res.redirect(303, req.path.replace(/\/assign$/, ''))
  })

  router.post('/conversations/:number/move', async (req, res) => {
    const { folderId } = moveForm.parse(req.body)
    const conversation = await moveConversation(ctx.domain, req.agent!, { conversationId: await conversationId(req), folderId })
    // Moved out of the agent's own folders: the page is gone for them, go back to the list.
    const stillVisible = can(req.agent!, 'read', { type: 'conversation', folderId: conversation.folderId })
    res.redirect(303, stillVisible ? `/conversations/${conversation.number}` : '/conversations')
  })

  router.post('/conversations/:number/tags', async (req, res) => {
    const { tagId } = tagForm.parse(req.body)
    await addTag(ctx.domain, req.agent!, { conversationId: await conversationId(req), tagId })
    res.redirect(303, req.path.replace(/\/tags$/, ''))
  })

  router.post('/conversations/:number/tags/:tagId/remove', async (req, res) => {
    const { tagId } = tagForm.parse(req.params)
    await removeTag(ctx.domain, req.agent!, { conversationId: await conversationId(req), tagId })
    res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
  })

  router.post('/conversations/:number/language', async (req, res) => {
    const { locale } = languageForm.parse(req.body)
    await setCustomerLanguage(ctx.domain, req.agent!, { conversationId: await conversationId(req), locale })
    res.redirect(303, req.path.replace(/\/language$/, ''))
  })

  router.post('/conversations/:number/status', async (req, res) => {
    const { status } = statusForm.parse(req.body)
    await setConversationStatus(ctx.domain, req.agent!, { conversationId: await conversationId(req), status })
    res.redirect(303, req.path.replace(/\/status$/, ''))
  })

  router.post('/conversations/bulk', async (req, res) => {
    const parsed = bulkForm.safeParse(req.body)
    const back = safeNextPath(req.body?.back ?? '/conversations')
    if (!parsed.success) {
      const refusal = fromZodError(parsed.error)
      const problem: Message = Object.values(refusal.fields)[0] ?? { key: 'list.bulk.chooseAction' }
      flash(req, 'error', problem.key, problem.values)
      return res.redirect(303, back)
    }
    const f = parsed.data
    const agent = req.agent!
    const visible = await visibleConversationIds(ctx.domain, agent, f.ids)
    if ((f.action === 'move' && !f.folderId) || (f.action === 'tag' && !f.tagId)) {
      flash(req, 'error', f.action === 'move' ? 'list.bulk.chooseFolder' : 'list.bulk.chooseTag')
      return res.redirect(303, back)
    }
    let done = 0
    const refused: string[] = []
    for (const id of visible) {
      try {
        if (f.action === 'assign') await assignConversation(ctx.domain, agent, { conversationId: id, assigneeId: f.assigneeId ?? null })
        else if (f.action === 'move') await moveConversation(ctx.domain, agent, { conversationId: id, folderId: f.folderId! })
        else if (f.action === 'tag') await addTag(ctx.domain, agent, { conversationId: id, tagId: f.tagId! })
        else await closeConversation(ctx.domain, agent, { conversationId: id })
        done++
      } catch (err) {
        // One refusal (an assignee outside that folder, say) must not stop the others.
        if (!(err instanceof ValidationError || err instanceof NotFoundError)) throw err
        // Said in the reader's language now: the summary carries it to the next page as a value.
        refused.push(errorText(req.t, err))
      }
    }
    if (refused.length) flash(req, 'error', 'list.bulk.updatedSkipped', { count: done, skipped: refused.length, reason: refused[0] })
    else flash(req, 'success', 'list.bulk.updated', { count: done })
    res.redirect(303, back)
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

/** The reader's language and formats, for the presenters. */
const reader = (req: Request): Reader => ({ t: req.t, fmt: req.formats })

/** The editor is one field on the page, whatever part of it (text or HTML) was refused. */
function bodyErrorsOnEditor<M>(fields: Record<string, M>): Record<string, M> {
  const { html, text, ...rest } = fields
  const body = rest.body ?? text ?? html
  return body ? { ...rest, body } : rest
}
