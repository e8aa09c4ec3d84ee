import type { listImapAccounts } from '../../domain/mail/imapAccounts.ts'
import { age } from './conversationRow.ts'

type Account = Awaited<ReturnType<typeof listImapAccounts>>[number]

/** One row of the IMAP accounts list: where it delivers, and how its last poll went. */
export function presentImapAccount(a: Account, now: Date) {
  return {
    id: a.id,
    label: `${a.username} on ${a.host}`,
    host: a.host,
    port: a.port,
    secure: a.secure,
    username: a.username,
    mailbox: a.mailbox,
    moveToMailbox: a.moveToMailbox,
    folderName: a.folder?.name ?? null,
    enabled: a.enabled,
    lastPolled: a.lastPolledAt
      ? {
          iso: a.lastPolledAt.toISOString(),
          label: `${a.lastPolledAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
          relative: age(a.lastPolledAt, now) === 'now' ? 'just now' : `${age(a.lastPolledAt, now)} ago`,
        }
      : null,
    lastError: a.lastError,
  }
}
