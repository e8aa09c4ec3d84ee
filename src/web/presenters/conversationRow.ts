import type { ConversationRow } from '../../domain/conversations/listConversations.ts'
import type { Formats } from '../../i18n/format.ts'
import type { Translate } from '../../i18n/translate.ts'

/** What a presenter needs of its reader: the texts of their language, and dates and numbers in their language and zone. */
export interface Reader {
  t: Translate
  fmt: Formats
}

/** A moment as pages show it: relative ("3 hr. ago", "il y a 3 h"), in full on hover, and ISO for the `datetime` attribute. */
export interface ShownTime {
  iso: string
  full: string
  ago: string
}

export function shownTime(at: Date, now: Date, fmt: Formats): ShownTime {
  return { iso: at.toISOString(), full: fmt.full(at), ago: fmt.relative(at, now) }
}

/** The same for a list row: the date and time to the minute on hover, as fifty rows of full dates cost a list page 10 %. */
function rowTime(at: Date, now: Date, fmt: Formats): ShownTime {
  return { iso: at.toISOString(), full: fmt.dateTime(at), ago: fmt.relative(at, now) }
}

export function presentConversationRow(row: ConversationRow, now: Date, { t, fmt }: Reader) {
  return {
    id: row.id,
    number: row.number,
    href: `/conversations/${row.number}`,
    subject: row.subject || t('conversation.noSubject'),
    customer: row.customerName || row.customerEmail,
    customerEmail: row.customerEmail,
    snippet: row.snippet,
    status: row.status,
    assignee: row.assigneeName,
    folder: row.folderName,
    tags: row.tags,
    lastActivity: rowTime(row.lastActivityAt, now, fmt),
  }
}
