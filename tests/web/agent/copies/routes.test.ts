import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

describe('the reply form’s copies and the forward form, without JavaScript', () => {
  let app: TestApp
  let ada: Actor
  let client: Client
  let token: string
  let folderId: number

  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Copies')).id
    ada = await buildAgent(prisma(), { name: 'Ada', folderIds: [folderId] })
    client = (await signIn(app, ada.email, PASSWORD)).client
    token = csrfFrom((await client.get('/conversations')).text)
  })
  afterAll(async () => {
    await app?.close()
  })

  function postReply(number: number, fields: Record<string, string>) {
    let req = client.post(`/conversations/${number}/messages`).field('_csrf', token)
    for (const [k, v] of Object.entries({ type: 'reply', ...fields })) req = req.field(k, v)
    return req
  }

  it('a reply with a bad Cc is refused at its address with the error, the text and the copies as typed; a good one is kept for the next form', async () => {
    const c = await buildConversation(app.ctx.domain, ada, { folderId })
    const refused = await postReply(c.number, { text: 'Adding my colleague.', cc: 'lee@example.com, nobody', bcc: 'audit@example.com' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('“nobody” is not an e-mail address.')
    expect(refused.text).toMatch(/id="reply-cc" name="cc" type="text" value="lee@example.com, nobody"/)
    expect(refused.text).toMatch(/id="reply-bcc" name="bcc" type="text" value="audit@example.com"/)
    expect(refused.text).toContain('Adding my colleague.')
    expect(await prisma().message.count({ where: { conversationId: c.id, kind: 'agent' } })).toBe(0)

    const sent = await postReply(c.number, { text: 'Adding my colleague.', cc: 'lee@example.com', bcc: '' })
    expect(sent.status).toBe(303)
    const page = await client.get(`/conversations/${c.number}`)
    expect(page.text).toMatch(/id="reply-cc" name="cc" type="text" value="lee@example.com"/)
    expect(page.text).toContain('Cc: lee@example.com')
  })

  it('forwards from the sidebar form with a 303 and a flash; its address answers GET with the conversation', async () => {
    const c = await buildConversation(app.ctx.domain, ada, { folderId })
    const forwarded = await client
      .post(`/conversations/${c.number}/forward`)
      .type('form')
      .send({ _csrf: token, to: 'partner@example.org', note: 'FYI', messageId: '' })
    expect(forwarded.status).toBe(303)
    expect(forwarded.headers.location).toBe(`/conversations/${c.number}`)
    expect(await prisma().outboxEmail.count({ where: { conversationId: c.id, kind: 'forward', toAddress: 'partner@example.org' } })).toBe(1)
    expect((await client.get(`/conversations/${c.number}`)).text).toContain('Forwarded to partner@example.org.')

    const opened = await client.get(`/conversations/${c.number}/forward`)
    expect(opened.status).toBe(303)
    expect(opened.headers.location).toBe(`/conversations/${c.number}`)
  })
})
