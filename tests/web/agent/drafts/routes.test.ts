import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

describe('drafts on the web: autosave (JSON), the "Save draft" button (form) and discarding', () => {
  let app: TestApp
  let alice: Actor
  let bruno: Actor
  let olga: Actor
  let folderId: number
  let aliceClient: Client
  let brunoClient: Client
  let olgaClient: Client
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Support')).id
    const elsewhere = (await buildFolder(prisma(), 'Elsewhere')).id
    alice = await buildAgent(prisma(), { name: 'Alice', folderIds: [folderId] })
    bruno = await buildAgent(prisma(), { name: 'Bruno', folderIds: [folderId] })
    olga = await buildAgent(prisma(), { name: 'Olga', folderIds: [elsewhere] })
    aliceClient = (await signIn(app, alice.email, PASSWORD)).client
    brunoClient = (await signIn(app, bruno.email, PASSWORD)).client
    olgaClient = (await signIn(app, olga.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  const tokenOf = async (client: Client) => csrfFrom((await client.get('/conversations')).text)
  const draftOf = (agentId: number, conversationId: number) => prisma().draft.findUnique({ where: { agentId_conversationId: { agentId, conversationId } } })
  const newConversation = () => buildConversation(app.ctx.domain, alice, { folderId })

  it('PUT saves the draft as JSON (204); the page opens with it in the editor and tells the others who has one', async () => {
    const c = await newConversation()
    const res = await aliceClient
      .put(`/conversations/${c.number}/draft`)
      .set('X-CSRF-Token', await tokenOf(aliceClient))
      .send({ html: '<p>Dear customer, <b>good news</b><img src="https://evil.test/x.png"></p>', text: 'Dear customer, good news' })
    expect(res.status).toBe(204)
    expect(await draftOf(alice.id, c.id)).toMatchObject({ html: '<p>Dear customer, <b>good news</b></p>', text: 'Dear customer, good news' })

    const page = (await aliceClient.get(`/conversations/${c.number}`)).text
    expect(page).toMatch(/<textarea id="reply-text"[^>]*>Dear customer, good news<\/textarea>/)
    expect(page).toContain('data-draft-html="&lt;p&gt;Dear customer, &lt;b&gt;good news&lt;/b&gt;&lt;/p&gt;"')
    expect(page).toContain('Draft saved')
    expect(page).not.toMatch(/id="drafts-notice" role="status">[^<]/)

    const brunosPage = (await brunoClient.get(`/conversations/${c.number}`)).text
    expect(brunosPage).toContain('Alice has a draft reply here.')
    expect(brunosPage).toMatch(/<textarea id="reply-text"[^>]*><\/textarea>/)
    const others = await brunoClient.get(`/conversations/${c.number}/drafts`).set('Accept', 'application/json')
    expect(others.body).toEqual({ others: ['Alice'] })
  })

  it('PUT without the CSRF token is refused and saves nothing', async () => {
    const c = await newConversation()
    const res = await aliceClient.put(`/conversations/${c.number}/draft`).send({ text: 'no token' })
    expect(res.status).toBe(403)
    expect(await draftOf(alice.id, c.id)).toBeNull()
  })

  it('an agent outside the folder gets a 404 for every draft route and changes nothing', async () => {
    const c = await newConversation()
    await aliceClient
      .put(`/conversations/${c.number}/draft`)
      .set('X-CSRF-Token', await tokenOf(aliceClient))
      .send({ text: 'Alice’s words' })
    const token = await tokenOf(olgaClient)
    expect((await olgaClient.put(`/conversations/${c.number}/draft`).set('X-CSRF-Token', token).send({ text: 'sneaky' })).status).toBe(404)
    expect((await olgaClient.post(`/conversations/${c.number}/draft`).type('form').send({ _csrf: token, text: 'sneaky' })).status).toBe(404)
    expect((await olgaClient.post(`/conversations/${c.number}/draft/discard`).type('form').send({ _csrf: token })).status).toBe(404)
    const others = await olgaClient.get(`/conversations/${c.number}/drafts`).set('Accept', 'application/json')
    expect(others.status).toBe(404)
    expect(others.text).not.toContain('Alice')
    expect(await prisma().draft.findMany({ where: { conversationId: c.id }, select: { agentId: true, text: true } })).toEqual([
      { agentId: alice.id, text: 'Alice’s words' },
    ])
  })

  it('the "Save draft" button posts the form without a script: the text box is the draft, and the page says it was saved', async () => {
    const c = await newConversation()
    const token = await tokenOf(aliceClient)
    // The hidden HTML is the draft the page opened with; the words typed in the text box win.
    const res = await aliceClient
      .post(`/conversations/${c.number}/draft`)
      .type('form')
      .send({ _csrf: token, type: 'reply', text: 'Typed without a script', html: '<p>Old draft</p>' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/conversations/${c.number}`)
    expect(await draftOf(alice.id, c.id)).toMatchObject({ text: 'Typed without a script' })
    const page = (await aliceClient.get(res.headers.location!)).text
    expect(page).toContain('Draft saved.')
    expect(page).toMatch(/<textarea id="reply-text"[^>]*>Typed without a script<\/textarea>/)
    expect(page).toContain('formaction="/conversations/' + c.number + '/draft/discard"')

    const discarded = await aliceClient.post(`/conversations/${c.number}/draft/discard`).type('form').send({ _csrf: token })
    expect(discarded.status).toBe(303)
    expect(await draftOf(alice.id, c.id)).toBeNull()
    expect((await aliceClient.get(`/conversations/${c.number}`)).text).toContain('Draft discarded.')
  })

  it('sending the reply from the form takes the draft away', async () => {
    const c = await newConversation()
    const token = await tokenOf(aliceClient)
    await aliceClient.put(`/conversations/${c.number}/draft`).set('X-CSRF-Token', token).send({ text: 'About to send' })
    const sent = await aliceClient.post(`/conversations/${c.number}/messages`).type('form').send({ _csrf: token, type: 'reply', text: 'About to send' })
    expect(sent.status).toBe(303)
    expect(await draftOf(alice.id, c.id)).toBeNull()
  })
})
