import { Writable } from 'node:stream'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/** The secret in each link is a bearer credential: the request log must never hold it. */
describe('the request log', () => {
  let app: TestApp
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })

  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: sink })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('keeps the paths but not the tokens of status-page, answer, reset and invitation links', async () => {
    const secrets = {
      status: 'statusTokenSecretValue123',
      answer: 'answerTokenSecretValue456',
      reset: 'resetTokenSecretValue789',
      invite: 'inviteTokenSecretValue000',
      attachment: 'attachmentTokenSecret111',
    }
    await request(app.url).get(`/s/${secrets.status}`)
    await request(app.url).get(`/s/${secrets.attachment}/attachments/1`)
    await request(app.url).get(`/r/solved/${secrets.answer}`)
    await request(app.url).get(`/reset-password/${secrets.reset}?from=mail`)
    await request(app.url).get(`/invite/${secrets.invite}`)
    await request(app.url).get('/login')

    const logged = lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).flatMap((l) => (l.req?.url ? [l.req.url] : []))
    expect(logged).toEqual(
      expect.arrayContaining([
        '/s/[redacted]',
        '/s/[redacted]/attachments/1',
        '/r/solved/[redacted]',
        '/reset-password/[redacted]?from=mail',
        '/invite/[redacted]',
        '/login',
      ]),
    )
    const whole = lines.join('\n')
    for (const secret of Object.values(secrets)) expect(whole).not.toContain(secret)
  })
})
