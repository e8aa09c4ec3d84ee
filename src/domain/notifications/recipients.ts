import type { Tx } from '../../db/database.ts'
import type { RecordedEvent } from '../events/types.ts'
import { agentsAllowedWhere } from '../policy.ts'
import type { NotificationKind } from './preferences.ts'

/** An agent to tell of an event, and what the telling quotes. */
export interface Told {
  agent: { id: number; email: string; name: string; locale: string; timeZone: string; notificationPrefs: unknown }
  kind: NotificationKind
  conversationId: number
  /** The message the notification quotes (the comment, the customer's message), if any. */
  messageId: number | null
  /** The agent who did it (who named them, who assigned it). */
  by: { id: number; name: string } | null
}

const AGENT = { id: true, email: true, name: true, locale: true, timeZone: true, notificationPrefs: true } as const

/** Of these agents, the active ones who may still read the folder: nothing of it reaches anyone else. */
const allowed = (tx: Tx, ids: number[], folderId: number) =>
  ids.length ? tx.agent.findMany({ where: { id: { in: ids }, ...agentsAllowedWhere(folderId, 'read') }, select: AGENT }) : Promise.resolve([])

const numberIn = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null)

/**
 * Who is told of an event, and as which kind: the one place that decides it, for the e-mails
 * (written in the change's transaction, src/reactions/agentNotifications.ts) and the notification
 * centre (written after commit, src/reactions/notificationCentre.ts). Each agent then chooses per
 * kind how they hear of it (preferences.ts). Nobody is told of what they did themselves.
 */
export async function whoIsTold(tx: Tx, e: RecordedEvent): Promise<Told[]> {
  if (e.conversationId === null || e.folderId === null) return []
  const conversationId = e.conversationId
  const by = async () => (e.actorAgentId === null ? null : await tx.agent.findUnique({ where: { id: e.actorAgentId }, select: { id: true, name: true } }))
  const told = (agents: Told['agent'][], kind: NotificationKind, messageId: number | null, who: Told['by'] = null): Told[] =>
    agents.filter((a) => a.id !== e.actorAgentId).map((agent) => ({ agent, kind, conversationId, messageId, by: who }))

  if (e.type === 'comment.added' && Array.isArray(e.data.mentions)) {
    const ids = e.data.mentions.map(numberIn).filter((id): id is number => id !== null && id !== e.actorAgentId)
    if (!ids.length) return []
    return told(await allowed(tx, ids, e.folderId), 'mention', numberIn(e.data.messageId), await by())
  }
  if (e.type === 'conversation.assigned') {
    const to = numberIn(e.data.to)
    if (to === null || to === e.actorAgentId) return []
    const last = await tx.message.findFirst({
      where: { conversationId, kind: { in: ['customer', 'agent'] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { id: true },
    })
    return told(await allowed(tx, [to], e.folderId), 'assigned', last?.id ?? null, await by())
  }
  if (e.type === 'message.received') {
    const messageId = numberIn(e.data.messageId)
    const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { assigneeId: true } })
    const assigneeId = conversation?.assigneeId ?? null
    // The assignee hears of it as their own conversation, not a second time as a follower.
    const followers = await tx.conversationFollower.findMany({ where: { conversationId, agentId: { not: assigneeId ?? 0 } }, select: { agentId: true } })
    const agents = await allowed(tx, [...(assigneeId === null ? [] : [assigneeId]), ...followers.map((f) => f.agentId)], e.folderId)
    return [
      ...told(
        agents.filter((a) => a.id === assigneeId),
        'customer_reply',
        messageId,
      ),
      ...told(
        agents.filter((a) => a.id !== assigneeId),
        'followed_reply',
        messageId,
      ),
    ]
  }
  // Woken by the clock (snooze.ts records it): its assignee gets it back.
  if (e.type === 'conversation.woke' && e.data.reason === 'time') {
    const assigneeId = numberIn(e.data.assigneeId)
    return assigneeId === null ? [] : told(await allowed(tx, [assigneeId], e.folderId), 'snooze_ended', null)
  }
  // A confirmed "not good" (a provisional one may be a mail scanner's): the assignee hears of it.
  if (e.type === 'rating.given' && e.data.value === 'bad' && e.data.confirmed === true) {
    const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { assigneeId: true } })
    const assigneeId = conversation?.assigneeId ?? null
    return assigneeId === null ? [] : told(await allowed(tx, [assigneeId], e.folderId), 'bad_rating', null)
  }
  return []
}
