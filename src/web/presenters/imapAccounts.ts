import type { listImapAccounts } from '../../domain/mail/imapAccounts.ts'
import type { Formats } from '../../i18n/format.ts'
import type { Translate } from '../../i18n/translate.ts'

type Account = Awaited<ReturnType<typeof listImapAccounts>>[number]

/** One row of the IMAP accounts list: where it delivers, and how its last poll went. */
export function presentImapAccount(a: Account, now: Date, t: Translate, fmt: Formats) {
  return {
    id: a.id,
    label: t('admin.imap.label', { username: a.username, host: a.host }),
    host: a.host,
    port: a.port,
    secure: a.secure,
    username: a.username,
    mailbox: a.mailbox,
    moveToMailbox: a.moveToMailbox,
    folderName: a.folder?.name ?? null,
    enabled: a.enabled,
    // Relative ("3 min. ago"), with the full date and time on hover.
    lastPolled: a.lastPolledAt ? { iso: a.lastPolledAt.toISOString(), full: fmt.full(a.lastPolledAt), relative: fmt.relative(a.lastPolledAt, now) } : null,
    lastError: a.lastError,
  }
}
