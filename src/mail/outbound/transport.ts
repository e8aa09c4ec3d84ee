import { rootCertificates } from 'node:tls'
import nodemailer from 'nodemailer'
import type { SMTPSentMessageInfo, SMTPTransportOptions, Transporter } from 'nodemailer'
import type { DkimSettings } from '../../config.ts'

/** What the delivery pass sends through: nodemailer's SMTP transporter (or a compatible one in tests). */
export type MailTransport = Transporter<SMTPSentMessageInfo, SMTPTransportOptions>

export interface SmtpTransportSettings {
  /** How the relay's certificate is checked, for STARTTLS and smtps:// alike (config SMTP_TLS_*). */
  tls?: { ca?: string; rejectUnauthorized?: boolean }
  /** Signs every message (config DKIM_*). */
  dkim?: DkimSettings | null
}

/**
 * The SMTP transport for outgoing mail, or null when no SMTP server is configured: mail then
 * stays in the outbox, where admins can read it.
 *
 * A small pool of connections: a new connection per message costs about 100 ms, which caps a
 * worker near 10 e-mails a second; nodemailer's pool reconnects when the server drops an idle
 * connection. Timeouts are short so that a dead server fails one attempt in seconds, well inside
 * the row's lock.
 */
export function createSmtpTransport(smtpUrl: string | undefined, settings: SmtpTransportSettings = {}): MailTransport | null {
  if (!smtpUrl) return null
  let protocol: string
  try {
    protocol = new URL(smtpUrl).protocol
  } catch {
    throw new Error('SMTP_URL is not a valid URL')
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new Error('SMTP_URL must start with smtp:// or smtps://')
  const { tls, dkim } = settings
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 3,
    maxMessages: 100,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    dnsTimeout: 10_000,
    tls: {
      // The given CA is trusted besides the public ones, so a relay that later gets a public
      // certificate keeps working.
      ...(tls?.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    },
    ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: dkim.privateKey } } : {}),
    // The content of a message is ours: never let it make nodemailer read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  })
}
