import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import request from 'supertest'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('password reset', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://help.example.test' })
    await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  async function askForLink(email: string) {
    const client = request.agent(app.url)
    const page = await client.get('/forgot-password')
    return client
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email })
  }

  it('answers the same for unknown addresses and sends nothing', async () => {
    const res = await askForLink('nobody@example.test')
    expect(res.status).toBe(200)
    expect(res.text).toContain('is on its way')
    expect(await app.ctx.db.prisma.outboxEmail.count()).toBe(0)
  })

  it('puts a single-use link in the outbox that sets a new password and ends other sessions', async () => {
    const { client: otherDevice } = await signIn(app, ADMIN.email, ADMIN.password)
    expect((await otherDevice.get('/conversations')).status).toBe(200)

    await askForLink(ADMIN.email.toUpperCase())
    const mail = await app.ctx.db.prisma.outboxEmail.findFirstOrThrow({ where: { kind: 'password_reset' } })
    expect(mail.toAddress).toBe(ADMIN.email)
    expect(mail.status).toBe('queued')
    expect(mail.messageId).toMatch(/^<[0-9a-f-]+@localhost>$/)
    const link = /https:\/\/help\.example\.test(\/reset-password\/[\w-]+)/.exec(mail.text)?.[1]
    expect(link).toBeDefined()
    expect(mail.html).toContain(`https://help.example.test${link}`)

    const client = request.agent(app.url)
    const form = await client.get(link!)
    expect(form.status).toBe(200)
    const short = await client
      .post(link!)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'short' })
    expect(short.status).toBe(400)
    const done = await client
      .post(link!)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'a brand new password' })
    expect(done.status).toBe(303)

    expect((await otherDevice.get('/conversations')).status).toBe(303)
    expect((await signIn(app, ADMIN.email, ADMIN.password)).res.status).toBe(401)
    expect((await signIn(app, ADMIN.email, 'a brand new password')).res.status).toBe(303)

    const reused = await client.get(link!)
    expect(reused.status).toBe(404)
    expect(reused.text).toContain('expired or was already used')
  })

  it('spends every outstanding reset link of the agent once one of them sets a password', async () => {
    await app.ctx.db.prisma.outboxEmail.deleteMany({ where: { kind: 'password_reset' } })
    await askForLink(ADMIN.email)
    await askForLink(ADMIN.email)
    const mails = await app.ctx.db.prisma.outboxEmail.findMany({ where: { kind: 'password_reset' }, orderBy: { id: 'asc' } })
    expect(mails).toHaveLength(2)
    const [older, newer] = mails.map((m) => /https:\/\/help\.example\.test(\/reset-password\/[\w-]+)/.exec(m.text)![1]!)

    const client = request.agent(app.url)
    const form = await client.get(newer!)
    expect(
      (
        await client
          .post(newer!)
          .type('form')
          .send({ _csrf: csrfFrom(form.text), password: 'the newest password' })
      ).status,
    ).toBe(303)

    // The older link, read later from the log or the mailbox, sets nothing.
    const stale = await client.get(older!)
    expect(stale.status).toBe(404)
    const attempt = await client
      .post(older!)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: 'an attacker password' })
    expect(attempt.status).toBe(404)
    expect((await signIn(app, ADMIN.email, 'an attacker password')).res.status).toBe(401)
    expect((await signIn(app, ADMIN.email, 'the newest password')).res.status).toBe(303)
  })

  it('refuses a forged token', async () => {
    const res = await request(app.url).get('/reset-password/forged-token-value')
    expect(res.status).toBe(404)
  })
})
