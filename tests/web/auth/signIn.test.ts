import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import request from 'supertest'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

const sessionCookie = (res: request.Response) =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('suivi.sid='))
    ?.split(';')[0]

describe('first run and sign-in', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_RATE_LIMIT: '5' })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('sends every page to the first-run form while no agent exists', async () => {
    const home = await request(app.url).get('/').redirects(2)
    expect(home.status).toBe(200)
    expect(home.text).toContain('Set up your help desk')
  })

  it('refuses a malformed first-run form with field messages and creates nothing', async () => {
    const client = request.agent(app.url)
    const page = await client.get('/setup')
    const res = await client
      .post('/setup')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '', email: 'not-an-address', password: 'short' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('Enter a valid e-mail address')
    expect(res.text).toContain('at least 10 characters')
    expect(await app.ctx.db.prisma.agent.count()).toBe(0)
  })

  it('refuses a form without a CSRF token and writes nothing', async () => {
    const client = request.agent(app.url)
    await client.get('/setup')
    const res = await client
      .post('/setup')
      .type('form')
      .send({ ...ADMIN })
    expect(res.status).toBe(403)
    expect(res.text).toContain('This form has expired')
    expect(await app.ctx.db.prisma.agent.count()).toBe(0)
  })

  it('creates the first administrator and the default folder, then closes the first-run form', async () => {
    const client = await setUpAndSignIn(app)
    const list = await client.get('/conversations')
    expect(list.status).toBe(200)
    expect(list.text).toContain('Nothing here')
    const admin = await app.ctx.db.prisma.agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    expect(admin.role).toBe('admin')
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/)
    expect(await app.ctx.db.prisma.folder.count()).toBe(1)
    const again = await request(app.url).get('/setup')
    expect(again.status).toBe(303)
    expect(again.headers.location).toBe('/login')
  })

  it('answers a wrong password with 401 and no session', async () => {
    const { res } = await signIn(app, ADMIN.email, 'wrong password!!')
    expect(res.status).toBe(401)
    expect(res.text).toContain('Wrong e-mail address or password')
  })

  it('rotates the session id at sign-in and destroys the session at sign-out', async () => {
    const client = request.agent(app.url)
    const page = await client.get('/login')
    const before = sessionCookie(page)
    expect(before).toBeDefined()
    const res = await client
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: ADMIN.email, password: ADMIN.password })
    expect(res.status).toBe(303)
    const after = sessionCookie(res)
    expect(after).toBeDefined()
    expect(after).not.toBe(before)
    const sid = decodeURIComponent(after!.split('=')[1]!).slice(2).split('.')[0]!
    expect(await app.ctx.db.prisma.session.count({ where: { sid } })).toBe(1)

    const list = await client.get('/conversations')
    expect(list.status).toBe(200)
    const out = await client
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(list.text) })
    expect(out.status).toBe(303)
    expect(await app.ctx.db.prisma.session.count({ where: { sid } })).toBe(0)
    // The old cookie opens nothing any more.
    const replay = await request(app.url).get('/conversations').set('Cookie', after!)
    expect(replay.status).toBe(303)
    expect(replay.headers.location).toMatch(/^\/login/)
  })

  it('returns to a local page after sign-in but never to another site', async () => {
    for (const [next, expected] of [
      ['/settings', '/settings'],
      ['https://evil.example/', '/'],
      ['//evil.example/', '/'],
      ['/\\evil.example', '/'],
    ] as const) {
      const client = request.agent(app.url)
      const page = await client.get(`/login?next=${encodeURIComponent(next)}`)
      const res = await client
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email: ADMIN.email, password: ADMIN.password, next })
      expect(res.headers.location).toBe(expected)
    }
  })

  it('limits sign-in attempts per address and account', async () => {
    const client = request.agent(app.url)
    const page = await client.get('/login')
    const token = csrfFrom(page.text)
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const res = await client
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: 'someone@example.test', password: `guess number ${i}` })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
  })

  it('ends the session of an agent deactivated since, at the next request', async () => {
    const prisma = app.ctx.db.prisma
    const { hashPassword } = await import('../../../src/domain/agents/passwords.ts')
    await prisma.agent.create({ data: { name: 'Bea', email: 'bea@example.test', passwordHash: await hashPassword('bea password 123') } })
    const { client, res } = await signIn(app, 'bea@example.test', 'bea password 123')
    expect(res.status).toBe(303)
    expect((await client.get('/conversations')).status).toBe(200)
    await prisma.agent.update({ where: { email: 'bea@example.test' }, data: { active: false } })
    const after = await client.get('/conversations')
    expect(after.status).toBe(303)
    expect(after.headers.location).toMatch(/^\/login/)
    const again = await signIn(app, 'bea@example.test', 'bea password 123')
    expect(again.res.status).toBe(401)
  })

  it('keeps settings for administrators only', async () => {
    const prisma = app.ctx.db.prisma
    const { hashPassword } = await import('../../../src/domain/agents/passwords.ts')
    await prisma.agent.create({ data: { name: 'Cy', email: 'cy@example.test', passwordHash: await hashPassword('cy password 1234') } })
    const { client } = await signIn(app, 'cy@example.test', 'cy password 1234')
    const res = await client.get('/settings')
    expect(res.status).toBe(403)
    expect(res.text).toContain('Only administrators')
  })
})
