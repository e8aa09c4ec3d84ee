import { Router, type Request, type Response } from 'express'
import { findVisibleConversation } from '../../../domain/conversations/getConversation.ts'
import { mentionableAgents } from '../../../domain/notifications/mentions.ts'
import { followConversation, unfollowConversation } from '../../../domain/notifications/follow.ts'
import { countUnread, listNotifications, listSchema, markAllNotificationsRead, markNotificationRead } from '../../../domain/notifications/notifications.ts'
import { folderScope, scopeOf } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'
import { requireAgent } from '../../middleware/auth.ts'
import { bell } from '../../middleware/bell.ts'
import { flash } from '../../middleware/flash.ts'
import { presentBell, presentNotification } from '../../presenters/notifications.ts'
import { visibleConversationId } from '../conversations/visibleConversation.ts'
import { conversationNumber } from '../conversations/schema.ts'

/** How many notifications the bell's list shows; the centre has the rest. */
const LATEST = 10

const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json'

/**
 * The notification centre (its page, the bell's list, marking read), following conversations,
 * and the agents an internal comment may name. It also puts the bell on every agent page.
 */
export function notificationsRouter(ctx: AppContext): Router {
  const router = Router()
  router.use(bell(ctx))

  /** Every page of the agent shows the new count, whichever instance serves it. */
  const changed = (req: Request) => ctx.events.tellAgent({ type: 'notifications.changed', agentId: req.agent!.id })

  router.get('/notifications', requireAgent, async (req, res) => {
    const agent = req.agent!
    const { before } = listSchema.parse(req.query)
    const page = await listNotifications(ctx.domain, agent, scopeOf(agent), { before })
    const now = ctx.clock()
    const items = page.items.map((n) => presentNotification(n, now, { t: req.t, fmt: req.formats }))
    res.render('agent/notifications', {
      title: req.t('notifications.title'),
      nav: '',
      items,
      hasUnread: items.some((n) => !n.read),
      olderHref: page.more ? `/notifications?before=${items.at(-1)!.id}` : null,
      newestHref: before ? '/notifications' : null,
    })
  })

  // The bell's list and count, for bell.js (on open, and when the live stream says they changed).
  router.get('/notifications/latest', requireAgent, async (req, res) => {
    const agent = req.agent!
    const scope = scopeOf(agent)
    const [page, count] = await Promise.all([listNotifications(ctx.domain, agent, scope, { limit: LATEST }), countUnread(ctx.domain, agent, scope)])
    const now = ctx.clock()
    const items = page.items.map((n) => presentNotification(n, now, { t: req.t, fmt: req.formats }))
    const html = await new Promise<string>((resolve, reject) =>
      res.render('partials/notifications/latest', { items }, (err, out) => (err ? reject(err) : resolve(out))),
    )
    res.json({ ...presentBell(count, { t: req.t, fmt: req.formats }), html })
  })

  router.post('/notifications/read-all', requireAgent, async (req, res) => {
    if (await markAllNotificationsRead(ctx.domain, req.agent!)) changed(req)
    if (wantsJson(req)) return res.status(204).end()
    flash(req, 'success', 'notifications.allMarkedRead')
    res.redirect(303, '/notifications')
  })

  router.post('/notifications/:notificationId/read', requireAgent, async (req, res) => {
    if (await markNotificationRead(ctx.domain, req.agent!, { notificationId: req.params.notificationId })) changed(req)
    if (wantsJson(req)) return res.status(204).end()
    flash(req, 'success', 'notifications.markedRead')
    res.redirect(303, '/notifications')
  })

  const follow = (on: boolean) => async (req: Request, res: Response) => {
    const id = await visibleConversationId(ctx, req)
    await (on ? followConversation : unfollowConversation)(ctx.domain, req.agent!, id)
    flash(req, 'success', on ? 'notifications.follow.followed' : 'notifications.follow.unfollowed')
    res.redirect(303, `/conversations/${conversationNumber(req.params)}`)
  }
  router.post('/conversations/:number/follow', requireAgent, follow(true))
  router.post('/conversations/:number/unfollow', requireAgent, follow(false))

  // The @ picker of the editor: who may read the conversation (the only agents a comment can name).
  router.get('/conversations/:number/mentionable', requireAgent, async (req, res) => {
    const scope = await folderScope(ctx.db.prisma, req.agent!)
    const conversation = await findVisibleConversation(ctx.db.prisma, scope, conversationNumber(req.params))
    const agents = await mentionableAgents(ctx.db.prisma, conversation.folderId)
    res.json({ agents: agents.map((a) => ({ id: a.id, name: a.name, handle: a.email.split('@')[0] })) })
  })

  return router
}
