import http from 'node:http'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_MAX_FILES } from '../../../src/web/middleware/uploads.ts'
import { csrfFrom, startTestApp, type TestApp } from '../../helpers/testApp.ts'

/** What an anonymous visitor can make the server buffer through the customer forms. */
describe('customer form uploads', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app.stop()
  })

  it('refuses a declared size beyond what the form may carry before reading it', async () => {
    const url = new URL('/contact', app.url)
    // 1 GB announced, a few bytes sent: the answer must come without waiting for the rest.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(1024 ** 3) } },
        (res) => {
          let body = ''
          res
            .setEncoding('utf8')
            .on('data', (d: string) => (body += d))
            .on('end', () => resolve({ status: res.statusCode!, body }))
        },
      )
      req.on('error', reject)
      req.write('--x\r\n')
    })
    expect(answer.status).toBe(413)
    expect(answer.body).toMatch(/larger than/)
    const count = await app.ctx.db.prisma.conversation.count()
    expect(count).toBe(0)
  })

  it(`takes at most ${CUSTOMER_MAX_FILES} files, says so, and keeps the text`, async () => {
    const client = request.agent(app.url)
    const token = csrfFrom((await client.get('/contact')).text)
    let post = client
      .post('/contact')
      .field('_csrf', token)
      .field('email', 'many.files@example.org')
      .field('subject', 'Many files')
      .field('message', 'Here are my files.')
    for (let i = 0; i <= CUSTOMER_MAX_FILES; i++) post = post.attach('files', Buffer.from(`file ${i}`), `f${i}.txt`)
    const res = await post
    expect(res.status, res.text.replace(/\s+/g, ' ').slice(-1500)).toBe(413)
    expect(/field-error[^>]*>([^<]*)/.exec(res.text)?.[1]).toContain(`At most ${CUSTOMER_MAX_FILES} files`)
    expect(res.text).toContain('Here are my files.')
    expect(await app.ctx.db.prisma.conversation.count()).toBe(0)
  })
})
