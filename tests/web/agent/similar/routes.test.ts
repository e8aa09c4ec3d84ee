import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { replyAsAgent } from '../../../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../../../src/domain/conversations/commands/setConversationStatus.ts'
import { saveDraft } from '../../../../src/domain/drafts/saveDraft.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

describe('similar solved conversations on the conversation page, and "Use this reply"', () => {
  let app: TestApp
  let admin: Actor
  let alice: Actor
  let support: number
  let hidden: number
  let client: Client
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    support = (await buildFolder(prisma(), 'Support')).id
    hidden = (await buildFolder(prisma(), 'Board room')).id
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada' })
    alice = await buildAgent(prisma(), { name: 'Alice', folderIds: [support] })
    client = (await signIn(app, alice.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  async function solved(folderId: number, subject: string, text: string, reply: string) {
    const c = await buildConversation(app.ctx.domain, admin, { folderId, subject, text })
    await replyAsAgent(app.ctx.domain, admin, { conversationId: c.id, html: `<p>${reply}</p>` })
    await setConversationStatus(app.ctx.domain, admin, { conversationId: c.id, status: 'closed' })
    return c
  }
  const draftOf = (conversationId: number) => prisma().draft.findUnique({ where: { agentId_conversationId: { agentId: alice.id, conversationId } } })

  it('lists the similar solved one with its reply; "Use this reply" makes it the draft (after what was there) and the page opens with it', async () => {
    const old = await solved(support, 'Kettle whistles twice', 'My kettle whistles twice before boiling.', 'Descale the kettle with vinegar.')
    const secret = await solved(hidden, 'Kettle whistles twice again', 'The kettle whistles twice.', 'Board room kettle answer.')
    const current = await buildConversation(app.ctx.domain, alice, { folderId: support, subject: 'Whistling kettle', text: 'The kettle whistles twice, why?' })

    // The page itself does not look for them: its card fetches the list, or opens the page asking for it.
    const plain = (await client.get(`/conversations/${current.number}`)).text
    expect(plain).toContain('Similar solved conversations')
    expect(plain).toContain(`data-similar-load="/conversations/${current.number}/similar"`)
    expect(plain).not.toContain('Descale the kettle with vinegar.')
    const fragment = await client.get(`/conversations/${current.number}/similar`)
    expect(fragment.status).toBe(200)
    expect(fragment.text).toContain(`action="/conversations/${current.number}/similar/${old.number}/reuse"`)
    expect(fragment.text).not.toContain('Board room kettle answer.')
    const page = (await client.get(`/conversations/${current.number}?similar=1`)).text
    expect(page).toContain(`href="/conversations/${old.number}"`)
    expect(page).toContain('Descale the kettle with vinegar.')
    expect(page).toContain(`action="/conversations/${current.number}/similar/${old.number}/reuse"`)
    expect(page).not.toContain('Board room kettle answer.')

    await saveDraft(app.ctx.domain, alice, { conversationId: current.id, text: 'Hello,' })
    const res = await client
      .post(`/conversations/${current.number}/similar/${old.number}/reuse`)
      .type('form')
      .send({ _csrf: csrfFrom(page) })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/conversations/${current.number}`)
    expect(await draftOf(current.id)).toMatchObject({ text: 'Hello,\n\nDescale the kettle with vinegar.' })
    const after = (await client.get(res.headers.location!)).text
    expect(after).toContain('The reply is in your draft.')
    expect(after).toMatch(/<textarea id="reply-text"[^>]*>Hello,\n\nDescale the kettle with vinegar.<\/textarea>/)

    // A conversation the agent may not see: 404, and the draft is as it was.
    const refused = await client
      .post(`/conversations/${current.number}/similar/${secret.number}/reuse`)
      .type('form')
      .send({ _csrf: csrfFrom(after) })
    expect(refused.status).toBe(404)
    expect(refused.text).not.toContain('Board room kettle answer.')
    expect((await draftOf(current.id))?.text).toBe('Hello,\n\nDescale the kettle with vinegar.')
  })

  it('into a conversation the agent may not see: 404, no draft', async () => {
    const old = await solved(support, 'Toaster burns bread', 'The toaster burns bread.', 'Turn the dial down.')
    const theirs = await buildConversation(app.ctx.domain, admin, { folderId: hidden, subject: 'Toaster burns bread too' })
    const token = csrfFrom((await client.get('/conversations')).text)
    const res = await client.post(`/conversations/${theirs.number}/similar/${old.number}/reuse`).type('form').send({ _csrf: token })
    expect(res.status).toBe(404)
    expect(await prisma().draft.count({ where: { conversationId: theirs.id } })).toBe(0)
  })
})
