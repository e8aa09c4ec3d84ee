import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/** One request a test receiver got, with whether its signature checked out. */
export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { position: number; conversation: { id: number; number: number } | null } }
  verified: boolean
  verifyError: string | null
}

export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** What to answer next: a status (and headers), by default 204. */
  answer: (req: http.IncomingMessage, count: number) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** The secret signatures are checked with (none: not checked). */
  secret: string | null
  close(): Promise<void>
}

/** A real HTTP receiver on loopback that checks every delivery's signature with the standardwebhooks library. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: 204 }),
    secret: null,
    close: async () => {},
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let verified = false
      let verifyError: string | null = null
      if (receiver.secret) {
        try {
          new Webhook(receiver.secret).verify(body, {
            'webhook-id': String(req.headers['webhook-id']),
            'webhook-timestamp': String(req.headers['webhook-timestamp']),
            'webhook-signature': String(req.headers['webhook-signature']),
          })
          verified = true
        } catch (err) {
          verifyError = (err as Error).message
        }
      }
      let payload: Received['payload']
      try {
        payload = JSON.parse(body)
      } catch {
        payload = { type: '', timestamp: '', data: { position: 0, conversation: null } }
      }
      receiver.received.push({ path: req.url ?? '', headers: req.headers, body, payload, verified, verifyError })
      const a = receiver.answer(req, receiver.received.length)
      const reply = () => {
        res.writeHead(a.status, a.headers)
        res.end(a.body ?? '')
      }
      if (a.delayMs) setTimeout(reply, a.delayMs)
      else reply()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  receiver.port = (server.address() as AddressInfo).port
  receiver.url = `http://127.0.0.1:${receiver.port}`
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}

/** A port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
