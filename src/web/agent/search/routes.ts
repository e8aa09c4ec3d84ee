import { Router, type NextFunction, type Request, type Response } from 'express'
import { listQuerySchema } from '../../../domain/conversations/listConversations.ts'
import { filterOptions, searchSuggestions } from '../../../domain/conversations/filterOptions.ts'
import { completions, lastToken, parseSearchQuery, resolveFilters, shownKey, type Completion } from '../../../domain/conversations/searchQuery.ts'
import { ValidationError } from '../../../domain/errors.ts'
import { folderScope } from '../../../domain/policy.ts'
import { deleteView, listSavedViews, saveView, viewQueryString } from '../../../domain/views/savedViews.ts'
import type { Translate } from '../../../i18n/translate.ts'
import type { AppContext } from '../../context.ts'
import { errorText, firstProblem } from '../../messages.ts'
import { requireAgent, safeNextPath } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { listHref, presentSavedViews } from '../../presenters/conversationList.ts'

/** The list's own fields of a form that saves it (the rest of the body is not a list parameter). */
const listFields = (body: Record<string, unknown> | undefined) =>
  Object.fromEntries(['tab', 'q', 'folder', 'assignee', 'tag'].map((k) => [k, body?.[k] === '' ? undefined : body?.[k]]))

/** One suggestion as the search box shows it: `value` replaces the typed text, `href` opens a page instead. */
interface Suggestion {
  kind: Completion['kind'] | 'conversation' | 'customer'
  label: string
  detail: string
  value?: string
  href?: string
}

const KEY_DETAILS = {
  from: 'list.suggest.key.from',
  status: 'list.suggest.key.status',
  tag: 'list.suggest.key.tag',
  folder: 'list.suggest.key.folder',
  assignee: 'list.suggest.key.assignee',
  before: 'list.suggest.key.before',
  after: 'list.suggest.key.after',
} as const

const VALUE_DETAILS = { tag: 'list.tag', folder: 'conversation.folder', assignee: 'conversation.assignee' } as const

function completionDetail(c: Completion, t: Translate): string {
  if (c.kind === 'key') return t(KEY_DETAILS[c.key])
  if (c.kind === 'prefix') return t('list.suggest.prefix', { prefix: c.prefix })
  if (c.status) return t(`status.${c.status}`)
  return c.key in VALUE_DETAILS ? t(VALUE_DETAILS[c.key as keyof typeof VALUE_DETAILS]) : ''
}

/** Search as typed: suggestions, the tab a typed status belongs in, and saved searches (views). */
export function searchRouter(ctx: AppContext): Router {
  const router = Router()
  const { prisma } = ctx.db

  /**
   * The agent's saved searches on the list page (one indexed read, beside the page's own
   * statements: rendering waits for it). A failure leaves them out rather than the page.
   */
  const showSavedViews = (req: Request, res: Response, next: NextFunction) => {
    const current = listQuerySchema.parse(req.query)
    const loading = listSavedViews(ctx.domain, req.agent!).then(
      (views) => presentSavedViews(views, current),
      () => null,
    )
    type Callback = (err: Error, html: string) => void
    const render = res.render.bind(res) as (view: string, options?: object, callback?: Callback) => void
    res.render = ((view: string, options?: object | Callback, callback?: Callback) => {
      void loading.then((savedViews) => {
        res.locals.savedViews = savedViews
        if (typeof options === 'function') render(view, {}, options as Callback)
        else render(view, options, callback)
      })
    }) as Response['render']
    next()
  }

  // A typed status picks its tab: "status:pending" typed on New opens Pending (several: All),
  // instead of an empty New. Before the list's own handler, which renders whatever tab is asked.
  router.get('/conversations', requireAgent, (req, res, next) => {
    const query = listQuerySchema.parse(req.query)
    const statuses = query.q ? resolveFilters(parseSearchQuery(query.q), null, req.agent!).criteria.statuses : null
    const statusTab = (['new', 'open', 'pending', 'closed'] as const).find((s) => s === query.tab)
    if (statuses && statusTab && !statuses.includes(statusTab)) {
      const tab = statuses.length === 1 ? statuses[0]! : 'all'
      return res.redirect(303, listHref({ ...query, tab, after: undefined, before: undefined }))
    }
    showSavedViews(req, res, next)
  })

  // What the search box offers for the word being typed (public/js/search.js), within the agent's
  // folders: filter keys and their values, a prefix search, conversations and customers.
  router.get('/conversations/suggestions', requireAgent, async (req, res) => {
    const agent = req.agent!
    const text = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : ''
    const { head, token } = lastToken(text)
    res.setHeader('Cache-Control', 'no-store')
    if (!token.trim()) return res.json({ suggestions: [] })
    const scope = await folderScope(prisma, agent)
    const filter = parseSearchQuery(token).filters[0]
    const plain = !/^[^\s:"]+:/.test(token) || !filter
    // A customer is looked up for plain words and for from: values.
    const word = filter?.key === 'from' ? filter.value : plain ? token.replace(/\*+$/, '') : ''
    const [names, found] = await Promise.all([filterOptions(prisma, scope), word ? searchSuggestions(prisma, scope, word) : null])
    const { t } = req
    const suggestions: Suggestion[] = completions(text, names, req.locale).map((c) => ({
      kind: c.kind,
      label: c.label,
      detail: completionDetail(c, t),
      value: c.value,
    }))
    for (const customer of found?.customers ?? []) {
      const typed = filter?.key === 'from' ? filter.typed.slice(0, filter.typed.indexOf(':')) : shownKey('from', req.locale)
      suggestions.push({ kind: 'customer', label: customer.name || customer.email, detail: customer.email, value: `${head}${typed}:${customer.email} ` })
    }
    if (plain)
      for (const c of found?.conversations ?? [])
        suggestions.push({
          kind: 'conversation',
          label: `#${c.number} ${c.subject || t('conversation.noSubject')}`,
          detail: t('list.suggest.open'),
          href: `/conversations/${c.number}`,
        })
    res.json({ suggestions })
  })

  // Saved searches. Each form address answers GET with the list (address bar, reload, new tab).
  router.get('/views', requireAgent, (_req, res) => res.redirect(303, '/conversations'))
  router.get('/views/:id/delete', requireAgent, (_req, res) => res.redirect(303, '/conversations'))

  router.post('/views', requireAgent, async (req, res) => {
    const list = listFields(req.body)
    try {
      const view = await saveView(ctx.domain, req.agent!, { name: req.body?.name, list })
      flash(req, 'success', 'views.saved', { name: view.name })
      res.redirect(303, `/conversations?${view.query}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      flash(req, 'error', 'views.saveRefused', { reason: firstProblem(req.t, err) })
      res.redirect(303, `/conversations?${viewQueryString(listQuerySchema.parse(list))}`)
    }
  })

  // Only the agent's own view: another's is "not found" (deleteView), like a hidden conversation.
  router.post('/views/:id/delete', requireAgent, async (req, res) => {
    const back = safeNextPath(req.body?.back ?? '/conversations')
    try {
      const { name } = await deleteView(ctx.domain, req.agent!, { viewId: req.params.id })
      flash(req, 'success', 'views.deleted', { name })
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      flash(req, 'error', 'views.deleteRefused', { reason: errorText(req.t, err) })
    }
    res.redirect(303, back)
  })

  return router
}
