import nodemailer from 'nodemailer'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../helpers/factories.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.ts'
import { openStream } from '../helpers/liveStream.ts'
import { csrfFrom, startTestApp, type TestApp } from '../helpers/testApp.ts'

/**
 * Reliability §1: PostgreSQL goes away under a running app and comes back. The app is not
 * restarted. During the outage it answers (503 health and pages with Retry-After, SMTP 451) instead
 * of crashing; afterwards pages, sign-in, inbound mail and live events work again.
 *
 * The database server here is a PRIVATE cluster (tests/helpers/privatePostgres.ts): the machine's
 * shared server on 5432 serves other test files at the same time and must never be stopped.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`)
    await sleep(200)
  }
}

/** A cookie jar over fetch: what a browser keeps between requests. */
function browser(baseUrl: string) {
  const jar = new Map<string, string>()
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  async function request(path: string, init: RequestInit = {}) {
    const res = await fetch(`${baseUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { cookie: cookie(), accept: 'text/html', ...(init.headers as Record<string, string>) },
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const at = pair!.indexOf('=')
      jar.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
    return res
  }
  return {
    cookie,
    request,
    async signIn(email: string, password = PASSWORD) {
      const page = await request('/login')
      if (page.status !== 200) return page
      return request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfFrom(await page.text()), email, password }),
      })
    },
  }
}

describe('PostgreSQL restarted under a running app', () => {
  let privatePg: PrivatePostgres
  let databaseUrl: string
  let app: TestApp
  let admin: { email: string }
  let conversationNumber: number
  let folderId: number
  /** Open /events streams, closed before the app stops (an open stream would hold its stop). */
  const streams: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    privatePg = await startPrivatePostgres()
    databaseUrl = await privatePg.createDatabase('suivi_restart')
    app = await startTestApp({ DATABASE_URL: databaseUrl, MAIL_FROM: 'Acme Support <help@acme.example>' })
    expect(app.ctx.db.kind).toBe('postgresql')
    const agent = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Rita Restart' })
    admin = { email: agent.email }
    folderId = (await buildFolder(app.ctx.db.prisma, 'Restart')).id
    conversationNumber = (await buildConversation(app.ctx.domain, agent, { folderId, subject: 'Before the restart' })).number
  })
  afterAll(async () => {
    for (const s of streams) await s.close()
    await app?.close().catch(() => {})
    await privatePg?.cleanup()
  })

  const customerMail = () =>
    nodemailer.createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true, connectionTimeout: 10_000, socketTimeout: 20_000 })

  /** Connections on the private server that are LISTENing for the event bus. */
  async function listeners(): Promise<number> {
    const c = new pg.Client({ connectionString: databaseUrl })
    await c.connect()
    try {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`,
      )
      return rows[0]!.n
    } finally {
      await c.end()
    }
  }

  it('answers 503 (with Retry-After) and 451 while the database is down and recovers without a restart', async () => {
    const agentBrowser = browser(app.url)
    expect((await agentBrowser.signIn(admin.email)).status).toBe(303)
    expect((await agentBrowser.request('/healthz')).status).toBe(200)
    expect((await agentBrowser.request(`/conversations/${conversationNumber}`)).status).toBe(200)
    const before = await openStream(app.url, agentBrowser.cookie())
    streams.push(before)
    expect(await listeners()).toBe(1)

    // The database server dies (immediate shutdown: no goodbye to the clients).
    await privatePg.kill()

    const health = await agentBrowser.request('/healthz', { headers: { accept: 'application/json' } })
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'unavailable' })

    // Pages say what is happening and when to come back: 503 with Retry-After, not a bare 500.
    const page = await agentBrowser.request(`/conversations/${conversationNumber}`)
    expect(page.status).toBe(503)
    expect(page.headers.get('retry-after')).toBe('30')
    const html = await page.text()
    expect(html).toContain('cannot reach its database for the moment')
    expect(html).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+|PrismaClient|P1001/)
    const list = await agentBrowser.request('/conversations')
    expect(list.status).toBe(503)
    const json = await agentBrowser.request('/conversations-counts', { headers: { accept: 'application/json' } })
    expect(json.status).toBe(503)

    // The SMTP listener: 451 (try again later), so the sending MTA keeps the message.
    const message = {
      from: 'Dana Down <dana@customer.example>',
      to: 'help@acme.example',
      subject: 'Sent while the database was down',
      text: 'Please answer when you are back.',
      messageId: '<during-outage@customer.example>',
    }
    const refused = await customerMail()
      .sendMail(message)
      .then(
        () => null,
        (err: { responseCode?: number }) => err,
      )
    expect(refused, 'the listener accepted a message it could not store').not.toBeNull()
    expect(refused!.responseCode).toBe(451)

    // The process is still alive and answering.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(503)

    await privatePg.start()

    await until('/healthz to answer 200', async () => (await agentBrowser.request('/healthz')).status === 200)
    // The session made before the outage still works, pages render again.
    const again = await agentBrowser.request(`/conversations/${conversationNumber}`)
    expect(again.status).toBe(200)
    expect(await again.text()).toContain('Before the restart')
    expect((await agentBrowser.request('/conversations?tab=all')).status).toBe(200)

    // Sign-in on a fresh browser.
    const other = browser(app.url)
    const signedIn = await other.signIn(admin.email)
    expect(signedIn.status).toBe(303)
    expect((await other.request('/conversations')).status).toBe(200)

    // The event bus listens again (its LISTEN connection comes back by itself).
    await until('the event bus to LISTEN again', async () => (await listeners()) === 1, 20_000)
    const after = await openStream(app.url, other.cookie())
    streams.push(after)

    // The MTA sends the refused message again: accepted, stored once, processed into a conversation.
    await customerMail().sendMail(message)
    await app.ctx.intake.drain()
    const prisma = app.ctx.db.prisma
    const stored = await until('the resent message to be processed', async () => {
      const rows = await prisma.inboundMessage.findMany({ where: { messageIdHeader: message.messageId } })
      return rows.length && rows.every((r) => r.status !== 'received') ? rows : null
    })
    expect(stored).toHaveLength(1)
    expect(stored[0]!.status).toBe('processed')
    const created = await prisma.message.findUniqueOrThrow({ where: { emailMessageId: message.messageId }, include: { conversation: true } })
    expect(created.conversation.subject).toBe(message.subject)

    // Both the stream opened before the outage and a new one hear of it, once each.
    await until('the old stream to get the event', async () => before.events.filter((e) => e.data.conversationId === created.conversationId).length > 0)
    await until('the new stream to get the event', async () => after.events.filter((e) => e.data.conversationId === created.conversationId).length > 0)
    await sleep(500)
    expect(before.events.filter((e) => e.data.conversationId === created.conversationId)).toHaveLength(1)
    expect(after.events.filter((e) => e.data.conversationId === created.conversationId)).toHaveLength(1)
    expect(await listeners()).toBe(1)
    expect(before.ended).toBe(false)

    // A second, clean restart (fast shutdown: clients get a FATAL message first) is survived too.
    await privatePg.restart()
    await until('/healthz to answer 200 after a clean restart', async () => (await agentBrowser.request('/healthz')).status === 200)
    await until('the event bus to LISTEN again after a clean restart', async () => (await listeners()) === 1, 20_000)
    await sleep(1500)
    expect(await listeners()).toBe(1)
    await customerMail().sendMail({ ...message, subject: 'After the second restart', messageId: '<after-second@customer.example>' })
    await app.ctx.intake.drain()
    const second = await until('the second message to be processed', () =>
      prisma.message.findUnique({ where: { emailMessageId: '<after-second@customer.example>' } }),
    )
    await until('the old stream to get the second event', async () => before.events.filter((e) => e.data.conversationId === second.conversationId).length > 0)
    await sleep(500)
    expect(before.events.filter((e) => e.data.conversationId === second.conversationId)).toHaveLength(1)

    await before.close()
    await after.close()
  }, 120_000)
})
