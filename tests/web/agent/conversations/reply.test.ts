import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

/** The thread part of a conversation page (messages only, no editor, no sidebar). */
function threadOf(html: string): string {
  const m = /<ol class="thread"[^>]*>([\s\S]*?)<\/ol>/.exec(html)
  if (!m) throw new Error('no thread on the page')
  return m[1]!
}

/** The flash message of a page, tags and spaces flattened. */
function flashOf(html: string): string {
  const m = /<div class="flash flash-(?:success|info|error)[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html)
  return m
    ? m[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : ''
}

const decode = (html: string) =>
  html
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#34;|&quot;/g, '"')

describe('after sending a reply: where the agent goes, and undo send', () => {
  let app: TestApp
  let ada: Actor
  let ana: Client
  let token: string
  let folder: { id: number }

  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    folder = await buildFolder(prisma(), 'After sending')
    ada = await buildAgent(prisma(), { name: 'Ada', folderIds: [folder.id] })
    ana = (await signIn(app, ada.email, PASSWORD)).client
    token = csrfFrom((await ana.get('/conversations')).text)
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Posts the reply form as the page does (multipart; the page adds undo=1). */
  function postReply(client: Client, number: number, fields: Record<string, string>) {
    let req = client.post(`/conversations/${number}/messages`).field('_csrf', token)
    for (const [k, v] of Object.entries({ type: 'reply', ...fields })) req = req.field(k, v)
    return req
  }
  /** Three conversations in the folder, oldest first; the list shows them newest first. */
  async function threeConversations() {
    const made = []
    for (const subject of ['Oldest', 'Middle', 'Newest']) made.push(await buildConversation(app.ctx.domain, ada, { folderId: folder.id, subject }))
    return made
  }
  const listOfFolder = () => `/conversations?tab=all&folder=${folder.id}`
  const afterSendOf = async (agent: Actor) => (await prisma().agent.findUniqueOrThrow({ where: { id: agent.id } })).afterSend

  describe('where the agent goes', () => {
    it('the reply form offers the choice beside Send, the agent’s own selected, and asks for the undo window', async () => {
      const [c] = await threeConversations()
      const page = (await ana.get(`/conversations/${c!.number}`)).text
      expect(page).toMatch(/<label for="after-send">After sending<\/label>/)
      const select = /<select id="after-send" name="afterSend">([\s\S]*?)<\/select>/.exec(page)![1]!
      expect([...select.matchAll(/<option value="(\w+)"/g)].map((m) => m[1])).toEqual(['stay', 'next', 'list'])
      expect(select).toMatch(/<option value="stay" selected>/)
      expect(page).toContain('<input type="hidden" name="undo" value="1">')
    })

    it('"next conversation" opens the one below it in the list the agent came from, and is remembered', async () => {
      const [oldest, middle] = await threeConversations()
      await ana.get(listOfFolder())
      const res = await postReply(ana, middle!.number, { text: 'On its way.', afterSend: 'next', undo: '1' })
      expect(res.status).toBe(303)
      // Found from where it stood before the reply moved it to the top.
      expect(res.headers.location).toBe(`/conversations/${oldest!.number}`)
      expect(await afterSendOf(ada)).toBe('next')
      const next = (await ana.get(res.headers.location!)).text
      expect(flashOf(next)).toContain('Reply sent.')
      expect(next).toMatch(/<option value="next" selected>/)
    })

    it('with nothing below, goes back to the list and says it was the last one', async () => {
      const [oldest] = await threeConversations()
      // The list of this folder only: the oldest of the three has nothing below it there.
      await prisma().conversation.updateMany({ where: { folderId: folder.id, id: { not: oldest!.id } }, data: { lastActivityAt: new Date() } })
      await prisma().conversation.update({ where: { id: oldest!.id }, data: { lastActivityAt: new Date('2020-01-01T00:00:00Z') } })
      await ana.get(listOfFolder())
      const res = await postReply(ana, oldest!.number, { text: 'Done.', afterSend: 'next' })
      expect(decode(res.headers.location!)).toBe(`/conversations?tab=all&folder=${folder.id}`)
      expect(flashOf((await ana.get(res.headers.location!)).text)).toContain('That was the last conversation of the list.')
    })

    it('"back to the list" returns to the list the agent came from', async () => {
      const [c] = await threeConversations()
      await ana.get(`${listOfFolder()}&q=`)
      const res = await postReply(ana, c!.number, { text: 'Thanks.', afterSend: 'list' })
      expect(decode(res.headers.location!)).toBe(`/conversations?tab=all&folder=${folder.id}`)
      expect(await afterSendOf(ada)).toBe('list')
    })

    it('an internal comment stays on the conversation (the choice is still remembered)', async () => {
      const [c] = await threeConversations()
      const res = await postReply(ana, c!.number, { type: 'comment', text: 'Checking with the warehouse.', afterSend: 'stay' })
      expect(res.headers.location).toBe(`/conversations/${c!.number}`)
      expect(await afterSendOf(ada)).toBe('stay')
      const next = await postReply(ana, c!.number, { type: 'comment', text: 'They have it.', afterSend: 'next' })
      expect(next.headers.location).toBe(`/conversations/${c!.number}`)
      expect(await afterSendOf(ada)).toBe('next')
    })

    it('a form without the choice follows the remembered one; a made-up value is ignored', async () => {
      await prisma().agent.update({ where: { id: ada.id }, data: { afterSend: 'stay' } })
      const [c] = await threeConversations()
      expect((await postReply(ana, c!.number, { text: 'One.' })).headers.location).toBe(`/conversations/${c!.number}`)
      expect((await postReply(ana, c!.number, { text: 'Two.', afterSend: 'elsewhere' })).headers.location).toBe(`/conversations/${c!.number}`)
      expect(await afterSendOf(ada)).toBe('stay')
    })

    it('the profile shows the choice and changes it', async () => {
      const page = (await ana.get('/profile')).text
      expect(page).toContain('After sending a reply')
      expect(page).toMatch(/<input type="radio" name="afterSend" value="stay" aria-describedby="afterSend-hint" checked>/)
      const res = await ana
        .post('/profile')
        .type('form')
        .send({ _csrf: csrfFrom(page), afterSend: 'list', locale: 'en', timeZone: 'UTC' })
      expect(res.status).toBe(303)
      expect(await afterSendOf(ada)).toBe('list')
      expect((await ana.get('/profile')).text).toMatch(/value="list" aria-describedby="afterSend-hint" checked>/)
      await prisma().agent.update({ where: { id: ada.id }, data: { afterSend: 'stay' } })
    })
  })

  describe('undo send', () => {
    /** Sends a reply from the form and returns the Undo form the next page shows. */
    async function replyWithUndo(number: number, text: string) {
      const res = await postReply(ana, number, { text, undo: '1', afterSend: 'stay' })
      const page = (await ana.get(res.headers.location!)).text
      const form = /<form method="post" action="([^"]+)" class="flash-undo">([\s\S]*?)<\/form>/.exec(page)
      return { page, action: form?.[1] ?? null, until: form ? Number(/name="until" value="(\d+)"/.exec(form[2]!)?.[1]) : null }
    }

    it('"Reply sent" comes with Undo; Undo takes the reply out of the thread and puts its words back in the editor', async () => {
      const [c] = await threeConversations()
      const { page, action, until } = await replyWithUndo(c!.number, 'A reply I want back.')
      expect(flashOf(page)).toContain('Reply sent.')
      expect(action).toMatch(new RegExp(`^/conversations/${c!.number}/messages/\\d+/withdraw$`))
      expect(until).toBeGreaterThan(Date.now())
      expect(threadOf(page)).toContain('A reply I want back.')
      const message = await prisma().message.findFirstOrThrow({ where: { conversationId: c!.id, kind: 'agent' } })
      expect(await prisma().outboxEmail.count({ where: { messageId: message.emailMessageId! } })).toBe(1)

      const undone = await ana
        .post(action!)
        .type('form')
        .send({ _csrf: token, until: String(until) })
      expect(undone.status).toBe(200)
      expect(flashOf(undone.text)).toContain('Reply withdrawn: it was not sent. Its text is back in the editor.')
      expect(threadOf(undone.text)).not.toContain('A reply I want back.')
      expect(/<textarea id="reply-text"[^>]*>([^<]*)<\/textarea>/.exec(undone.text)?.[1]).toContain('A reply I want back.')
      expect(decode(/<input type="hidden" name="html" value="([^"]*)">/.exec(undone.text)?.[1] ?? '')).toContain('A reply I want back.')
      expect(await prisma().message.count({ where: { id: message.id } })).toBe(0)
      expect(await prisma().outboxEmail.count({ where: { messageId: message.emailMessageId! } })).toBe(0)
      expect(undone.text).toContain('withdrew a reply before it was sent')
      // The address of the answer, opened again, is the conversation.
      const again = await ana.get(action!)
      expect(again.status).toBe(303)
      expect(again.headers.location).toBe(`/conversations/${c!.number}`)
    })

    it('names the attached files to choose again', async () => {
      const [c] = await threeConversations()
      const res = await ana
        .post(`/conversations/${c!.number}/messages`)
        .field('_csrf', token)
        .field('type', 'reply')
        .field('text', 'See the attached label.')
        .field('undo', '1')
        .attach('files', Buffer.from('label'), 'label.txt')
      expect(res.status).toBe(303)
      const message = await prisma().message.findFirstOrThrow({ where: { conversationId: c!.id, bodyText: { contains: 'attached label' } } })
      const undone = await ana.post(`/conversations/${c!.number}/messages/${message.id}/withdraw`).type('form').send({ _csrf: token })
      expect(undone.status).toBe(200)
      expect(undone.text).toContain('Choose the attached files again: label.txt.')
    })

    it('too late: a reply sent at once has no Undo, and withdrawing it says so and changes nothing', async () => {
      const [c] = await threeConversations()
      const res = await postReply(ana, c!.number, { text: 'Sent straight away.' })
      const page = (await ana.get(res.headers.location!)).text
      expect(page).not.toContain('class="flash-undo"')
      const message = await prisma().message.findFirstOrThrow({ where: { conversationId: c!.id, bodyText: 'Sent straight away.' } })
      const refused = await ana.post(`/conversations/${c!.number}/messages/${message.id}/withdraw`).type('form').send({ _csrf: token })
      expect(refused.status).toBe(303)
      expect(refused.headers.location).toBe(`/conversations/${c!.number}`)
      const shown = (await ana.get(refused.headers.location!)).text
      expect(flashOf(shown)).toContain('Too late to undo: the reply has already left. Nothing was changed.')
      expect(threadOf(shown)).toContain('Sent straight away.')
    })

    it('only the author may withdraw; others of the folder are told so, and an agent outside it gets a 404', async () => {
      const [c] = await threeConversations()
      const { action } = await replyWithUndo(c!.number, 'Ada’s words.')
      const colleague = await buildAgent(prisma(), { folderIds: [folder.id] })
      const bob = (await signIn(app, colleague.email, PASSWORD)).client
      const bobToken = csrfFrom((await bob.get('/conversations')).text)
      const refused = await bob.post(action!).type('form').send({ _csrf: bobToken })
      expect(refused.status).toBe(303)
      expect(flashOf((await bob.get(refused.headers.location!)).text)).toContain('Only its author can withdraw a reply.')
      const outsider = await buildAgent(prisma(), { folderIds: [(await buildFolder(prisma())).id] })
      const eve = (await signIn(app, outsider.email, PASSWORD)).client
      const eveToken = csrfFrom((await eve.get('/conversations')).text)
      expect((await eve.post(action!).type('form').send({ _csrf: eveToken })).status).toBe(404)
      expect(await prisma().message.count({ where: { conversationId: c!.id, kind: 'agent' } })).toBe(1)
    })
  })
})
