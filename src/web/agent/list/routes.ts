import { Router, type Request, type Response } from 'express'
import {
  adjacentConversation,
  countTabsDetailed,
  listConversations,
  listQuerySchema,
  type ListPosition,
} from '../../../domain/conversations/listConversations.ts'
import { filterOptionsPart } from '../../../domain/conversations/filterOptions.ts'
import { unreadCountPart } from '../../../domain/notifications/notifications.ts'
import { readTogether } from '../../../domain/readTogether.ts'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { visibleConversationIds } from '../../../domain/conversations/visibleConversations.ts'
import { assignConversation } from '../../../domain/conversations/commands/assignConversation.ts'
import { moveConversation } from '../../../domain/conversations/commands/moveConversation.ts'
import { addTag } from '../../../domain/conversations/commands/tagConversation.ts'
import { closeConversation } from '../../../domain/conversations/commands/setConversationStatus.ts'
import { fromZodError, NotFoundError, ValidationError } from '../../../domain/errors.ts'
import type { Message } from '../../../i18n/translate.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent, safeNextPath } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { listHref, presentConversationList, presentPager, presentRows, presentTabCounts } from '../../presenters/conversationList.ts'
import { errorText } from '../../messages.ts'
import { bulkForm, conversationNumber } from '../conversations/schema.ts'
import { lastListQuery, rememberList } from './lastList.ts'
import { positionParam } from './schema.ts'

/** The conversation list: tabs, filters, pages, its live rows, bulk actions, and next/previous through it. */
export function listRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db
  router.use('/conversations', requireAgent)

  router.get('/conversations', async (req, res) => {
    const agent = req.agent!
    const query = listQuerySchema.parse(req.query)
    const scope = await folderScope(prisma, agent)
    // The menus and the bell's count share a statement (src/domain/readTogether.ts).
    const [list, counts, { menus, unreadCount }] = await Promise.all([
      listConversations(prisma, agent, scope, query),
      countTabsDetailed(prisma, agent, scope, query),
      readTogether(prisma, { menus: filterOptionsPart(scope), unreadCount: unreadCountPart(agent, scope) }),
    ])
    rememberList(req, query)
    // Rows another agent has open right now get the red bar (as of this load; live.js keeps it current).
    const { folders, tags, agents } = menus
    res.render('agent/conversations', {
      ...presentConversationList({
        query,
        list,
        counts,
        folders,
        tags,
        agents,
        now: ctx.clock(),
        url: req.originalUrl,
        reader: { t: req.t, fmt: req.formats },
      }),
      unreadCount,
    })
  })

  // The live list (list-live.js) asks for its rows again when something changes: the same page of
  // the same list, as the rows partial, with the pager and the tab counts.
  router.get('/conversations/rows', async (req, res) => {
    const agent = req.agent!
    const query = listQuerySchema.parse(req.query)
    const scope = await folderScope(prisma, agent)
    const [list, counts] = await Promise.all([listConversations(prisma, agent, scope, query), countTabsDetailed(prisma, agent, scope, query)])
    const reader = { t: req.t, fmt: req.formats }
    const pager = presentPager(query, list, counts, reader)
    const render = (view: string, locals: object) =>
      new Promise<string>((resolve, reject) => res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))))
    const [rows, pagerHtml] = await Promise.all([
      render('partials/conversation-rows', { rows: presentRows(list.rows, ctx.clock(), reader, query.q) }),
      render('partials/list-pager', { pager }),
    ])
    res.setHeader('Cache-Control', 'no-store')
    res.json({ rows, pager: pagerHtml, count: list.rows.length, counts: presentTabCounts(counts, reader) })
  })

  // "Next" goes down the remembered list (older), "previous" up (newer), from where the
  // conversation stands; the list itself at either end.
  const adjacent = (direction: 'older' | 'newer') => async (req: Request, res: Response) => {
    const agent = req.agent!
    const scope = await folderScope(prisma, agent)
    const current = await findVisibleConversation(prisma, scope, conversationNumber(req.params))
    const query = lastListQuery(req)
    const position: ListPosition = positionParam(req.query, current.id) ?? { lastActivityAt: current.lastActivityAt, id: current.id }
    const target = await adjacentConversation(prisma, agent, scope, query, position, direction)
    if (target) return res.redirect(303, `/conversations/${target.number}`)
    flash(req, 'info', direction === 'older' ? 'list.end.last' : 'list.end.first')
    res.redirect(303, listHref(query))
  }
  router.get('/conversations/:number/next', adjacent('older'))
  router.get('/conversations/:number/previous', adjacent('newer'))

  // The list's bulk form posts here; opened again, the address is the list (before ':number' matches it).
  router.get('/conversations/bulk', (_req, res) => res.redirect(303, '/conversations'))

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
