import type { ConversationRow } from '../../domain/conversations/listConversations.ts'

/** "5 min", "3 h", "2 d": how long since the last activity, as list rows show it. */
export function age(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60000))
  if (minutes < 1) return 'now'
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h`
  const days = Math.floor(hours / 24)
  if (days < 365) return `${days} d`
  return `${Math.floor(days / 365)} y`
}

export function presentConversationRow(row: ConversationRow, now: Date) {
  return {
    id: row.id,
    number: row.number,
    href: `/conversations/${row.number}`,
    subject: row.subject || '(no subject)',
    customer: row.customerName || row.customerEmail,
    customerEmail: row.customerEmail,
    snippet: row.snippet,
    status: row.status,
    assignee: row.assigneeName,
    folder: row.folderName,
    tags: row.tags,
    age: age(row.lastActivityAt, now),
    lastActivityIso: row.lastActivityAt.toISOString(),
  }
}
