import { fromRoot } from '../../paths.ts'
import path from 'node:path'
import ejs from 'ejs'
import { isLocale, REFERENCE_LOCALE } from '../../i18n/catalogues.ts'
import { formats } from '../../i18n/format.ts'
import { translator } from '../../i18n/translate.ts'
import { richTranslator } from './richText.ts'

const mailViews = fromRoot('views', 'mail')

/**
 * The templates an outbox row may name to be rendered after commit (renderOutbox.ts). A list, so
 * that a name read from the database never picks another file.
 */
export const OUTBOX_TEMPLATES = ['agent-reply', 'agent-notification', 'confirmation', 'invitation', 'password-reset', 'forward'] as const
export type MailTemplate = (typeof OUTBOX_TEMPLATES)[number]

/** The language an e-mail is written in and the time zone its dates are shown in. */
export interface MailLanguage {
  locale: string
  timeZone: string
}

/**
 * Renders views/mail/<name>.html.ejs and <name>.text.ejs; both are escaped by default. The e-mail
 * is written in `data.locale` (else the reference language), its dates in `data.timeZone`: the
 * templates get `t` (a message), `rich` (a message with markup, for the HTML part), `fmt` (dates
 * and numbers) and `locale`.
 */
export async function renderMail(name: string, data: Record<string, unknown> & Partial<MailLanguage>): Promise<{ html: string; text: string }> {
  const locale = isLocale(data.locale) ? data.locale : REFERENCE_LOCALE
  const t = translator(locale)
  const locals = { ...data, locale, t, rich: richTranslator(t), fmt: formats(locale, typeof data.timeZone === 'string' ? data.timeZone : 'UTC') }
  const [html, text] = await Promise.all([
    // Compiled once per process (cache), not on every e-mail.
    ejs.renderFile(path.join(mailViews, `${name}.html.ejs`), locals, { async: true, cache: true }),
    ejs.renderFile(path.join(mailViews, `${name}.text.ejs`), locals, { async: true, cache: true, escape: (s: unknown) => String(s ?? '') }),
  ])
  return { html, text }
}
