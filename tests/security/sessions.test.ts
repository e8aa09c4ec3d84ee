/**
 * Sessions and requests under attack (see SECURITY.md):
 * - cookie flags behind a TLS-terminating proxy (TRUST_PROXY=true) and, without it, forged
 *   X-Forwarded-* headers that must change nothing (not https, not another client address);
 * - forged single-sign-on headers: the app has no SSO, so they grant nothing;
 * - customer links (status page, "solved", "not solved", reply address): single-purpose and
 *   tamper-proof, one changed character and they open nothing;
 * - oversized JSON, form, multipart and raw bodies: 413 and nothing written;
 * - path tricks in uploaded file names: stored and served as a plain name.
 * Sign-in rotation, sign-out, the per-account login limit and `next` are in tests/web/auth/signIn.test.ts.
 */
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Prisma } from '../../src/db/database.ts'
import type { Actor } from '../../src/domain/actor.ts'
import { customerToken } from '../../src/mail/customerLinks.ts'
import { receiveRawMessage } from '../../src/mail/inbound/intake.ts'
import { replyAddressFor } from '../../src/mail/replyAddress.ts'
import { MAX_FILES } from '../../src/web/middleware/uploads.ts'
import { buildConversation } from '../helpers/factories.ts'
import { listenersCaughtUp } from '../helpers/queryCounter.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

/** Tables any request may write to: the visitor's session, and the rate limiter's hit counters. */
const BOOKKEEPING = ['sessions', 'rate_limits']

/** Row count and content hash of every table (sessions by count: requests touch their expiry). */
async function snapshot(prisma: Prisma): Promise<Record<string, string>> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name::text AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
  const out: Record<string, string> = {}
  for (const { name } of tables) {
    const quoted = `"${name.replace(/"/g, '""')}"`
    const sql =
      name === 'sessions'
        ? `SELECT count(*)::text AS v FROM ${quoted}`
        : `SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS v FROM ${quoted} t`
    const [row] = await prisma.$queryRawUnsafe<{ v: string }[]>(sql)
    out[name] = row!.v
  }
  return out
}

const changed = (before: Record<string, string>, after: Record<string, string>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t])

/** The Set-Cookie line of the session cookie, if any. */
function sessionSetCookie(headers: Headers): string | undefined {
  return headers.getSetCookie().find((c) => c.startsWith('suivi.sid='))
}

const attributes = (setCookie: string) =>
  setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase())

async function adminActor(prisma: Prisma): Promise<Actor> {
  return prisma.agent.findUniqueOrThrow({ where: { email: ADMIN.email }, select: { id: true, name: true, email: true, role: true } })
}

describe('behind a TLS-terminating proxy (TRUST_PROXY=true)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: 'true', LOGIN_RATE_LIMIT: '3' })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A request as the proxy forwards it: the browser spoke https to the proxy. */
  const viaProxy = (path: string, init: RequestInit & { cookie?: string; forwardedFor?: string } = {}) =>
    fetch(app.url + path, {
      ...init,
      redirect: 'manual',
      headers: {
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-For': init.forwardedFor ?? '198.51.100.7',
        ...(init.cookie ? { Cookie: init.cookie } : {}),
        ...(init.body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    })

  it('marks the session cookie Secure, HttpOnly and SameSite=Lax, and sends HSTS', async () => {
    const setupPage = await viaProxy('/setup')
    expect(setupPage.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
    const first = sessionSetCookie(setupPage.headers)!
    expect(first).toBeDefined()
    const cookie = first.split(';')[0]!
    const token = csrfFrom(await setupPage.text())
    const done = await viaProxy('/setup', { method: 'POST', cookie, body: new URLSearchParams({ _csrf: token, ...ADMIN }).toString() })
    expect(done.status).toBe(303)

    const loginPage = await viaProxy('/login')
    const anonymous = sessionSetCookie(loginPage.headers)!
    const signedIn = await viaProxy('/login', {
      method: 'POST',
      cookie: anonymous.split(';')[0],
      body: new URLSearchParams({ _csrf: csrfFrom(await loginPage.text()), email: ADMIN.email, password: ADMIN.password }).toString(),
    })
    expect(signedIn.status).toBe(303)
    for (const setCookie of [first, anonymous, sessionSetCookie(signedIn.headers)!]) {
      expect(setCookie).toBeDefined()
      const attrs = attributes(setCookie)
      expect(attrs, setCookie).toContain('secure')
      expect(attrs, setCookie).toContain('httponly')
      expect(attrs, setCookie).toContain('samesite=lax')
      expect(attrs, setCookie).toContain('path=/')
      // Not a cookie for a whole domain.
      expect(attrs.some((a) => a.startsWith('domain='))).toBe(false)
    }
    // The session lives at most 12 hours.
    const expires = Date.parse(
      attributes(sessionSetCookie(signedIn.headers)!)
        .find((a) => a.startsWith('expires='))!
        .slice('expires='.length),
    )
    expect(expires - Date.now()).toBeLessThanOrEqual(12 * 60 * 60 * 1000 + 5_000)
  })

  it('limits sign-in by the address the proxy saw, not by what the client put in X-Forwarded-For', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      const page = await viaProxy('/login')
      const cookie = sessionSetCookie(page.headers)!.split(';')[0]
      // The client claims a new address each time; the proxy appends the one it really saw.
      const res = await viaProxy('/login', {
        method: 'POST',
        cookie,
        forwardedFor: `203.0.113.${i + 1}, 198.51.100.99`,
        body: new URLSearchParams({ _csrf: csrfFrom(await page.text()), email: 'target@example.test', password: `guess ${i}` }).toString(),
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429])
  })
})

describe('exposed directly (no TRUST_PROXY)', () => {
  const INBOUND_SECRET = 'inbound-secret-for-the-session-test-42'
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  let folderId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '3', INBOUND_SECRET, INBOUND_MAX_BYTES: String(64 * 1024) })
    admin = await setUpAndSignIn(app)
    folderId = (await prisma().folder.findFirstOrThrow()).id
  })
  afterAll(async () => {
    await app?.close()
  })

  describe('forged proxy headers', () => {
    it('a forged X-Forwarded-Proto: https does not make the app think the connection is secure', async () => {
      const page = await fetch(`${app.url}/login`, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Ssl': 'on', Forwarded: 'proto=https' } })
      const setCookie = sessionSetCookie(page.headers)!
      expect(setCookie).toBeDefined()
      // A Secure cookie over plain http would never come back: the app knows it is http.
      expect(attributes(setCookie)).not.toContain('secure')
      expect(attributes(setCookie)).toContain('httponly')
      expect(page.headers.get('strict-transport-security')).toBeNull()
    })

    it('a forged X-Forwarded-For does not give a client a fresh sign-in allowance', async () => {
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        const client = request.agent(app.url)
        const page = await client.get('/login').set('X-Forwarded-For', `203.0.113.${i + 1}`)
        const res = await client
          .post('/login')
          .set('X-Forwarded-For', `203.0.113.${i + 1}`)
          .type('form')
          .send({ _csrf: csrfFrom(page.text), email: 'victim@example.test', password: `guess ${i}` })
        statuses.push(res.status)
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429])
    })
  })

  describe('forged single-sign-on headers', () => {
    const FORGED = {
      'X-Forwarded-User': ADMIN.email,
      'Remote-User': ADMIN.email,
      'X-Remote-User': ADMIN.email,
      'X-Auth-Request-Email': ADMIN.email,
      'X-Auth-Request-User': ADMIN.email,
      'X-Forwarded-Email': ADMIN.email,
      'X-WEBAUTH-USER': ADMIN.email,
      'X-Authenticated-User': ADMIN.email,
      'X-User-Id': '1',
      'X-Agent-Id': '1',
    }

    it('grant nothing: pages send to the sign-in page, the API answers 401, and nothing is written', async () => {
      // A listener catching up with earlier events writes its own rows: not the request's doing.
      await listenersCaughtUp(app.ctx.db.pool)
      const before = await snapshot(prisma())
      for (const path of ['/conversations', '/settings', '/settings/outbox', '/profile', '/conversations/new']) {
        const res = await request(app.url).get(path).set(FORGED).set('Accept', 'text/html')
        expect(res.status, path).toBe(303)
        expect(res.headers.location, path).toMatch(/^\/login\?next=/)
      }
      const api = await request(app.url).get('/conversations-counts').set(FORGED).set('Accept', 'application/json')
      expect(api.status).toBe(401)
      // Even with a genuine CSRF token of the anonymous session, a write is refused for want of an agent.
      const client = request.agent(app.url)
      const token = csrfFrom((await client.get('/login').set(FORGED)).text)
      const write = await client
        .post('/settings/tags')
        .set(FORGED)
        .set('Accept', 'application/json')
        .type('form')
        .send({ _csrf: token, name: 'sso-forged', colour: 'red' })
      expect(write.status).toBe(401)
      const basic = await request(app.url)
        .get('/conversations')
        .set('Authorization', `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString('base64')}`)
        .set('Accept', 'text/html')
      expect(basic.status).toBe(303)
      expect(changed(before, await snapshot(prisma())).filter((t) => !BOOKKEEPING.includes(t))).toEqual([])
    })
  })

  describe('customer links', () => {
    let conversation: { id: number; number: number }
    let links: Record<'status' | 'solved' | 'not-solved', string>
    beforeAll(async () => {
      conversation = await buildConversation(app.ctx.domain, await adminActor(prisma()), {
        folderId,
        mode: 'send',
        subject: 'Broken kettle',
        text: 'We are sending a new one.',
      })
      const secret = app.ctx.mail.secret
      links = {
        status: customerToken(secret, 'status', conversation.id),
        solved: customerToken(secret, 'solved', conversation.id),
        'not-solved': customerToken(secret, 'not-solved', conversation.id),
      }
    })
    const page = (purpose: 'status' | 'solved' | 'not-solved', token: string) => (purpose === 'status' ? `/s/${token}` : `/r/${purpose}/${token}`)

    it('each token opens only the page it was made for', async () => {
      for (const made of ['status', 'solved', 'not-solved'] as const) {
        for (const used of ['status', 'solved', 'not-solved'] as const) {
          const res = await request(app.url).get(page(used, links[made]))
          expect(res.status, `${made} token on the ${used} page`).toBe(made === used ? 200 : 404)
        }
      }
    })

    it('a token used for another purpose changes nothing (POST)', async () => {
      const client = request.agent(app.url)
      const token = csrfFrom((await client.get(`/s/${links.status}`)).text)
      // A listener catching up with earlier events writes its own rows: not the request's doing.
      await listenersCaughtUp(app.ctx.db.pool)
      const before = await snapshot(prisma())
      for (const [path, body] of [
        [`/s/${links.solved}/resolved`, {}],
        [`/s/${links['not-solved']}/messages`, { message: 'Let me in' }],
        [`/r/solved/${links.status}`, {}],
        [`/r/not-solved/${links.solved}`, {}],
        [`/r/solved/${links['not-solved']}`, {}],
      ] as const) {
        const res = await client
          .post(path)
          .type('form')
          .send({ _csrf: token, ...body })
        expect(res.status, path).toBe(404)
      }
      expect(changed(before, await snapshot(prisma())).filter((t) => !BOOKKEEPING.includes(t))).toEqual([])
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('pending')
    })

    it('one changed character anywhere in a token, or a token of another instance, opens nothing', async () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      let tried = 0
      for (const purpose of ['status', 'solved', 'not-solved'] as const) {
        const genuine = links[purpose]
        for (let i = 0; i < genuine.length; i++) {
          if (genuine[i] === '.') continue
          const pool = /\d/.test(genuine[i]!) && i < genuine.indexOf('.') ? '0123456789' : alphabet
          const replacement = pool[(pool.indexOf(genuine[i]!) + 1 + (i % (pool.length - 1))) % pool.length]!
          const forged = genuine.slice(0, i) + replacement + genuine.slice(i + 1)
          expect(forged).not.toBe(genuine)
          const res = await request(app.url).get(page(purpose, forged))
          expect(res.status, `${purpose} token with position ${i} changed: ${forged}`).toBe(404)
          tried++
        }
        for (const forged of [
          `${genuine}A`,
          genuine.slice(0, -1),
          `${genuine.split('.')[0]}.${genuine.split('.')[1]!.toLowerCase()}`,
          `${genuine.split('.')[0]}.${'A'.repeat(22)}`,
        ]) {
          if (forged === genuine) continue
          expect((await request(app.url).get(page(purpose, forged))).status, forged).toBe(404)
          tried++
        }
        // Signed with another instance's secret.
        const foreign = customerToken('the secret of another help desk instance, 32+ chars', purpose, conversation.id)
        expect((await request(app.url).get(page(purpose, foreign))).status).toBe(404)
      }
      expect(tried).toBeGreaterThan(60)
    }, 120_000)

    it('a reply address threads only when it is genuine: one changed character starts a new conversation', async () => {
      const secret = app.ctx.mail.secret
      const genuine = replyAddressFor('support@localhost', secret, conversation.id)
      const other = await buildConversation(app.ctx.domain, await adminActor(prisma()), { folderId, mode: 'send', subject: 'Another one' })
      const signature = /-([0-9a-f]{16})@/.exec(genuine)![1]!
      const flipped = signature.slice(0, 5) + (signature[5] === '0' ? '1' : '0') + signature.slice(6)
      const forgedAddresses = [
        genuine.replace(signature, flipped),
        genuine.replace(`+c${conversation.id}-`, `+c${other.id}-`),
        replyAddressFor('support@localhost', 'the secret of another help desk instance, 32+ chars', conversation.id),
      ]
      let n = 0
      const send = (to: string) =>
        receiveRawMessage(app.ctx.domain, {
          source: 'http',
          raw: Buffer.from(
            `From: Stranger <stranger@example.net>\r\nTo: ${to}\r\nSubject: let me in\r\nMessage-ID: <reply-address-${++n}@example.net>\r\n\r\nHello.\r\n`,
          ),
        })
      for (const to of forgedAddresses) {
        const { outcome } = await send(to)
        expect(outcome.status).toBe('processed')
        const landed = outcome.status === 'processed' ? outcome.conversationId : null
        expect(landed, to).not.toBe(conversation.id)
        expect(landed, to).not.toBe(other.id)
      }
      // The genuine address does thread (so the refusals above are about the signature).
      const { outcome } = await send(genuine)
      expect(outcome).toMatchObject({ status: 'processed', conversationId: conversation.id })
    }, 60_000)
  })

  describe('oversized bodies', () => {
    let token: string
    beforeAll(async () => {
      token = csrfFrom((await admin.get('/settings')).text)
    })

    it('a JSON or form body over 1 MB, or with too many fields, is refused with 413 and nothing is written', async () => {
      // A listener catching up with earlier events writes its own rows: not the request's doing.
      await listenersCaughtUp(app.ctx.db.pool)
      const before = await snapshot(prisma())
      const big = 'x'.repeat(1_100_000)
      const json = await admin
        .post('/settings/tags')
        .set('X-CSRF-Token', token)
        .set('Accept', 'application/json')
        .send({ name: 'big', colour: 'red', filler: big })
      expect(json.status).toBe(413)
      const form = await admin.post('/settings/tags').type('form').send(`_csrf=${token}&name=big&colour=red&filler=${big}`)
      expect(form.status).toBe(413)
      const fields = await admin
        .post('/settings/tags')
        .type('form')
        .send(`_csrf=${token}&name=many&colour=red&${Array.from({ length: 1200 }, (_, i) => `f${i}=1`).join('&')}`)
      expect(fields.status).toBe(413)
      const profile = await admin
        .post('/profile')
        .set('X-CSRF-Token', token)
        .set('Content-Type', 'application/json')
        .send(`{"_csrf":"${token}","notifyOnNewInFolder":"${big}"}`)
      expect(profile.status).toBe(413)
      expect(changed(before, await snapshot(prisma())).filter((t) => !BOOKKEEPING.includes(t))).toEqual([])
    })

    it('more files than allowed in one message: 413, and no message', async () => {
      const c = await buildConversation(app.ctx.domain, await adminActor(prisma()), { folderId, subject: 'Many files' })
      // A listener catching up with earlier events writes its own rows: not the request's doing.
      await listenersCaughtUp(app.ctx.db.pool)
      const before = await snapshot(prisma())
      let req = admin.post(`/conversations/${c.number}/messages`).field('_csrf', token).field('type', 'comment').field('text', 'Lots of files')
      for (let i = 0; i <= MAX_FILES; i++) req = req.attach('files', Buffer.from(`file ${i}`), `f${i}.txt`)
      const res = await req
      expect(res.status).toBe(413)
      expect(changed(before, await snapshot(prisma())).filter((t) => !BOOKKEEPING.includes(t))).toEqual([])
    })

    it('a raw e-mail over INBOUND_MAX_BYTES is refused with 413 and not stored', async () => {
      const before = await prisma().inboundMessage.count()
      const raw = `From: a@example.com\r\nTo: support@localhost\r\nSubject: big\r\n\r\n${'y'.repeat(70 * 1024)}\r\n`
      const res = await request(app.url).post('/inbound/raw').set('Authorization', `Bearer ${INBOUND_SECRET}`).type('message/rfc822').send(raw)
      expect(res.status).toBe(413)
      expect(await prisma().inboundMessage.count()).toBe(before)
    })

    it('an anonymous multipart form cannot make the server hold more text than a plain form may carry (413, nothing written)', async () => {
      // Found here (SECURITY.md, "Holes found by these tests", 4): parseMultipart gave the anonymous
      // customer forms the agents' field limit (about 47 MB per field, for pasted images), buffered
      // in memory before CSRF and the rate limit.
      const client = request.agent(app.url)
      const contactToken = csrfFrom((await client.get('/contact')).text)
      // A listener catching up with earlier events writes its own rows: not the request's doing.
      await listenersCaughtUp(app.ctx.db.pool)
      const before = await snapshot(prisma())
      const res = await client
        .post('/contact')
        .field('_csrf', contactToken)
        .field('name', 'Big Talker')
        .field('email', 'big@example.com')
        .field('subject', 'A long story')
        .field('message', 'z'.repeat(3 * 1024 * 1024))
      expect(res.status).toBe(413)
      expect(changed(before, await snapshot(prisma())).filter((t) => !BOOKKEEPING.includes(t))).toEqual([])
    })
  })

  describe('path tricks in uploaded file names', () => {
    const TRICKS = [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      '/etc/shadow',
      'C:\\boot.ini',
      '....//....//escape.txt',
      '%2e%2e%2f%2e%2e%2fencoded.txt',
      '.htaccess',
      // (A part named ".." reaches multer without a name and is ignored: no real file has that name.)
      'sub/../../..%00.txt',
      '"><img src=x onerror=alert(1)>.png',
      'name\r\nX-Injected: yes.txt',
      'semi;colon"quote.txt',
    ]

    /** The stored name is a plain name: no folder, no dot-file, no control character, no quote. */
    function expectPlain(name: string, from: string) {
      expect(name, from).not.toMatch(/[\\/]/)
      expect(name, from).not.toMatch(/^\./)
      expect(name, from).not.toMatch(/[\u0000-\u001f\u007f"<>]/)
      expect(name.length, from).toBeGreaterThan(0)
    }

    async function expectServedPlainly(attachmentId: number) {
      const res = await admin.get(`/attachments/${attachmentId}?download`).buffer(true)
      expect(res.status).toBe(200)
      const disposition = String(res.headers['content-disposition'])
      expect(disposition).toMatch(/^attachment; filename="[^"\\\r\n]*"; filename\*=UTF-8''[A-Za-z0-9%!'()*._~-]*$/)
    }

    it('uploaded by an agent: stored and served as a plain name', async () => {
      const c = await buildConversation(app.ctx.domain, await adminActor(prisma()), { folderId, subject: 'Tricky names' })
      const token = csrfFrom((await admin.get(`/conversations/${c.number}`)).text)
      let req = admin.post(`/conversations/${c.number}/messages`).field('_csrf', token).field('type', 'comment').field('text', 'Files with tricky names')
      TRICKS.forEach((name, i) => {
        req = req.attach('files', Buffer.from(`content ${i}`), { filename: name, contentType: 'text/plain' })
      })
      expect((await req).status).toBe(303)
      const stored = await prisma().attachment.findMany({ where: { conversationId: c.id }, orderBy: { id: 'asc' } })
      expect(stored).toHaveLength(TRICKS.length)
      for (const a of stored) {
        expectPlain(a.fileName, a.fileName)
        await expectServedPlainly(a.id)
      }
      expect(stored.map((a) => a.fileName)).toContain('passwd')
    })

    it('uploaded by a customer on the status page: stored as a plain name', async () => {
      const c = await buildConversation(app.ctx.domain, await adminActor(prisma()), { folderId, mode: 'send', subject: 'Customer files' })
      const client = request.agent(app.url)
      const status = `/s/${customerToken(app.ctx.mail.secret, 'status', c.id)}`
      const token = csrfFrom((await client.get(status)).text)
      // Customers may attach 5 files at a time: two messages of four.
      for (const batch of [TRICKS.slice(0, 4), TRICKS.slice(4, 8)]) {
        let req = client.post(`${status}/messages`).field('_csrf', token).field('message', 'Here are my files')
        batch.forEach((name, i) => {
          req = req.attach('files', Buffer.from(`customer content ${name.length}-${i}`), { filename: name, contentType: 'application/octet-stream' })
        })
        expect((await req).status).toBe(303)
      }
      const stored = await prisma().attachment.findMany({ where: { conversationId: c.id } })
      expect(stored.length).toBe(8)
      for (const a of stored) expectPlain(a.fileName, a.fileName)
    })

    it('attached to an e-mail: stored as a plain name', async () => {
      const parts = TRICKS.map(
        (name, i) =>
          `--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(`mail content ${i}`).toString('base64')}\r\n`,
      )
      const raw = `From: Pat <pat@example.net>\r\nTo: support@localhost\r\nSubject: tricky attachments\r\nMessage-ID: <tricky-names@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n${parts.join('')}--B--\r\n`
      const { outcome } = await receiveRawMessage(app.ctx.domain, { source: 'http', raw: Buffer.from(raw) })
      expect(outcome.status).toBe('processed')
      const conversationId = outcome.status === 'processed' ? outcome.conversationId! : 0
      const stored = await prisma().attachment.findMany({ where: { conversationId } })
      expect(stored.length).toBe(TRICKS.length)
      for (const a of stored) {
        expectPlain(a.fileName, a.fileName)
        await expectServedPlainly(a.id)
      }
    })

    it('a name cannot pretend to another extension with bidirectional control characters', async () => {
      // Found here (SECURITY.md, "Holes found by these tests", 5): "invoice\u202Efdp.exe" showed as
      // "invoiceexe.pdf" in the thread and in the download dialog.
      const c = await buildConversation(app.ctx.domain, await adminActor(prisma()), { folderId, subject: 'Spoofed extension' })
      const token = csrfFrom((await admin.get(`/conversations/${c.number}`)).text)
      const res = await admin
        .post(`/conversations/${c.number}/messages`)
        .field('_csrf', token)
        .field('type', 'comment')
        .field('text', 'spoof')
        .attach('files', Buffer.from('MZ not really'), { filename: 'invoice\u202efdp.exe', contentType: 'application/octet-stream' })
        .attach('files', Buffer.from('MZ not really 2'), { filename: 'report\u2067gnp.scr\u2069', contentType: 'application/octet-stream' })
      expect(res.status).toBe(303)
      const stored = await prisma().attachment.findMany({ where: { conversationId: c.id } })
      expect(stored).toHaveLength(2)
      for (const a of stored) expect(a.fileName, JSON.stringify(a.fileName)).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/)
    })
  })
})
