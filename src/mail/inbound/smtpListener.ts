import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server'
import type { Logger } from 'pino'
import type { DomainContext } from '../../domain/context.ts'
import { receiveRawMessage } from './intake.ts'
import type { IntakeQueue } from './intakeQueue.ts'

export interface SmtpListenerOptions {
  ctx: DomainContext
  /** Its workers process what the listener stores, after the 250, outside the SMTP session. */
  intake: IntakeQueue
  logger: Logger
  host: string
  port: number
  maxBytes: number
  /** Addresses ("support@example.com") and whole domains ("@example.com") mail is accepted for. */
  acceptedAddresses: string[]
  reverseDns: boolean
  maxRecipients?: number
  maxConnectionsPerClient?: number
}

export interface SmtpListener {
  port: number
  stop(): Promise<void>
}

class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message)
  }
}

/**
 * The built-in SMTP listener, for an MTA to relay to. It is never a relay itself: it accepts mail
 * only for the help desk's own addresses, and answers 250 only once the raw message is committed
 * (451 when the database is unavailable, so the sender keeps it and retries).
 *
 * Every reply after the greeting carries an enhanced status code (RFC 3463, advertised as
 * ENHANCEDSTATUSCODES), so the relay in front logs and reports what happened (dsn=5.1.1 for an
 * unknown address, 4.3.0 for a passing failure) rather than dsn=5.0.0. smtp-server adds the code
 * for the reply code of a refusal: 550 gives 5.1.1, 451 4.3.0, and the limits it enforces itself
 * give 452 4.5.3 (recipients) and 552 5.3.4 (size).
 */
export async function startSmtpListener(o: SmtpListenerOptions): Promise<SmtpListener> {
  const perClient = new Map<string, number>()
  // Only sessions that were let in count; a refused one also gets onClose.
  const counted = new Set<string>()
  const maxPerClient = o.maxConnectionsPerClient ?? 10
  const maxRecipients = o.maxRecipients ?? 50

  async function accepts(address: string): Promise<boolean> {
    const a = address.toLowerCase()
    const plain = a.replace(/\+[^@]*@/, '@')
    const domain = a.slice(a.lastIndexOf('@'))
    if (o.acceptedAddresses.some((x) => x === a || x === plain || x === domain)) return true
    // Folder addresses are managed in the app; read them live.
    return (await o.ctx.prisma.folder.count({ where: { inboundAddress: { in: [a, plain] } } })) > 0
  }

  const server = new SMTPServer({
    name: 'suivi',
    banner: 'Suivi help desk',
    // Also refuses a larger SIZE= declared at MAIL FROM (552 5.3.4).
    size: o.maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: !o.reverseDns,
    hideENHANCEDSTATUSCODES: false,
    maxRecipients,
    // An oversized message is refused with 552 5.3.4 whatever onData answers.
    rejectOversized: true,
    maxClients: 200,
    socketTimeout: 60_000,
    closeTimeout: 10_000,
    logger: false,
    onConnect(session: SMTPServerSession, callback: (err?: Error) => void) {
      const ip = session.remoteAddress
      const count = (perClient.get(ip) ?? 0) + 1
      if (count > maxPerClient) return callback(new SmtpError('Too many connections from your address, try again later', 421))
      perClient.set(ip, count)
      counted.add(session.id)
      callback()
    },
    onClose(session: SMTPServerSession) {
      if (!counted.delete(session.id)) return
      const ip = session.remoteAddress
      const count = (perClient.get(ip) ?? 1) - 1
      if (count <= 0) perClient.delete(ip)
      else perClient.set(ip, count)
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error) => void) {
      accepts(address.address).then(
        (ok) => callback(ok ? undefined : new SmtpError(`No such mailbox here: ${address.address}`, 550)),
        (err) => {
          o.logger.warn({ err }, 'SMTP listener could not check a recipient')
          callback(new SmtpError('Temporary failure, try again later', 451))
        },
      )
    },
    onData(stream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', (err) => callback(err))
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
          return callback(new SmtpError(`Message too large: at most ${o.maxBytes} bytes`, 552))
        const raw = Buffer.concat(chunks)
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null
        // 250 once the row has committed; the message is processed after it.
        receiveRawMessage(
          o.ctx,
          { source: 'smtp', raw, envelopeFrom, envelopeTo: session.envelope.rcptTo.map((r) => r.address) },
          { queue: o.intake, logger: o.logger, acknowledge: () => callback() },
        ).catch((err) => {
          o.logger.error({ err }, 'SMTP listener could not store a message; the sender will retry')
          callback(new SmtpError('Temporary failure storing the message, try again later', 451))
        })
      })
    },
  })
  server.on('error', (err) => o.logger.warn({ err }, 'SMTP listener error'))

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(o.port, o.host, () => {
      const address = server.server.address()
      resolve(typeof address === 'object' && address ? address.port : o.port)
    })
  })
  o.logger.info({ host: o.host, port }, 'SMTP listener accepting mail')
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
