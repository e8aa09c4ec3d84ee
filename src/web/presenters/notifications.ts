import type { NotificationItem } from '../../domain/notifications/notifications.ts'
import { UNREAD_COUNT_CAP } from '../../domain/notifications/notifications.ts'
import type { MessageKey } from '../../i18n/translate.ts'
import { shownTime, type Reader } from './conversationRow.ts'

/** The bell's count as it is shown ("99+") and its accessible name ("Notifications, 3 unread"). */
export function presentBell(count: number, { t, fmt }: Reader) {
  const capped = count > UNREAD_COUNT_CAP
  return {
    count,
    text: capped ? `${fmt.number(UNREAD_COUNT_CAP)}+` : fmt.number(count),
    label: capped ? t('notifications.bellMany', { count: UNREAD_COUNT_CAP }) : t('notifications.bell', { count }),
  }
}

const KIND_TEXT: Record<NotificationItem['kind'], (actor: string | null) => { key: MessageKey; values?: Record<string, string> }> = {
  mention: (actor) => ({ key: 'notifications.kind.mention', values: { name: actor ?? '?' } }),
  assigned: (actor) => (actor ? { key: 'notifications.kind.assignedBy', values: { name: actor } } : { key: 'notifications.kind.assigned' }),
  customer_reply: () => ({ key: 'notifications.kind.customer_reply' }),
  followed_reply: () => ({ key: 'notifications.kind.followed_reply' }),
  snooze_ended: () => ({ key: 'notifications.kind.snooze_ended' }),
  bad_rating: () => ({ key: 'notifications.kind.bad_rating' }),
}

/** One line of the centre or the bell's list: what happened, on which conversation, when; it links to the conversation. */
export function presentNotification(n: NotificationItem, now: Date, reader: Reader) {
  const { key, values } = KIND_TEXT[n.kind](n.actorName)
  return {
    id: n.id,
    kind: n.kind,
    read: n.read,
    text: reader.t(key, values),
    number: n.conversation.number,
    subject: n.conversation.subject || reader.t('conversation.noSubject'),
    href: `/conversations/${n.conversation.number}`,
    time: shownTime(n.createdAt, now, reader.fmt),
  }
}
export type ShownNotification = ReturnType<typeof presentNotification>
