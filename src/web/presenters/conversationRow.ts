import type { ConversationRow } from '../../domain/conversations/listConversations.ts'
import { matchedParts, type HighlightTerms, type TextPart } from '../../domain/conversations/searchQuery.ts'
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

/** What a search marks in the rows (searchQuery.ts highlightTerms); null without a search. */
export type RowHighlight = { text: HighlightTerms; customer: HighlightTerms } | null

export function presentConversationRow(row: ConversationRow, now: Date, { t, fmt }: Reader, highlight: RowHighlight = null) {
  const subject = row.subject || t('conversation.noSubject')
  const customer = row.customerName || row.customerEmail
  // Parts of plain text, the matched ones marked: the view escapes each and wraps marked ones in <mark>.
  const parts = (text: string, terms: HighlightTerms | undefined): TextPart[] => (terms ? matchedParts(text, terms) : [{ text, mark: false }])
  return {
    subjectParts: row.subject ? parts(row.subject, highlight?.text) : [{ text: subject, mark: false }],
    snippetParts: parts(row.snippet, highlight?.text),
    customerParts: parts(customer, highlight?.customer),
    id: row.id,
    number: row.number,
    href: `/conversations/${row.number}`,
    subject,
    customer,
    customerEmail: row.customerEmail,
    snippet: row.snippet,
    status: row.status,
    assignee: row.assigneeName,
    folder: row.folderName,
    tags: row.tags,
    lastActivity: rowTime(row.lastActivityAt, now, fmt),
  }
}
