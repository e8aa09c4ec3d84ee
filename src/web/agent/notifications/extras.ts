import type { Request } from 'express'
import { followState } from '../../../domain/notifications/follow.ts'
import { markConversationNotificationsRead } from '../../../domain/notifications/notifications.ts'
import type { AppContext } from '../../context.ts'

/**
 * The conversation page's Follow button (pageExtras' `notifications`, read by
 * views/partials/team/notifications-sidebar.ejs). Opening the conversation reads what the agent
 * was told of it: the bell of this page (counted when it renders) and of their other pages drops.
 */
export async function loadNotificationsExtras(ctx: AppContext, req: Request, conversation: { id: number; number: number }) {
  const agent = req.agent!
  const state = await followState(ctx.db.prisma, agent.id, conversation.id)
  if (state.unread && (await markConversationNotificationsRead(ctx.domain, agent, conversation.id)))
    ctx.events.tellAgent({ type: 'notifications.changed', agentId: agent.id })
  const base = `/conversations/${conversation.number}`
  return { following: state.following, action: `${base}/${state.following ? 'unfollow' : 'follow'}` }
}
