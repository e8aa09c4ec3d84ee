import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VISITOR } from '../../../../src/domain/actor.ts'
import { requestPasswordReset, resetPassword } from '../../../../src/domain/agents/passwordReset.ts'
import { buildAgent } from '../../../helpers/factories.ts'
import { openStream, session, type Stream } from '../../../helpers/liveStream.ts'
import { startTestApp, type TestApp } from '../../../helpers/testApp.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitUntilEnded(stream: Stream, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!stream.ended && Date.now() < deadline) await sleep(100)
  return stream.ended
}

describe('the live event stream ends with its session', () => {
  let app: TestApp
  const streams: Stream[] = []
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()))
    await app?.close()
  })

  it('ends within seconds of signing out, and only on that device', async () => {
    const agent = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
    const laptop = await session(app.url, agent.email)
    const phone = await session(app.url, agent.email)
    const onLaptop = await openStream(app.url, laptop.cookie)
    const onPhone = await openStream(app.url, phone.cookie)
    streams.push(onLaptop, onPhone)

    const csrf = await laptop.csrfFromPage('/conversations')
    const out = await fetch(`${app.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: laptop.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
    })
    expect(out.status).toBe(303)
    expect(await waitUntilEnded(onLaptop, 10_000)).toBe(true)
    expect(onPhone.ended).toBe(false)
  })

  it('ends on every device when the password is reset', async () => {
    const agent = await buildAgent(app.ctx.db.prisma, { role: 'agent' })
    const stream = await openStream(app.url, (await session(app.url, agent.email)).cookie)
    streams.push(stream)

    await requestPasswordReset(app.ctx.domain, VISITOR, { email: agent.email })
    const mail = await app.ctx.db.prisma.outboxEmail.findFirstOrThrow({ where: { kind: 'password_reset', toAddress: agent.email } })
    const token = /\/reset-password\/([\w-]+)/.exec(mail.text)![1]!
    await resetPassword(app.ctx.domain, VISITOR, { token, password: 'a completely new password' })
    expect(await waitUntilEnded(stream, 10_000)).toBe(true)
  })
})
