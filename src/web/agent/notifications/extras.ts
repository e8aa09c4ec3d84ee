import type { Request } from 'express'
import { markConversationNotificationsRead } from '../../../domain/notifications/notifications.ts'
import type { AppContext } from '../../context.ts'

/**
 * The conversation page's Follow button (pageExtras' `notifications`, read by
 * views/partials/team/notifications-sidebar.ejs). Opening the conversation reads what the agent
 * was told of it: the bell of this page and of their other pages drops. Returns whether it read any.
 */
export async function presentNotificationsExtras(
  ctx: AppContext,
  req: Request,
  conversation: { id: number; number: number },
  state: { following: boolean; unread: boolean },
) {
  const agent = req.agent!
  const read = state.unread && (await markConversationNotificationsRead(ctx.domain, agent, conversation.id))
  if (read) ctx.events.tellAgent({ type: 'notifications.changed', agentId: agent.id })
  const base = `/conversations/${conversation.number}`
  return { following: state.following, action: `${base}/${state.following ? 'unfollow' : 'follow'}`, read: Boolean(read) }
}
