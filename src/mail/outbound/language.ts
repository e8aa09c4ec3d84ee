import type { Prisma, Tx } from '../../db/database.ts'
import { isLocale, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'
import { isTimeZone } from '../../i18n/format.ts'
import type { MailLanguage } from './templates.ts'

export type { MailLanguage }

/** A language code read from the database, if it still names a catalogue; else the reference language. */
export const knownLocale = (code: string | null | undefined): string => (isLocale(code) ? code : REFERENCE_LOCALE)

const knownZone = (zone: string | null | undefined): string => (isTimeZone(zone) ? zone : 'UTC')

/**
 * The language of a conversation, the one its customer reads (e-mails, status page, answer
 * pages): the customer's own when known (detected or set by an agent), else the folder's; dates in
 * the folder's time zone.
 */
export function conversationLanguage(c: { customer: { locale: string | null }; folder: { locale: string; timeZone: string } }): MailLanguage {
  return { locale: knownLocale(c.customer.locale ?? c.folder.locale), timeZone: knownZone(c.folder.timeZone) }
}

/** What the conversationLanguage of a conversation needs, for a Prisma select. */
export const CONVERSATION_LANGUAGE_SELECT = {
  customer: { select: { locale: true } },
  folder: { select: { locale: true, timeZone: true } },
} as const

/** The language of the conversation with this id (see conversationLanguage), for pages shown to its customer. */
export async function findConversationLanguage(db: Pick<Prisma | Tx, 'conversation'>, conversationId: number): Promise<MailLanguage> {
  const c = await db.conversation.findUnique({ where: { id: conversationId }, select: CONVERSATION_LANGUAGE_SELECT })
  return c ? conversationLanguage(c) : { locale: REFERENCE_LOCALE, timeZone: 'UTC' }
}

/** An agent's own language and zone (their profile), for the e-mails they get. */
export function agentLanguage(agent: { locale: string; timeZone: string }): MailLanguage {
  return { locale: knownLocale(agent.locale), timeZone: knownZone(agent.timeZone) }
}
