import { fromRoot } from '../../paths.ts'
import path from 'node:path'
import ejs from 'ejs'

const mailViews = fromRoot('views', 'mail')

/**
 * The templates an outbox row may name to be rendered after commit (renderOutbox.ts). A list, so
 * that a name read from the database never picks another file.
 */
export const OUTBOX_TEMPLATES = ['agent-reply', 'agent-notification', 'confirmation', 'invitation', 'password-reset'] as const
export type MailTemplate = (typeof OUTBOX_TEMPLATES)[number]

/** Renders views/mail/<name>.html.ejs and <name>.text.ejs; both are escaped by default. */
export async function renderMail(name: string, data: Record<string, unknown>): Promise<{ html: string; text: string }> {
  const [html, text] = await Promise.all([
    // Compiled once per process (cache), not on every e-mail.
    ejs.renderFile(path.join(mailViews, `${name}.html.ejs`), data, { async: true, cache: true }),
    ejs.renderFile(path.join(mailViews, `${name}.text.ejs`), data, { async: true, cache: true, escape: (s: unknown) => String(s ?? '') }),
  ])
  return { html, text }
}
