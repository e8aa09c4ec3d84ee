import express from 'express'
import type { Options } from 'express-rate-limit'
import { PrismaPg } from '@prisma/adapter-pg'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrismaClient } from '../../src/generated/prisma/client.ts'
import { PostgresRateLimitStore, RateLimitUnavailableError } from '../../src/db/rateLimitStore.ts'
import { sharedRateLimit } from '../../src/web/middleware/sharedRateLimit.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../helpers/testApp.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'

/** A store on the app's database whose clock the test moves. */
function storeWithClock(app: TestApp, prefix: string, windowMs: number) {
  let now = Date.parse('2026-11-26T10:00:00Z')
  const store = new PostgresRateLimitStore(app.ctx.db.prisma, { prefix, now: () => now, cleanupEveryMs: 1e12 })
  store.init({ windowMs } as Options)
  return { store, advance: (ms: number) => (now += ms), at: () => now }
}

/** Failed sign-in attempts, each from its own fresh client, on the given instance. */
async function failedSignIn(app: TestApp, email: string) {
  const client = request.agent(app.url)
  const page = await client.get('/login')
  const res = await client
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password: 'not the password' })
  return res.status
}

async function contactPost(app: TestApp, i: number) {
  const client = request.agent(app.url)
  const page = await client.get('/contact')
  const res = await client
    .post('/contact')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: `writer${i}@example.org`, subject: `Question ${i}`, message: 'Hello' })
  return res.status
}

describe('rate-limit counters in PostgreSQL', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '3' })
    await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('counts hits in one window and starts a new one when it has ended', async () => {
    const { store, advance, at } = storeWithClock(app, 'window', 60_000)
    const first = await store.increment('client-a')
    expect(first.totalHits).toBe(1)
    expect(first.resetTime?.getTime()).toBe(at() + 60_000)
    advance(30_000)
    const second = await store.increment('client-a')
    expect(second.totalHits).toBe(2)
    expect(second.resetTime?.getTime()).toBe(first.resetTime?.getTime())
    expect((await store.increment('client-b')).totalHits).toBe(1)
    expect(await store.get('client-a')).toEqual({ totalHits: 2, resetTime: first.resetTime })

    advance(30_000)
    expect(await store.get('client-a')).toBeUndefined()
    const fresh = await store.increment('client-a')
    expect(fresh.totalHits).toBe(1)
    expect(fresh.resetTime?.getTime()).toBe(at() + 60_000)
  })

  it('takes back a hit, forgets a client and forgets everybody of one limiter only', async () => {
    const { store } = storeWithClock(app, 'reset', 60_000)
    const other = storeWithClock(app, 'reset-other', 60_000).store
    await store.increment('c')
    await store.increment('c')
    await store.decrement('c')
    expect((await store.get('c'))?.totalHits).toBe(1)
    await store.resetKey('c')
    expect(await store.get('c')).toBeUndefined()

    await store.increment('d')
    await other.increment('d')
    await store.resetAll()
    expect(await store.get('d')).toBeUndefined()
    expect((await other.get('d'))?.totalHits).toBe(1)
  })

  it('counts concurrent hits exactly once each', async () => {
    const { store } = storeWithClock(app, 'concurrent', 60_000)
    const results = await Promise.all(Array.from({ length: 40 }, () => store.increment('busy')))
    expect(results.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  })

  it('deletes rows whose window has ended, and only those', async () => {
    const { store, advance, at } = storeWithClock(app, 'expiry', 1_000)
    await store.increment('old-1')
    await store.increment('old-2')
    advance(5_000)
    await store.increment('current')
    const deleted = await store.deleteExpired(at())
    expect(deleted).toBeGreaterThanOrEqual(2)
    const keys = (await app.ctx.db.prisma.rateLimit.findMany({ where: { key: { startsWith: 'expiry:' } } })).map((r) => r.key)
    expect(keys).toEqual([store.keyFor('current')])
  })

  it('keeps no client address or e-mail in the table, and fits any key length', async () => {
    const { store } = storeWithClock(app, 'digest', 60_000)
    expect((await store.increment(`203.0.113.9|${'x'.repeat(1_000_000)}@example.test`)).totalHits).toBe(1)
    expect(await failedSignIn(app, 'private.person@example.test')).toBe(401)
    const keys = (await app.ctx.db.prisma.rateLimit.findMany()).map((r) => r.key)
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(key).not.toMatch(/@|127\.0\.0\.1|203\.0\.113/)
      expect(key.length).toBeLessThan(80)
    }
  })

  it('answers 503 with Retry-After when the database cannot be reached, and lets nothing through', async () => {
    const dead = new PrismaClient({ adapter: new PrismaPg({ connectionString: 'postgresql://postgres@127.0.0.1:1/nowhere', connectionTimeoutMillis: 2_000 }) })
    let reached = 0
    const site = express()
    site.get('/limited', sharedRateLimit({ db: { prisma: dead } }, { name: 'dead', windowMs: 60_000, limit: 100 }), (_req, res) => {
      reached++
      res.send('ok')
    })
    try {
      const res = await request(site).get('/limited').set('Accept', 'application/json')
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('30')
      expect(res.body.error).toMatch(/try again/i)
      expect(reached).toBe(0)
      await expect(new PostgresRateLimitStore(dead, { prefix: 'dead' }).increment('x')).rejects.toBeInstanceOf(RateLimitUnavailableError)
    } finally {
      await dead.$disconnect()
    }
  })

  it('closes sign-in with a clear 503 while its counters are unavailable, even for the right password', async () => {
    const prisma = app.ctx.db.prisma
    const client = request.agent(app.url)
    const page = await client.get('/login')
    await prisma.$executeRawUnsafe('ALTER TABLE rate_limits RENAME TO rate_limits_away')
    try {
      const res = await client
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: ADMIN.email, password: ADMIN.password })
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('30')
      expect(res.text).toContain('Signing in is not possible right now')
      expect((await client.get('/conversations')).status).toBe(303)
      const contact = await request(app.url).get('/contact')
      expect(contact.status).toBe(200)
    } finally {
      await prisma.$executeRawUnsafe('ALTER TABLE rate_limits_away RENAME TO rate_limits')
    }
    const again = await client
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom((await client.get('/login')).text), email: ADMIN.email, password: ADMIN.password })
    expect(again.status).toBe(303)
  })
})

announceIfSkipped('rate limits shared by two instances on one PostgreSQL database')
describe.runIf(onPostgres)(`rate limits shared by two instances on one PostgreSQL database ${NEEDS_POSTGRES}`, () => {
  let one: TestApp
  let two: TestApp
  beforeAll(async () => {
    one = await startTestApp({ LOGIN_RATE_LIMIT: '4' })
    two = await startTestApp({ LOGIN_RATE_LIMIT: '4', DATABASE_URL: one.ctx.config.databaseUrl! })
    await setUpAndSignIn(one)
  })
  afterAll(async () => {
    await two?.close()
    await one?.close()
  })

  it('counts sign-in attempts made on one instance on the other', async () => {
    const email = 'target@example.test'
    const statuses = [await failedSignIn(one, email), await failedSignIn(two, email), await failedSignIn(one, email), await failedSignIn(two, email)]
    expect(statuses).toEqual([401, 401, 401, 401])
    // Four attempts used the account's budget, whichever instance took them.
    expect(await failedSignIn(one, email)).toBe(429)
    expect(await failedSignIn(two, email)).toBe(429)
    // Another account from the same address is not locked out.
    expect(await failedSignIn(two, 'someone.else@example.test')).toBe(401)
  })

  it('gives a successful sign-in its attempt back on every instance', async () => {
    const client = request.agent(two.url)
    const page = await client.get('/login')
    const res = await client
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: ADMIN.email, password: ADMIN.password })
    expect(res.status).toBe(303)
    expect(await failedSignIn(one, ADMIN.email)).toBe(401)
    expect(await failedSignIn(one, ADMIN.email)).toBe(401)
    expect(await failedSignIn(two, ADMIN.email)).toBe(401)
    expect(await failedSignIn(two, ADMIN.email)).toBe(401)
    expect(await failedSignIn(one, ADMIN.email)).toBe(429)
  })

  it('counts contact-form posts across instances (5 an hour per address)', async () => {
    const statuses = []
    for (let i = 0; i < 6; i++) statuses.push(await contactPost(i % 2 === 0 ? one : two, i))
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    expect(await contactPost(one, 6)).toBe(429)
    expect(await one.ctx.db.prisma.conversation.count()).toBe(5)
  })
})
