/** What every e-mail the help desk writes needs to know. */
export interface MailContext {
  publicUrl: string
  /** Names Message-IDs: <uuid@mailDomain>. */
  mailDomain: string
  /** The address e-mails come from (and replies go back to), e.g. support@example.com. */
  supportAddress: string
  /** Signs reply addresses and customer links. */
  secret: string
}
