import type { NextFunction, Request, Response } from 'express'
import { countUnread } from '../../domain/notifications/notifications.ts'
import { scopeOf } from '../../domain/policy.ts'
import type { AppContext } from '../context.ts'
import { presentBell } from '../presenters/notifications.ts'

/**
 * The bell of the top bar (views/partials/head.ejs) on every agent page: its unread count is read
 * when a page renders, in one statement that stops at the cap (an index range of at most 100 rows,
 * cheaper than keeping a cache right across instances), unless the page read it already. Fragments (views under partials/) have no
 * top bar and cost nothing. A failed count leaves the bell without a number rather than fail the page.
 */
export function bell(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const agent = req.agent
    if (!agent || req.method !== 'GET') return next()
    type Callback = (err: Error, html: string) => void
    const render = res.render.bind(res) as (view: string, options?: object, callback?: Callback) => void
    res.render = ((view: string, options?: object | Callback, callback?: Callback) => {
      const go = () => (typeof options === 'function' ? render(view, {}, options as Callback) : render(view, options, callback))
      if (view.startsWith('partials/')) return go()
      // A page that read the count with its own statement (the conversation page) passes it on.
      const known = options && typeof options === 'object' ? (options as { unreadCount?: unknown }).unreadCount : undefined
      void (typeof known === 'number' ? Promise.resolve(known) : countUnread(ctx.domain, agent, scopeOf(agent)))
        .then((count) => {
          res.locals.bell = presentBell(count, { t: req.t, fmt: req.formats })
        })
        .catch(() => {
          res.locals.bell = null
        })
        .finally(go)
    }) as Response['render']
    next()
  }
}
