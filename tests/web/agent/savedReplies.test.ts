import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { createSavedReply } from '../../../src/domain/savedReplies/manageSavedReplies.ts'
import { statusPageUrl } from '../../../src/mail/customerLinks.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

describe('saved replies pages and endpoints', () => {
  let app: TestApp
  let admin: Actor
  let agent: Actor
  let outsider: Actor
  let folderId: number
  let otherFolderId: number
  let conversation: { id: number; number: number }
  let adminClient: Client
  let agentClient: Client
  let outsiderClient: Client
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folderId = (await buildFolder(prisma(), 'Returns')).id
    otherFolderId = (await buildFolder(prisma(), 'Wholesale')).id
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada Admin' })
    agent = await buildAgent(prisma(), { folderIds: [folderId], name: 'Rita Returns' })
    outsider = await buildAgent(prisma(), { folderIds: [otherFolderId], name: 'Walt Wholesale' })
    conversation = await buildConversation(app.ctx.domain, admin, { folderId, customerName: 'Zoé Fontaine', subject: 'Broken vase' })
    adminClient = (await signIn(app, admin.email, PASSWORD)).client
    agentClient = (await signIn(app, agent.email, PASSWORD)).client
    outsiderClient = (await signIn(app, outsider.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  async function token(client: Client, path = '/saved-replies/new') {
    return csrfFrom((await client.get(path)).text)
  }

  it('an agent creates a saved reply in their folder through the form, and sees it listed with its folder and uses', async () => {
    const page = await agentClient.get('/saved-replies/new')
    expect(page.status).toBe(200)
    // An agent may not share with all folders: only their folders are offered.
    expect(page.text).not.toContain('All folders</option>')
    expect(page.text).toContain('{{customer.firstName}}')
    const res = await agentClient
      .post('/saved-replies')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: 'Return label',
        folderId: String(folderId),
        html: '<p>Hi {{customer.firstName}}, here is your label.</p>',
        text: '',
      })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/saved-replies')
    const list = await agentClient.get('/saved-replies')
    expect(list.text).toContain('Saved reply “Return label” created.')
    expect(list.text).toContain('Return label')
    expect(list.text).toContain('Returns')
    expect(list.text).toMatch(/saved-replies-uses">.*0<\/td>/)
  })

  it('a refused form keeps what was typed and says what is wrong, in the agent’s language', async () => {
    const csrf = await token(agentClient)
    const res = await agentClient
      .post('/saved-replies')
      .type('form')
      .send({ _csrf: csrf, name: 'Return label', folderId: String(folderId), html: '', text: 'Typed without JavaScript' })
    expect(res.status).toBe(409)
    expect(res.text).toContain('A saved reply named “Return label” already exists here')
    expect(res.text).toContain('Typed without JavaScript')
    await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'fr' } })
    try {
      const fr = await agentClient.post('/saved-replies').type('form').send({ _csrf: csrf, name: 'Partagée', folderId: '', html: '<p>x</p>' })
      expect(fr.status).toBe(400)
      expect(fr.text).toContain('Seuls les administrateurs peuvent partager une réponse enregistrée avec tous les dossiers')
      expect(fr.text).toContain('Nouvelle réponse enregistrée')
    } finally {
      await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'en' } })
    }
  })

  it('an admin shares one with all folders; agents see it but cannot edit it', async () => {
    const page = await adminClient.get('/saved-replies/new')
    expect(page.text).toContain('All folders</option>')
    const res = await adminClient
      .post('/saved-replies')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Shared sign-off', folderId: '', html: '<p>Kind regards, {{agent.name}}</p>' })
    expect(res.status).toBe(303)
    const shared = await prisma().savedReply.findFirstOrThrow({ where: { name: 'Shared sign-off' } })
    const list = await agentClient.get('/saved-replies')
    expect(list.text).toContain('Shared sign-off')
    expect(list.text).toContain('All folders')
    expect(list.text).not.toContain(`href="/saved-replies/${shared.id}"`)
    expect((await agentClient.get(`/saved-replies/${shared.id}`)).status).toBe(403)
  })

  it('the edit form shows the reply, saves changes and deletes it', async () => {
    const reply = await createSavedReply(app.ctx.domain, agent, { name: 'Old name', folderId, html: '<p>Old <strong>text</strong></p>' })
    const page = await agentClient.get(`/saved-replies/${reply.id}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('value="Old name"')
    // Without JavaScript the textarea shows the text; the editor reads the HTML.
    expect(page.text).toMatch(/<textarea[^>]*>Old text<\/textarea>/)
    const saved = await agentClient
      .post(`/saved-replies/${reply.id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'New name', folderId: String(folderId), html: '<p>New <em>text</em></p>', text: '' })
    expect(saved.status).toBe(303)
    expect(await prisma().savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toMatchObject({ name: 'New name', bodyHtml: '<p>New <em>text</em></p>' })
    const deleted = await agentClient
      .post(`/saved-replies/${reply.id}/delete`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(deleted.status).toBe(303)
    expect((await agentClient.get('/saved-replies')).text).toContain('Saved reply “New name” deleted.')
    expect(await prisma().savedReply.count({ where: { id: reply.id } })).toBe(0)
  })

  it('the picker’s JSON lists what is usable on the conversation, with a preview', async () => {
    const res = await agentClient.get(`/saved-replies/for/${conversation.number}`).set('Accept', 'application/json')
    expect(res.status).toBe(200)
    const names = (res.body.savedReplies as { name: string; preview: string }[]).map((r) => r.name)
    expect(names).toEqual(['Return label', 'Shared sign-off'])
    expect(res.body.savedReplies[0].preview).toBe('Hi {{customer.firstName}}, here is your label.')
  })

  it('inserting answers the filled HTML as JSON and counts the use', async () => {
    const reply = await prisma().savedReply.findFirstOrThrow({ where: { name: 'Return label' } })
    const csrf = csrfFrom((await agentClient.get(`/conversations/${conversation.number}`)).text)
    const res = await agentClient
      .post(`/conversations/${conversation.number}/saved-replies`)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrf)
      .send({ savedReplyId: reply.id })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ html: '<p>Hi Zoé, here is your label.</p>', name: 'Return label' })
    expect(await prisma().savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toMatchObject({ useCount: 1 })
    expect(await prisma().event.count({ where: { type: 'saved_reply.used', conversationId: conversation.id } })).toBe(1)
  })

  it('without JavaScript, Insert shows the conversation again with the reply added to what was typed', async () => {
    const page = await agentClient.get(`/conversations/${conversation.number}`)
    // The plain list and its button sit in the reply form.
    expect(page.text).toContain('id="saved-reply-choice"')
    expect(page.text).toContain(`formaction="/conversations/${conversation.number}/saved-replies"`)
    const shared = await prisma().savedReply.findFirstOrThrow({ where: { name: 'Shared sign-off' } })
    const res = await agentClient
      .post(`/conversations/${conversation.number}/saved-replies`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), type: 'reply', text: 'Thanks for the photos.', html: '', statusAfter: 'open', savedReplyId: String(shared.id) })
    expect(res.status).toBe(200)
    expect(res.text).toContain('“Shared sign-off” was added to your reply')
    expect(res.text).toMatch(/<textarea id="reply-text"[^>]*>Thanks for the photos.\n\nKind regards, Rita Returns<\/textarea>/)
    expect(res.text).toMatch(/<option value="open" selected>/)
    // Nothing chosen: the page again, the text kept.
    const none = await agentClient
      .post(`/conversations/${conversation.number}/saved-replies`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), type: 'reply', text: 'Still here', savedReplyId: '' })
    expect(none.status).toBe(400)
    expect(none.text).toContain('Still here')
    // Opened again from the address bar: the conversation.
    const again = await agentClient.get(`/conversations/${conversation.number}/saved-replies`)
    expect(again.status).toBe(303)
    expect(again.headers.location).toBe(`/conversations/${conversation.number}`)
  })

  it('the status link variable is the customer’s status page', async () => {
    const reply = await createSavedReply(app.ctx.domain, admin, { name: 'Follow it', folderId: '', html: '<p>Follow it here: {{conversation.statusLink}}</p>' })
    const csrf = csrfFrom((await agentClient.get(`/conversations/${conversation.number}`)).text)
    const res = await agentClient
      .post(`/conversations/${conversation.number}/saved-replies`)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrf)
      .send({ savedReplyId: reply.id })
    expect(res.body.html).toContain(`href="${statusPageUrl(app.ctx.mail, conversation.id)}"`)
  })

  it('an agent outside the folder cannot see, use, edit or delete the folder’s saved reply', async () => {
    const reply = await prisma().savedReply.findFirstOrThrow({ where: { name: 'Return label' } })
    const before = await prisma().savedReply.findUniqueOrThrow({ where: { id: reply.id } })
    const list = await outsiderClient.get('/saved-replies')
    expect(list.status).toBe(200)
    expect(list.text).not.toContain('Return label')
    expect(list.text).toContain('Shared sign-off')
    const csrf = csrfFrom(list.text)
    expect((await outsiderClient.get(`/saved-replies/${reply.id}`)).status).toBe(404)
    expect((await outsiderClient.get(`/saved-replies/for/${conversation.number}`).set('Accept', 'application/json')).status).toBe(404)
    const use = await outsiderClient
      .post(`/conversations/${conversation.number}/saved-replies`)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrf)
      .send({ savedReplyId: reply.id })
    expect(use.status).toBe(404)
    expect(JSON.stringify(use.body)).not.toContain('Hi ')
    const edit = await outsiderClient
      .post(`/saved-replies/${reply.id}`)
      .type('form')
      .send({ _csrf: csrf, name: 'Hijacked', folderId: String(otherFolderId), html: '<p>x</p>' })
    expect(edit.status).toBe(404)
    expect((await outsiderClient.post(`/saved-replies/${reply.id}/delete`).type('form').send({ _csrf: csrf })).status).toBe(404)
    expect(await prisma().savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toEqual(before)
    // Nor may they use it on a conversation of their own folder.
    const own = await buildConversation(app.ctx.domain, admin, { folderId: otherFolderId })
    const elsewhere = await outsiderClient
      .post(`/conversations/${own.number}/saved-replies`)
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrf)
      .send({ savedReplyId: reply.id })
    expect(elsewhere.status).toBe(404)
    expect(await prisma().savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toEqual(before)
  })

  it('asks to sign in first', async () => {
    const anonymous = (await import('supertest')).default(app.url)
    const res = await anonymous.get('/saved-replies').set('Accept', 'text/html')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Fsaved-replies')
  })
})
