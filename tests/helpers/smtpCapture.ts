import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server'

export interface CapturedMessage {
  envelope: { mailFrom: string | null; rcptTo: string[] }
  /** The message exactly as received after DATA. */
  raw: Buffer
  parsed: ParsedMail
}

export interface SmtpCapture {
  /** Where the app should send: smtp://127.0.0.1:PORT (no TLS, no auth). */
  url: string
  port: number
  /** Every accepted message, in arrival order. */
  messages: CapturedMessage[]
  /** Closes the listener: connections are refused until restart() (an SMTP outage). */
  stop(): Promise<void>
  /** Listens again on the same port. */
  restart(): Promise<void>
  /** Refuses the next `count` messages after DATA with this reply code (4xx transient, 5xx permanent). */
  rejectNext(count: number, code?: number): void
  /** Resolves once at least `count` messages have arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>
  /** Resolves with the first message that matches; the outbox delivers in the background, in any order. */
  waitForMatch(match: (m: CapturedMessage) => boolean, timeoutMs?: number): Promise<CapturedMessage>
}

/** An SMTP server on loopback that records what it receives: the outbound tests' mail server. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = []
  let rejections: { remaining: number; code: number } = { remaining: 0, code: 550 }
  let server: SMTPServer | null = null
  let port = 0

  function createServer() {
    return new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 500,
      onData(stream: SMTPServerDataStream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', (err) => callback(err))
        stream.on('end', () => {
          if (rejections.remaining > 0) {
            rejections.remaining--
            const refusal = Object.assign(new Error(rejections.code >= 500 ? 'Mailbox unavailable (test rejection)' : 'Try again later (test rejection)'), {
              responseCode: rejections.code,
            })
            return callback(refusal)
          }
          const raw = Buffer.concat(chunks)
          simpleParser(raw, { skipImageLinks: true })
            .then((parsed) => {
              messages.push({
                envelope: {
                  mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
                  rcptTo: session.envelope.rcptTo.map((r) => r.address),
                },
                raw,
                parsed,
              })
              callback()
            })
            .catch((err: Error) => callback(err))
        })
      },
    })
  }

  async function listen() {
    const s = createServer()
    s.on('error', () => {}) // a client hanging up mid-session is not the test's concern
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        s.server.off('error', reject)
        resolve()
      })
    })
    port = (s.server.address() as AddressInfo).port
    server = s
  }

  async function close() {
    const s = server
    server = null
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  await listen()

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    stop: close,
    async restart() {
      if (server) return
      await listen()
    },
    rejectNext(count, code = 550) {
      rejections = { remaining: count, code }
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages at the SMTP capture server, got ${messages.length}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      return messages
    },
    async waitForMatch(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = messages.find(match)
        if (found) return found
        if (Date.now() > deadline) {
          const seen = messages.map((m) => `${m.envelope.rcptTo.join(',')}: ${m.parsed.subject}`)
          throw new Error(`no matching e-mail at the capture server after ${timeoutMs} ms; got: ${JSON.stringify(seen)}`)
        }
        await new Promise((r) => setTimeout(r, 20))
      }
    },
  }
}
