// Soak test: a mixed load on loopback for a while, then counts rows in and out.
//
//   npm run soak -- [--seconds 600] [--agents 4] [--customers 40] [--mail-rate 2] [--sweep-every 5]
//                   [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--json out.json]
//                   [--rss-limit-mb 40] [--keep-database] [--verbose]
//
// The app runs as a child process (this file with --serve) on a FRESH database created on the given
// PostgreSQL server (dropped at the end unless --keep-database). The driver (this process):
//   - signs in agents who browse the list (tabs, folders, search), open conversations, reply,
//     comment, assign and report presence, with the CSRF tokens of the pages, and keep /events open;
//   - sends customer e-mail to the app's SMTP listener: new conversations and replies to the
//     e-mails the app sent (to their Reply-To, with In-Reply-To);
//   - runs the lifecycle sweep every few seconds in the app process, after moving the app's clock
//     forward by 24 days (so that pending conversations get their reminder at the next sweep and
//     are closed at the one after);
//   - receives the app's outgoing mail on an SMTP server of its own and counts it by Message-ID;
//   - samples the app process's memory every second.
// At the end it waits for the queues to empty and compares: e-mails accepted by the listener vs
// inbound rows vs messages created; replies/comments answered 303 vs rows; outbox rows vs e-mails
// received; sweep results vs reminder/closing e-mails. Exit code 1 on any 5xx, any loss or
// duplicate, a crash of the app, or memory growth over the limit after the warm-up. Memory: RSS
// "after warm-up" and "end" are medians of the first and last quarter of the per-second samples
// after the warm-up (a third of the run, 10–60 s); the heap after a forced GC at both ends is
// reported too (the finer leak signal).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import nodemailer from 'nodemailer'
import pg from 'pg'
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server'

const SELF = fileURLToPath(import.meta.url)
const ROOT = path.resolve(path.dirname(SELF), '..')
const DAY_MS = 24 * 60 * 60 * 1000
const PASSWORD = 'soak password 1234'
const SUPPORT = 'help@soak.example'
const BILLING = 'billing@soak.example'
const WORDS = ['invoice', 'password', 'refund', 'delivery', 'login', 'parcel', 'upgrade', 'billing', 'error', 'account', 'printer', 'warranty']
const TABS = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned']

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo)
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

// ---- The app process (--serve) -------------------------------------------------------------------

type Op = { op: 'sweep'; advanceMs: number } | { op: 'mem'; gc?: boolean } | { op: 'drain' } | { op: 'stop' }
type Request = Op & { id: number }

async function serve() {
  const { loadConfig } = await import('../src/config.ts')
  const { startServer } = await import('../src/server.ts')
  const { runLifecycleSweep } = await import('../src/domain/lifecycle/sweep.ts')
  const { SYSTEM } = await import('../src/domain/actor.ts')
  let offsetMs = 0
  // Real time plus an offset moved forward before each sweep: the whole app shares this clock.
  const clock = () => new Date(Date.now() + offsetMs)
  const running = await startServer(loadConfig(process.env), { clock, smtpListenPort: 0 })
  const send = (m: unknown) => process.send?.(m)
  send({ type: 'ready', url: running.url.replace('localhost', '127.0.0.1'), smtpPort: running.smtpPort })
  let stopping = false
  process.on('message', (m: Request) => {
    void (async () => {
      try {
        switch (m.op) {
          case 'sweep': {
            offsetMs += m.advanceMs
            const t = performance.now()
            const result = await runLifecycleSweep(running.ctx.domain, SYSTEM)
            return send({ id: m.id, ok: true, result: { ...result, ms: Math.round(performance.now() - t) } })
          }
          case 'mem': {
            const gc = (globalThis as { gc?: () => void }).gc
            if (m.gc && gc) gc()
            return send({ id: m.id, ok: true, result: process.memoryUsage() })
          }
          case 'drain':
            await running.ctx.intake.drain()
            return send({ id: m.id, ok: true, result: null })
          case 'stop':
            stopping = true
            await running.stop()
            send({ id: m.id, ok: true, result: null })
            return setTimeout(() => process.exit(0), 50)
        }
      } catch (err) {
        send({ id: m.id, ok: false, error: String((err as Error)?.stack ?? err) })
      }
    })()
  })
  // The driver is gone: do not stay behind.
  process.on('disconnect', () => {
    if (!stopping) void running.stop().finally(() => process.exit(1))
  })
}

// ---- The driver ----------------------------------------------------------------------------------

interface Options {
  seconds: number
  agents: number
  customers: number
  mailRate: number
  sweepEvery: number
  databaseUrl: string
  json: string | undefined
  rssLimitMb: number
  keepDatabase: boolean
  verbose: boolean
}

function options(): Options & { serve: boolean } {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '300' },
      agents: { type: 'string', default: '4' },
      customers: { type: 'string', default: '40' },
      'mail-rate': { type: 'string', default: '2' },
      'sweep-every': { type: 'string', default: '5' },
      'database-url': { type: 'string' },
      json: { type: 'string' },
      'rss-limit-mb': { type: 'string', default: '40' },
      'keep-database': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  })
  const num = (name: string, v: string | undefined, min: number) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min} (got "${v}")`)
    return n
  }
  return {
    serve: values.serve ?? false,
    seconds: num('seconds', values.seconds, 5),
    agents: Math.floor(num('agents', values.agents, 1)),
    customers: Math.floor(num('customers', values.customers, 1)),
    mailRate: num('mail-rate', values['mail-rate'], 0.1),
    sweepEvery: num('sweep-every', values['sweep-every'], 1),
    databaseUrl: values['database-url'] ?? process.env.SOAK_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    json: values.json,
    rssLimitMb: num('rss-limit-mb', values['rss-limit-mb'], 1),
    keepDatabase: values['keep-database'] ?? false,
    verbose: values.verbose ?? false,
  }
}

/** Counts of HTTP answers, by route and status; keeps examples of the bad ones. */
class HttpStats {
  requests = 0
  byStatus = new Map<number, number>()
  byRoute = new Map<string, { n: number; ms: number[] }>()
  serverErrors: string[] = []
  serverErrorCount = 0
  unexpected = new Map<string, number>()
  networkErrors: string[] = []
  latencies: number[] = []

  record(method: string, url: string, status: number, ms: number, expected: number[], body: string) {
    this.requests++
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1)
    const route = `${method} ${url.replace(/\?.*$/, '').replace(/\/\d+/g, '/:n')}`
    const r = this.byRoute.get(route) ?? { n: 0, ms: [] }
    r.n++
    r.ms.push(ms)
    this.byRoute.set(route, r)
    this.latencies.push(ms)
    if (status >= 500) {
      this.serverErrorCount++
      if (this.serverErrors.length < 20) this.serverErrors.push(`${method} ${url} → ${status}: ${body.replace(/\s+/g, ' ').slice(0, 200)}`)
    } else if (!expected.includes(status)) {
      const key = `${route} → ${status}`
      this.unexpected.set(key, (this.unexpected.get(key) ?? 0) + 1)
    }
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0)

/** One agent's browser: a cookie jar over fetch. */
class Browser {
  private jar = new Map<string, string>()
  constructor(
    private base: string,
    private stats: HttpStats,
  ) {}

  cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async request(method: 'GET' | 'POST', url: string, o: { form?: Record<string, string>; headers?: Record<string, string>; expect?: number[] } = {}) {
    const started = performance.now()
    try {
      const res = await fetch(`${this.base}${url}`, {
        method,
        redirect: 'manual',
        headers: { cookie: this.cookie(), accept: 'text/html', ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...o.headers },
        body: o.form ? new URLSearchParams(o.form) : undefined,
        signal: AbortSignal.timeout(60_000),
      })
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';')
        const at = pair!.indexOf('=')
        this.jar.set(pair!.slice(0, at), pair!.slice(at + 1))
      }
      const text = await res.text()
      this.stats.record(method, url, res.status, performance.now() - started, o.expect ?? [200], text)
      return { status: res.status, text, location: res.headers.get('location') }
    } catch (err) {
      if (this.stats.networkErrors.length < 20) this.stats.networkErrors.push(`${method} ${url}: ${String((err as Error)?.message ?? err)}`)
      else this.stats.networkErrors.push('…')
      return null
    }
  }
}

/** GET /events kept open like a page would; counts what arrives. */
function openEvents(base: string, cookie: string, counters: { events: number; streams: number; streamErrors: string[] }) {
  const abort = new AbortController()
  const done = (async () => {
    try {
      const res = await fetch(`${base}/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal })
      if (res.status !== 200) {
        counters.streamErrors.push(`GET /events → ${res.status}`)
        await res.body?.cancel()
        return
      }
      counters.streams++
      const reader = res.body!.getReader()
      const decoder = new TextDecoder()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          if (buffer.slice(0, end).startsWith('event: ')) counters.events++
          buffer = buffer.slice(end + 2)
        }
      }
      if (!abort.signal.aborted) counters.streamErrors.push('GET /events ended by the server')
    } catch (err) {
      if (!abort.signal.aborted) counters.streamErrors.push(`GET /events: ${String((err as Error)?.message ?? err)}`)
    }
  })()
  return {
    async close() {
      abort.abort()
      await done
    },
  }
}

interface Captured {
  messageId: string
  to: string
  replyTo: string | null
  subject: string
  automatic: boolean
}

/** The outgoing mail server: counts every e-mail by Message-ID, keeps the last few to reply to. */
async function startCapture() {
  const counts = new Map<string, number>()
  const recent: Captured[] = []
  let total = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 500,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (c: Buffer) => {
        // Only the header is needed.
        if (size < 64 * 1024) chunks.push(c)
        size += c.length
      })
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const header = raw.slice(0, Math.max(0, raw.search(/\r?\n\r?\n/))).replace(/\r?\n[ \t]+/g, ' ')
        const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(header)?.[1]?.trim() ?? null
        const messageId = field('Message-ID') ?? `(none ${total})`
        total++
        counts.set(messageId, (counts.get(messageId) ?? 0) + 1)
        const replyTo = field('Reply-To')
        recent.push({
          messageId,
          to: session.envelope.rcptTo[0]?.address ?? '',
          replyTo: replyTo ? (/<([^>]+)>/.exec(replyTo)?.[1] ?? replyTo) : null,
          subject: decodeSubject(field('Subject') ?? ''),
          automatic: Boolean(field('Auto-Submitted')),
        })
        if (recent.length > 300) recent.splice(0, recent.length - 300)
        callback()
      })
    },
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    recent,
    get total() {
      return total
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Subjects with non-ASCII text come MIME-encoded; ours are ASCII apart from the odd quote. */
function decodeSubject(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
  )
}

/** The app process, spoken to over IPC. */
function startApp(env: Record<string, string>, log: (line: string) => void) {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let nextId = 1
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  let exit: { code: number | null; signal: string | null } | null = null
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = { code, signal }
      for (const w of waiting.values()) w.reject(new Error(`the app exited (${code ?? signal})`))
      waiting.clear()
      resolve(exit)
    }),
  )
  let ready!: (v: { url: string; smtpPort: number }) => void
  const readyPromise = new Promise<{ url: string; smtpPort: number }>((resolve, reject) => {
    ready = resolve
    void exited.then((e) => reject(new Error(`the app exited before it was ready (${e.code ?? e.signal})`)))
  })
  child.on('message', (m: { type?: string; url?: string; smtpPort?: number; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
    if (m.type === 'ready') return ready({ url: m.url!, smtpPort: m.smtpPort! })
    const w = m.id === undefined ? undefined : waiting.get(m.id)
    if (!w) return
    waiting.delete(m.id!)
    clearTimeout(w.timer)
    if (m.ok) w.resolve(m.result)
    else w.reject(new Error(m.error))
  })
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = ''
    stream.setEncoding('utf8').on('data', (d: string) => {
      rest += d
      const lines = rest.split('\n')
      rest = lines.pop()!
      for (const l of lines) if (l.trim()) log(l)
    })
  }
  return {
    child: child as ChildProcess,
    ready: readyPromise,
    exited,
    get exit() {
      return exit
    },
    call<T>(op: Op, timeoutMs = 120_000): Promise<T> {
      if (exit) return Promise.reject(new Error('the app has exited'))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id)
          reject(new Error(`no answer from the app to ${op.op} within ${timeoutMs} ms`))
        }, timeoutMs)
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        child.send({ ...op, id })
      })
    },
  }
}

async function main() {
  const o = options()
  if (o.serve) return serve()

  const say = (line: string) => console.log(line)
  const t0 = performance.now()
  const elapsed = () => (performance.now() - t0) / 1000

  // A fresh database for this run.
  const dbName = `suivi_soak_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: o.databaseUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${dbName}"`)
  await admin.end()
  const url = new URL(o.databaseUrl)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()
  const dropDatabase = async () => {
    if (o.keepDatabase) return say(`database kept: ${databaseUrl}`)
    const c = new pg.Client({ connectionString: o.databaseUrl })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
    await c.end()
  }

  const capture = await startCapture()
  const logPath = path.join(tmpdir(), `${dbName}.app.log`)
  const appLog = createWriteStream(logPath)
  const logged = { warn: 0, error: 0, errors: [] as string[] }
  const app = startApp(
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      SMTP_URL: capture.url,
      SMTP_LISTEN_PORT: '2525', // on; the actual port is a free one (startServer's smtpListenPort: 0)
      SMTP_LISTEN_HOST: '127.0.0.1',
      SCHEDULER_ENABLED: 'false',
      MAIL_FROM: `Soak Support <${SUPPORT}>`,
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '1000',
    },
    (line) => {
      appLog.write(`${line}\n`)
      const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 50)
      if (level >= 50) {
        logged.error++
        if (logged.errors.length < 10) logged.errors.push(line.slice(0, 400))
      } else if (level >= 40) logged.warn++
    },
  )
  const failures: string[] = []
  let pool: pg.Pool | null = null
  try {
    const { url: base, smtpPort } = await app.ready
    say(
      `soak: ${o.seconds} s, ${o.agents} agents, ${o.customers} customers, ${o.mailRate} e-mails/s, sweep every ${o.sweepEvery} s; app pid ${app.child.pid} at ${base}, SMTP ${smtpPort}; database ${dbName}; app log ${logPath}`,
    )
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await pool!.query<T>(sql, params)).rows

    // ---- Setup: folders, tags, agents (half admins, half agents with folder memberships).
    const { hashPassword } = await import('../src/domain/agents/passwords.ts')
    const hash = await hashPassword(PASSWORD)
    const general = (await q<{ id: number }>(`INSERT INTO folders (name, position, "updatedAt") VALUES ('General', 0, now()) RETURNING id`))[0]!.id
    const billing = (
      await q<{ id: number }>(`INSERT INTO folders (name, position, "inboundAddress", "updatedAt") VALUES ('Billing', 1, $1, now()) RETURNING id`, [BILLING])
    )[0]!.id
    for (const [name, colour] of [
      ['urgent', 'red'],
      ['vip', 'blue'],
      ['later', 'slate'],
    ])
      await q(`INSERT INTO tags (name, colour) VALUES ($1, $2)`, [name, colour])
    const agents: { id: number; email: string; name: string }[] = []
    for (let i = 0; i < o.agents; i++) {
      const role = i % 2 === 0 ? 'admin' : 'agent'
      const [row] = await q<{ id: number }>(
        `INSERT INTO agents (email, name, "passwordHash", role, "notificationPrefs", "updatedAt") VALUES ($1, $2, $3, $4, '{"assigned":"both","customer_reply":"app"}', now()) RETURNING id`,
        [`agent${i + 1}@soak.example`, `Agent ${i + 1}`, hash, role],
      )
      if (role === 'agent') for (const f of [general, billing]) await q(`INSERT INTO folder_members ("agentId", "folderId") VALUES ($1, $2)`, [row!.id, f])
      agents.push({ id: row!.id, email: `agent${i + 1}@soak.example`, name: `Agent ${i + 1}` })
    }
    const tagIds = (await q<{ id: number }>(`SELECT id FROM tags`)).map((r) => r.id)

    // ---- Memory sampling, every second.
    const samples: { t: number; rss: number; heapUsed: number }[] = []
    let sampling = true
    const sampler = (async () => {
      while (sampling && !app.exit) {
        const started = performance.now()
        try {
          const m = await app.call<NodeJS.MemoryUsage>({ op: 'mem' }, 30_000)
          samples.push({ t: elapsed(), rss: m.rss, heapUsed: m.heapUsed })
        } catch {
          // the app is gone; reported below
        }
        await sleep(Math.max(0, 1000 - (performance.now() - started)))
      }
    })()

    // ---- Agents sign in.
    const stats = new HttpStats()
    const live = { events: 0, streams: 0, streamErrors: [] as string[] }
    const browsers: Browser[] = []
    for (const a of agents) {
      const b = new Browser(base, stats)
      const page = await b.request('GET', '/login')
      const csrf = page && /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1]
      if (!csrf) throw new Error(`no sign-in form for ${a.email} (${page?.status})`)
      const res = await b.request('POST', '/login', { form: { _csrf: csrf, email: a.email, password: PASSWORD }, expect: [303] })
      if (res?.status !== 303) throw new Error(`sign-in of ${a.email} answered ${res?.status}`)
      browsers.push(b)
    }

    let deadline = performance.now() + o.seconds * 1000
    const running = () => performance.now() < deadline && !app.exit
    /** Sleeps, but not past the end of the load. */
    const nap = (ms: number) => sleep(Math.max(0, Math.min(ms, deadline - performance.now())))
    process.once('SIGINT', () => {
      say('SIGINT: ending the load now')
      deadline = 0
    })
    const counts = { repliesOk: 0, replyConflicts: 0, commentsOk: 0, assigns: 0, presence: 0, opened: 0, lists: 0, searches: 0 }
    const known = new Set<number>()
    const knownList: number[] = []
    const remember = (html: string) => {
      for (const m of html.matchAll(/href="\/conversations\/(\d+)"/g)) {
        const n = Number(m[1])
        if (!known.has(n)) {
          known.add(n)
          knownList.push(n)
        }
      }
    }

    async function agentLoop(b: Browser, me: { id: number }, index: number) {
      // The conversation page the agent has open (set by open(), used by the next action).
      let current = null as { number: number; csrf: string; seen: string } | null
      let stream = openEvents(base, b.cookie(), live)
      let streamOpenedAt = performance.now()
      const open = async (n: number) => {
        const page = await b.request('GET', `/conversations/${n}`, { expect: [200, 404] })
        counts.opened++
        if (page?.status !== 200) return (current = null)
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1]
        const seen = /name="seenMessageCount" value="(\d+)"/.exec(page.text)?.[1]
        current = csrf && seen ? { number: n, csrf, seen } : null
        return current
      }
      await sleep(index * 150)
      while (running()) {
        // A page load now and then: the live stream is reopened as a browser would.
        if (performance.now() - streamOpenedAt > 30_000) {
          await stream.close()
          stream = openEvents(base, b.cookie(), live)
          streamOpenedAt = performance.now()
        }
        const r = Math.random()
        if (r < 0.22 || knownList.length === 0) {
          const folder = Math.random() < 0.2 ? `&folder=${pick([general, billing])}` : ''
          const page = await b.request('GET', `/conversations?tab=${pick(TABS)}${folder}`)
          counts.lists++
          if (page?.status === 200) remember(page.text)
        } else if (r < 0.3) {
          const page = await b.request('GET', `/conversations?tab=all&q=${encodeURIComponent(pick(WORDS))}`)
          counts.searches++
          if (page?.status === 200) remember(page.text)
        } else if (r < 0.34) {
          await b.request('GET', `/conversations-counts?tab=${pick(TABS)}`, { headers: { accept: 'application/json' } })
        } else if (r < 0.55) {
          // Recent conversations more often than old ones.
          const n = knownList[Math.max(0, knownList.length - 1 - Math.floor(Math.abs(between(-1, 1) * between(0, 1)) * knownList.length))]!
          await open(n)
        } else if (r < 0.74) {
          const page = current ?? (await open(pick(knownList)))
          if (page) {
            const statusAfter = pick(['', '', '', '', 'open', 'closed'])
            const form = {
              _csrf: page.csrf,
              type: 'reply',
              text: `Reply from agent ${me.id}: have you tried turning it off and on again? (${pick(WORDS)})`,
              html: '',
              statusAfter,
              seenMessageCount: page.seen,
            }
            const res = await b.request('POST', `/conversations/${page.number}/messages`, { form, expect: [303, 409] })
            if (res?.status === 303) counts.repliesOk++
            if (res?.status === 409) {
              // New messages arrived meanwhile: the page shows them; confirm with the new count.
              counts.replyConflicts++
              const seen = /name="seenMessageCount" value="(\d+)"/.exec(res.text)?.[1]
              if (seen) {
                const again = await b.request('POST', `/conversations/${page.number}/messages`, {
                  form: { ...form, seenMessageCount: seen },
                  expect: [303, 409],
                })
                if (again?.status === 303) counts.repliesOk++
              }
            }
            current = null
          }
        } else if (r < 0.86) {
          const page = current ?? (await open(pick(knownList)))
          if (page) {
            const res = await b.request('POST', `/conversations/${page.number}/messages`, {
              form: { _csrf: page.csrf, type: 'comment', text: `Internal note by ${me.id}: ${pick(WORDS)}`, html: '' },
              expect: [303],
            })
            if (res?.status === 303) counts.commentsOk++
            current = null
          }
        } else if (r < 0.9) {
          const page = current ?? (await open(pick(knownList)))
          if (page) {
            const who = pick(agents).id
            const res = await b.request('POST', `/conversations/${page.number}/assign`, { form: { _csrf: page.csrf, assigneeId: String(who) }, expect: [303] })
            if (res?.status === 303) counts.assigns++
          }
        } else if (r < 0.93) {
          const page = current ?? (await open(pick(knownList)))
          if (page) await b.request('POST', `/conversations/${page.number}/tags`, { form: { _csrf: page.csrf, tagId: String(pick(tagIds)) }, expect: [303] })
        } else if (r < 0.97) {
          const page = current ?? (await open(pick(knownList)))
          if (page) {
            const res = await b.request('POST', `/conversations/${page.number}/presence`, {
              form: { composing: String(Math.random() < 0.5) },
              headers: { 'x-csrf-token': page.csrf },
              expect: [204],
            })
            if (res?.status === 204) counts.presence++
          }
        } else {
          const n = current?.number ?? pick(knownList)
          await b.request('GET', `/conversations/${n}/thread`, { expect: [200, 404] })
        }
        await sleep(between(100, 500))
      }
      await stream.close()
    }

    // ---- Customers.
    const inbound = { attempted: 0, accepted: 0, refused: 0, newConversations: 0, replies: 0, ids: [] as string[], refusals: [] as string[] }
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 3,
      maxMessages: Infinity,
    })
    async function customerLoop() {
      const inFlight = new Set<Promise<void>>()
      let seq = 0
      while (running()) {
        const started = performance.now()
        if (inFlight.size < 6) {
          const n = ++seq
          const messageId = `<soak-${n}-${randomBytes(4).toString('hex')}@customer.example>`
          // A reply to an e-mail the app sent (most recent ones more likely), or a new request.
          const repliable = capture.recent.filter((m) => m.replyTo && m.to.endsWith('@customer.example'))
          const target =
            Math.random() < 0.35 && repliable.length
              ? repliable[Math.max(0, repliable.length - 1 - Math.floor(Math.random() * Math.min(40, repliable.length)))]!
              : null
          const customer = `customer${1 + Math.floor(Math.random() * o.customers)}@customer.example`
          const mail = target
            ? {
                from: target.to,
                to: target.replyTo!,
                subject: `Re: ${target.subject}`,
                inReplyTo: target.messageId,
                references: [target.messageId],
                text: `Thanks, but it still does not work (${pick(WORDS)}).\n\n> earlier text`,
              }
            : {
                from: `Customer <${customer}>`,
                to: Math.random() < 0.25 ? BILLING : SUPPORT,
                subject: `My ${pick(WORDS)} ${pick(WORDS)} problem ${n}`,
                text: `Hello, my ${pick(WORDS)} is broken since ${pick(WORDS)}. Please help.`,
              }
          inbound.attempted++
          const p: Promise<void> = transport
            .sendMail({ ...mail, messageId })
            .then(() => {
              inbound.accepted++
              inbound.ids.push(messageId)
              if (target) inbound.replies++
              else inbound.newConversations++
            })
            .catch((err: { responseCode?: number; message?: string }) => {
              inbound.refused++
              if (inbound.refusals.length < 10) inbound.refusals.push(`${err.responseCode ?? ''} ${err.message ?? err}`)
            })
            .finally(() => inFlight.delete(p))
          inFlight.add(p)
        }
        await sleep(Math.max(0, (1000 / o.mailRate) * between(0.5, 1.5) - (performance.now() - started)))
      }
      await Promise.all(inFlight)
    }

    // ---- Sweeps, with the app's clock moved 24 days ahead each time.
    const sweeps = { runs: 0, reminded: 0, closed: 0, maxMs: 0, errors: [] as string[] }
    async function sweepLoop() {
      while (running()) {
        await nap(o.sweepEvery * 1000)
        if (!running()) break
        try {
          const r = await app.call<{ reminded: number; closed: number; ms: number }>({ op: 'sweep', advanceMs: 24 * DAY_MS })
          sweeps.runs++
          sweeps.reminded += r.reminded
          sweeps.closed += r.closed
          sweeps.maxMs = Math.max(sweeps.maxMs, r.ms)
        } catch (err) {
          sweeps.errors.push(String((err as Error).message).slice(0, 300))
        }
      }
    }

    // ---- Progress.
    const progress = (async () => {
      while (running()) {
        await nap(o.verbose ? 10_000 : 30_000)
        if (!running()) break
        const last = samples.at(-1)
        say(
          `  ${Math.round(elapsed())} s: ${stats.requests} requests (${stats.serverErrorCount} 5xx), ${inbound.accepted} e-mails in, ${capture.total} out, ${sweeps.runs} sweeps, rss ${last ? mb(last.rss) : '?'} MB`,
        )
      }
    })()

    // The heap is also measured after a forced full GC at both ends (end of the warm-up, end of
    // the load): the finer leak signal, reported next to RSS.
    const warmupSeconds = Math.min(60, Math.max(10, o.seconds / 3))
    let warmMem: NodeJS.MemoryUsage | null = null
    const warmup = (async () => {
      await nap(warmupSeconds * 1000)
      if (!running()) return
      warmMem = await app.call<NodeJS.MemoryUsage>({ op: 'mem', gc: true }).catch(() => null)
    })()

    const loadStarted = elapsed()
    await Promise.all([...browsers.map((b, i) => agentLoop(b, agents[i]!, i)), customerLoop(), sweepLoop(), progress, warmup])
    const loadSeconds = elapsed() - loadStarted
    const endMem = app.exit ? null : await app.call<NodeJS.MemoryUsage>({ op: 'mem', gc: true }).catch(() => null)
    transport.close()
    if (app.exit) failures.push(`the app exited during the run (${JSON.stringify(app.exit)})`)

    // ---- Settle: everything received is processed, everything queued is sent.
    say(`load done after ${Math.round(loadSeconds)} s; waiting for the queues to empty…`)
    const settleStarted = performance.now()
    let pending = { received: 0, outbox: 0, captured: 0, rows: 0 }
    if (!app.exit) await app.call({ op: 'drain' }).catch((err) => failures.push(`drain: ${(err as Error).message}`))
    while (!app.exit) {
      const [r] = await q<{ received: number; outbox: number; rows: number }>(
        `SELECT (SELECT count(*)::int FROM inbound_messages WHERE status = 'received') AS received,
                (SELECT count(*)::int FROM outbox_emails WHERE status IN ('queued', 'sending')) AS outbox,
                (SELECT count(*)::int FROM outbox_emails) AS rows`,
      )
      pending = { received: r!.received, outbox: r!.outbox, rows: r!.rows, captured: capture.total }
      if (pending.received === 0 && pending.outbox === 0 && capture.total >= pending.rows) break
      if (performance.now() - settleStarted > 90_000) {
        failures.push(`queues did not empty within 90 s: ${JSON.stringify(pending)}`)
        break
      }
      await sleep(250)
    }
    // A little longer: nothing more may arrive (a second copy would show here).
    await sleep(2500)
    const settleSeconds = (performance.now() - settleStarted) / 1000
    sampling = false
    await sampler
    const finalMem = app.exit ? null : await app.call<NodeJS.MemoryUsage>({ op: 'mem', gc: true }).catch(() => null)

    // ---- Counts.
    const [inRows] = await q<{ total: number; processed: number; failed: number; received: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'processed')::int AS processed,
              count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'received')::int AS received
       FROM inbound_messages WHERE source = 'smtp'`,
    )
    const [inMessages] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE "emailMessageId" = ANY($1::text[])`, [inbound.ids])
    const agentIds = agents.map((a) => a.id)
    const [written] = await q<{ replies: number; comments: number }>(
      `SELECT count(*) FILTER (WHERE kind = 'agent')::int AS replies, count(*) FILTER (WHERE kind = 'internal')::int AS comments
       FROM messages WHERE "authorAgentId" = ANY($1::int[])`,
      [agentIds],
    )
    const outboxRows = await q<{ messageId: string; status: string; kind: string }>(
      `SELECT "messageId", status::text AS status, kind::text AS kind FROM outbox_emails`,
    )
    // An event whose e-mail was held back (the hourly limit per address) says so in its data.
    const [history] = await q<{ reminded: number; closed: number; remindersHeld: number; closingsHeld: number }>(
      `SELECT count(*) FILTER (WHERE type = 'reminder.sent')::int AS reminded, count(*) FILTER (WHERE type = 'conversation.auto_closed')::int AS closed,
              count(*) FILTER (WHERE type = 'reminder.sent' AND data ? 'skipped')::int AS "remindersHeld",
              count(*) FILTER (WHERE type = 'conversation.auto_closed' AND data ? 'skipped')::int AS "closingsHeld"
       FROM history_events WHERE "actorKind" = 'system'`,
    )
    const [conversations] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM conversations`)
    const outboxIds = new Set(outboxRows.map((r) => r.messageId))
    const byKind: Record<string, number> = {}
    const byOutboxStatus: Record<string, number> = {}
    for (const r of outboxRows) {
      byKind[r.kind] = (byKind[r.kind] ?? 0) + 1
      byOutboxStatus[r.status] = (byOutboxStatus[r.status] ?? 0) + 1
    }
    const missing = outboxRows.filter((r) => !capture.counts.has(r.messageId)).map((r) => r.messageId)
    const strangers = [...capture.counts.keys()].filter((id) => !outboxIds.has(id))
    const duplicated = [...capture.counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`)

    // Memory under load: samples taken after the load ended (idle, V8 shrinking) do not count.
    const loadEnd = loadStarted + loadSeconds
    const underLoad = samples.filter((s) => s.t <= loadEnd)
    const rss = underLoad.map((s) => s.rss)
    const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : 0)
    // RSS "after warm-up" and at the "end": medians of the first and the last quarter of the samples
    // taken under load after the warm-up (at least 5 each); single samples swing by tens of MB with
    // garbage not yet collected. The sample right after the warm-up's forced GC is left out.
    const afterWarmup = underLoad.filter((s) => s.t - loadStarted >= warmupSeconds + 2)
    const win = Math.max(5, Math.floor(afterWarmup.length / 4))
    const rssAfterWarmup = median(afterWarmup.slice(0, win).map((s) => s.rss))
    const rssEnd = median(afterWarmup.slice(-win).map((s) => s.rss))
    // Trend after the warm-up (least squares), in MB per minute: a leak shows as a steady slope.
    const slope = (() => {
      const pts = afterWarmup.map((s) => [s.t, s.rss] as const)
      if (pts.length < 10) return 0
      const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length
      const my = pts.reduce((a, p) => a + p[1], 0) / pts.length
      const num = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0)
      const den = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0)
      return den ? (num / den) * 60 : 0
    })()
    const sorted = [...stats.latencies].sort((a, b) => a - b)
    const routes = Object.fromEntries(
      [...stats.byRoute]
        .sort((a, b) => b[1].n - a[1].n)
        .map(([route, r]) => {
          const s = [...r.ms].sort((a, b) => a - b)
          return [route, { n: r.n, p50: Math.round(percentile(s, 50)), p95: Math.round(percentile(s, 95)) }]
        }),
    )

    const report = {
      seconds: Math.round(loadSeconds),
      settleSeconds: Math.round(settleSeconds * 10) / 10,
      agents: o.agents,
      http: {
        requests: stats.requests,
        perSecond: Math.round((stats.requests / loadSeconds) * 10) / 10,
        byStatus: Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])),
        serverErrors: stats.serverErrorCount,
        serverErrorExamples: stats.serverErrors,
        unexpected: Object.fromEntries(stats.unexpected),
        networkErrors: stats.networkErrors.length,
        networkErrorExamples: stats.networkErrors.slice(0, 10),
        latencyMs: {
          p50: Math.round(percentile(sorted, 50)),
          p95: Math.round(percentile(sorted, 95)),
          p99: Math.round(percentile(sorted, 99)),
          max: Math.round(sorted.at(-1) ?? 0),
        },
        routes,
      },
      actions: counts,
      live: { streamsOpened: live.streams, eventsReceived: live.events, streamErrors: live.streamErrors.slice(0, 10) },
      inbound: {
        sent: inbound.attempted,
        accepted: inbound.accepted,
        refused: inbound.refused,
        refusals: inbound.refusals,
        newConversations: inbound.newConversations,
        replies: inbound.replies,
        rows: inRows!.total,
        processed: inRows!.processed,
        failed: inRows!.failed,
        stillReceived: inRows!.received,
        messagesCreated: inMessages!.n,
      },
      replies: { answered303: counts.repliesOk, rows: written!.replies, conflicts409: counts.replyConflicts },
      comments: { answered303: counts.commentsOk, rows: written!.comments },
      outbox: {
        rows: outboxRows.length,
        byKind,
        byStatus: byOutboxStatus,
        captured: capture.total,
        distinctCaptured: capture.counts.size,
        missing: missing.length,
        missingExamples: missing.slice(0, 5),
        strangers: strangers.length,
        duplicated,
      },
      sweeps: { ...sweeps, historyReminded: history!.reminded, historyClosed: history!.closed },
      conversations: conversations!.n,
      memory: {
        samples: samples.length,
        rssStartMb: mb(rss[0] ?? 0),
        rssAfterWarmupMb: mb(rssAfterWarmup),
        rssMaxMb: mb(Math.max(0, ...rss)),
        rssMaxAfterWarmupMb: mb(Math.max(0, ...afterWarmup.map((s) => s.rss))),
        rssTrendMbPerMinute: mb(slope),
        rssEndMb: mb(rssEnd),
        rssGrowthAfterWarmupMb: mb(rssEnd - rssAfterWarmup),
        rssLimitMb: o.rssLimitMb,
        heapAfterGcWarmupMb: mb((warmMem as NodeJS.MemoryUsage | null)?.heapUsed ?? 0),
        heapAfterGcEndMb: mb(endMem?.heapUsed ?? 0),
        heapAfterGcIdleMb: mb(finalMem?.heapUsed ?? 0),
        warmupSeconds: Math.round(warmupSeconds),
      },
      appLog: { warnings: logged.warn, errors: logged.error, errorExamples: logged.errors, path: logPath },
      failures,
    }

    // ---- Verdict.
    if (stats.serverErrorCount) failures.push(`${stats.serverErrorCount} HTTP 5xx answers`)
    if (stats.networkErrors.length) failures.push(`${stats.networkErrors.length} HTTP requests failed without an answer`)
    if (inbound.refused) failures.push(`${inbound.refused} inbound e-mails refused by the listener`)
    if (inRows!.total !== inbound.accepted) failures.push(`inbound: ${inbound.accepted} e-mails accepted but ${inRows!.total} rows stored`)
    if (inRows!.processed !== inbound.accepted)
      failures.push(`inbound: ${inbound.accepted} accepted but ${inRows!.processed} processed (${inRows!.failed} failed, ${inRows!.received} waiting)`)
    if (inMessages!.n !== inbound.accepted) failures.push(`inbound: ${inbound.accepted} accepted but ${inMessages!.n} messages created`)
    if (written!.replies !== counts.repliesOk) failures.push(`replies: ${counts.repliesOk} answered 303 but ${written!.replies} stored`)
    if (written!.comments !== counts.commentsOk) failures.push(`comments: ${counts.commentsOk} answered 303 but ${written!.comments} stored`)
    if (missing.length) failures.push(`outbox: ${missing.length} of ${outboxRows.length} e-mails never reached the SMTP server`)
    if (strangers.length) failures.push(`outbox: ${strangers.length} e-mails received that are not in the outbox`)
    if (duplicated.length) failures.push(`outbox: ${duplicated.length} e-mails received more than once`)
    if ((byOutboxStatus.sent ?? 0) !== outboxRows.length) failures.push(`outbox: not every row is sent: ${JSON.stringify(byOutboxStatus)}`)
    if ((byKind.reminder ?? 0) !== sweeps.reminded - history!.remindersHeld || history!.reminded !== sweeps.reminded)
      failures.push(
        `sweeps reminded ${sweeps.reminded}: ${byKind.reminder ?? 0} reminder e-mails (${history!.remindersHeld} held back), ${history!.reminded} history events`,
      )
    if ((byKind.closing ?? 0) !== sweeps.closed - history!.closingsHeld || history!.closed !== sweeps.closed)
      failures.push(
        `sweeps closed ${sweeps.closed}: ${byKind.closing ?? 0} closing e-mails (${history!.closingsHeld} held back), ${history!.closed} history events`,
      )
    if (sweeps.errors.length) failures.push(`${sweeps.errors.length} sweeps failed: ${sweeps.errors[0]}`)
    if (live.streamErrors.length) failures.push(`${live.streamErrors.length} live streams failed: ${live.streamErrors[0]}`)
    if (rssEnd - rssAfterWarmup > o.rssLimitMb * 1024 * 1024)
      failures.push(`memory: RSS grew ${mb(rssEnd - rssAfterWarmup)} MB after the warm-up (limit ${o.rssLimitMb} MB)`)
    if (samples.length < loadSeconds * 0.5) failures.push(`memory: only ${samples.length} samples in ${Math.round(loadSeconds)} s (the app was unresponsive?)`)

    // ---- Summary.
    say('')
    say(`Soak summary (${report.seconds} s of load, ${o.agents} agents, settled in ${report.settleSeconds} s)`)
    say(
      `  HTTP      ${stats.requests} requests (${report.http.perSecond}/s), 5xx: ${stats.serverErrorCount}, no answer: ${stats.networkErrors.length}, statuses ${JSON.stringify(report.http.byStatus)}`,
    )
    say(
      `            latency p50 ${report.http.latencyMs.p50} ms, p95 ${report.http.latencyMs.p95} ms, p99 ${report.http.latencyMs.p99} ms, max ${report.http.latencyMs.max} ms`,
    )
    if (stats.unexpected.size) say(`            unexpected (not 5xx): ${JSON.stringify(report.http.unexpected)}`)
    say(
      `  actions   lists ${counts.lists}, searches ${counts.searches}, opened ${counts.opened}, replies ${counts.repliesOk} (409: ${counts.replyConflicts}), comments ${counts.commentsOk}, assigns ${counts.assigns}, presence ${counts.presence}`,
    )
    say(`  live      ${live.streams} /events streams, ${live.events} events received, ${live.streamErrors.length} stream errors`)
    say(
      `  inbound   sent ${inbound.attempted}, accepted ${inbound.accepted} (new ${inbound.newConversations}, replies ${inbound.replies}), refused ${inbound.refused} → rows ${inRows!.total}, processed ${inRows!.processed}, failed ${inRows!.failed} → messages ${inMessages!.n}`,
    )
    say(`  agents    replies 303: ${counts.repliesOk} → rows ${written!.replies}; comments 303: ${counts.commentsOk} → rows ${written!.comments}`)
    say(
      `  outbox    rows ${outboxRows.length} ${JSON.stringify(byKind)} → received ${capture.total} (distinct ${capture.counts.size}), missing ${missing.length}, duplicated ${duplicated.length}, not ours ${strangers.length}`,
    )
    say(
      `  sweeps    ${sweeps.runs} runs (max ${sweeps.maxMs} ms): reminded ${sweeps.reminded} (history ${history!.reminded}, e-mails held back ${history!.remindersHeld}), closed ${sweeps.closed} (history ${history!.closed}, held back ${history!.closingsHeld}); ${conversations!.n} conversations`,
    )
    say(
      `  memory    RSS start ${report.memory.rssStartMb} MB, after warm-up (${report.memory.warmupSeconds} s) ${report.memory.rssAfterWarmupMb} MB, max ${report.memory.rssMaxMb} MB (after warm-up ${report.memory.rssMaxAfterWarmupMb} MB), end ${report.memory.rssEndMb} MB (growth ${report.memory.rssGrowthAfterWarmupMb} MB, limit ${o.rssLimitMb}; trend ${report.memory.rssTrendMbPerMinute} MB/min); heap after GC ${report.memory.heapAfterGcWarmupMb} → ${report.memory.heapAfterGcEndMb} MB (idle ${report.memory.heapAfterGcIdleMb} MB)`,
    )
    say(`  app log   ${logged.warn} warnings, ${logged.error} errors (${logPath})`)
    for (const e of stats.serverErrors.slice(0, 5)) say(`    5xx: ${e}`)
    for (const e of logged.errors.slice(0, 5)) say(`    log: ${e}`)
    say(failures.length ? `FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}` : 'OK: no 5xx, nothing lost, memory flat.')
    if (o.json) writeFileSync(o.json, JSON.stringify(report, null, 2))
  } catch (err) {
    failures.push(`the soak itself failed: ${String((err as Error)?.stack ?? err)}`)
    console.error(err)
    if (o.json) writeFileSync(o.json, JSON.stringify({ failures }, null, 2))
  } finally {
    await pool?.end().catch(() => {})
    if (!app.exit) {
      await app.call({ op: 'stop' }, 30_000).catch(() => {})
      const stopped = await Promise.race([app.exited, sleep(15_000).then(() => null)])
      if (!stopped) app.child.kill('SIGKILL')
    }
    await capture.stop()
    await new Promise<void>((resolve) => appLog.end(() => resolve()))
    // The app's log is kept when something went wrong, for reading; removed otherwise.
    if (!failures.length && !logged.error) rmSync(logPath, { force: true })
    else say(`app log kept: ${logPath}`)
    await dropDatabase().catch((err) => console.error(`could not drop ${dbName}: ${(err as Error).message}`))
  }
  process.exit(failures.length ? 1 : 0)
}

main().catch((err) => {
  console.error(err)
  process.exit(2)
})
