import type { ConversationEvent } from '../../src/realtime/events.ts'
import { PASSWORD } from './factories.ts'
import { csrfFrom } from './testApp.ts'

/** Clients of the live event stream (GET /events) for tests, with plain fetch as a browser would. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Signs in through /login with plain fetch; returns the session cookie header and a CSRF token for scripts. */
export async function session(baseUrl: string, email: string, password = PASSWORD) {
  const jar = new Map<string, string>()
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const at = pair!.indexOf('=')
      jar.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
  }
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const login = await fetch(`${baseUrl}/login`)
  keep(login)
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfFrom(await login.text()), email, password }),
  })
  keep(res)
  if (res.status !== 303) throw new Error(`sign-in of ${email} failed with ${res.status}`)
  const get = (path: string) => fetch(`${baseUrl}${path}`, { headers: { cookie: cookie() } })
  let token: string | undefined
  const pageToken = async () => (token ??= await csrfFromPage('/conversations'))
  async function csrfFromPage(path: string) {
    const m = /<meta name="csrf-token" content="([^"]+)">/.exec(await (await get(path)).text())
    if (!m?.[1]) throw new Error(`no csrf-token meta on ${path}`)
    return m[1]
  }
  return {
    cookie: cookie(),
    get,
    /** What live.js does every 5 s on an open conversation page. */
    report: async (number: number, composing: boolean) =>
      fetch(`${baseUrl}/conversations/${number}/presence`, {
        method: 'POST',
        headers: { cookie: cookie(), 'content-type': 'application/json', 'x-csrf-token': await pageToken() },
        body: JSON.stringify({ composing }),
      }),
    /** What navigator.sendBeacon sends on pagehide: a form body with `_csrf`, no header. */
    leave: async (number: number) =>
      fetch(`${baseUrl}/conversations/${number}/presence/leave`, {
        method: 'POST',
        headers: { cookie: cookie() },
        body: new URLSearchParams({ _csrf: await pageToken() }),
      }),
    /** The token live.js reads from the page's meta `csrf-token`. */
    csrfFromPage,
  }
}

export interface Received {
  type: string
  data: ConversationEvent
  at: number
}

/** An EventSource-like reader of GET /events: collects every event; resolves once the stream is subscribed. */
export async function openStream(baseUrl: string, cookie: string) {
  const abort = new AbortController()
  const res = await fetch(`${baseUrl}/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal })
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/event-stream'))
    throw new Error(`GET /events answered ${res.status} ${res.headers.get('content-type')}`)
  const events: Received[] = []
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let subscribed!: () => void
  const ready = new Promise<void>((resolve) => (subscribed = resolve))
  let ended = false
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return void (ended = true)
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          // The server subscribes right after writing `retry:`: once that is read, nothing is missed.
          if (block.startsWith('retry:')) subscribed()
          let type = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length) events.push({ type, data: JSON.parse(data.join('\n')) as ConversationEvent, at: Date.now() })
        }
      }
    } catch {
      // aborted
    }
  })()
  await ready
  return {
    events,
    /** Whether the server has ended the stream. */
    get ended() {
      return ended
    },
    of(type: string, conversationId: number) {
      return events.filter((e) => e.type === type && e.data.conversationId === conversationId)
    },
    async waitFor(match: (e: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events.find(match)
        if (found) return found
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.data))}`)
        await sleep(25)
      }
    },
    async close() {
      abort.abort()
      await pump
    },
  }
}

export type Stream = Awaited<ReturnType<typeof openStream>>
