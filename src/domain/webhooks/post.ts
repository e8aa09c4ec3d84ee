import http from 'node:http'
import https from 'node:https'
import { isIP, type Socket } from 'node:net'
import { guardedLookup, hostOf, RefusedAddressError, refusedRange } from './addresses.ts'

/** What a receiver answered (or why it could not), as the delivery log keeps it. */
export interface PostResult {
  statusCode: number | null
  /** The first bytes of the answer (RESPONSE_LIMIT). */
  body: string
  error: string | null
  durationMs: number
}

export const RESPONSE_LIMIT = 2048

const describe = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException
  return e?.code && !String(e.message).includes(e.code) ? `${e.code}: ${e.message}` : String(e?.message ?? err)
}

/**
 * POSTs a body to a webhook URL over node:http(s). Never follows a redirect (a 3xx is an answer
 * like any other, and not a success); connects only to allowed addresses, checked on the address
 * actually connected to; gives up after `timeoutMs` in all (connection, answer and body).
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const started = performance.now()
  const took = () => Math.round(performance.now() - started)
  const url = new URL(target)
  const literal = hostOf(url)
  if (!options.allowPrivate && isIP(literal) && refusedRange(literal)) {
    const refused = new RefusedAddressError(literal, refusedRange(literal)!)
    return Promise.resolve({ statusCode: null, body: '', error: refused.message, durationMs: 0 })
  }
  const send = url.protocol === 'https:' ? https.request : http.request
  return new Promise<PostResult>((resolve) => {
    let settled = false
    let statusCode: number | null = null
    const chunks: Buffer[] = []
    let size = 0
    const finish = (error: string | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ statusCode, body: Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString('utf8'), error, durationMs: took() })
    }
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // A fresh connection each time: a kept-alive socket would skip the address check.
      agent: false,
      lookup: guardedLookup(options.allowPrivate),
    })
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs)
    req.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        const address = socket.remoteAddress
        if (!options.allowPrivate && address && refusedRange(address)) req.destroy(new RefusedAddressError(address, refusedRange(address)!))
      })
    })
    req.on('response', (res) => {
      statusCode = res.statusCode ?? null
      res.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_LIMIT) chunks.push(chunk)
        size += chunk.length
        // The rest of a long answer is not read: the status and its start are what the log keeps.
        if (size >= RESPONSE_LIMIT) {
          res.destroy()
          finish(null)
        }
      })
      res.on('end', () => finish(null))
      res.on('error', (err) => finish(statusCode === null ? describe(err) : null))
      res.on('close', () => finish(null))
    })
    req.on('error', (err) => finish(describe(err)))
    req.end(body)
  })
}
