import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']
type Folder = Awaited<ReturnType<typeof buildFolder>>

/** The flash of a page: its text and, when it has one, its Undo form's address and hidden fields. */
function flashOf(html: string) {
  const m = /<div class="flash flash-(\w+)[^"]*" role="\w+">([^<]*)(?:<form method="post" action="([^"]+)" class="flash-undo">([\s\S]*?)<\/form>)?<\/div>/.exec(
    html.replace(/\n\s*/g, ''),
  )
  if (!m) return null
  const fields = Object.fromEntries([...(m[4] ?? '').matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((f) => [f[1]!, f[2]!]))
  return { kind: m[1]!, text: m[2]!, undo: m[3] ? { action: m[3], fields } : null }
}

const historyOf = (html: string) => /<ol class="history">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? ''

describe('the conversation sidebar, with and without the page’s script', () => {
  let app: TestApp
  let general: Folder
  let returns: Folder
  let ada: Actor
  let client: Client
  let token: string
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    general = await buildFolder(prisma(), 'General desk')
    returns = await buildFolder(prisma(), 'Returns desk')
    ada = await buildAgent(prisma(), { folderIds: [general.id, returns.id], name: 'Ada Agent' })
    client = (await signIn(app, ada.email, PASSWORD)).client
    token = csrfFrom((await client.get('/conversations')).text)
  })
  afterAll(async () => {
    await app?.close()
  })

  const newConversation = (subject: string, options: { assigneeId?: number } = {}) =>
    buildConversation(app.ctx.domain, ada, { folderId: general.id, subject, ...options })
  const row = (id: number) => prisma().conversation.findUniqueOrThrow({ where: { id }, include: { tags: true } })
  /** Posts a form as the browser does without JavaScript. */
  const post = (path: string, fields: Record<string, string>) =>
    client
      .post(path)
      .type('form')
      .send({ _csrf: token, ...fields })
  /** Posts it as public/js/sidebar.js does. */
  const postJson = (path: string, fields: Record<string, string>) =>
    client.post(path).set('Accept', 'application/json').set('X-CSRF-Token', token).type('form').send(fields)

  describe('without JavaScript', () => {
    it('a status change redirects to the conversation with a flash that says it and an Undo form that puts it back', async () => {
      const conversation = await newConversation('Status and undo')
      const href = `/conversations/${conversation.number}`
      const res = await post(`${href}/status`, { status: 'closed' })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe(href)
      expect((await row(conversation.id)).status).toBe('closed')

      const flash = flashOf((await client.get(href)).text)
      expect(flash).toEqual({
        kind: 'success',
        text: 'Status set to Closed.',
        undo: { action: `${href}/status`, fields: { _csrf: token, status: 'new', undoing: '1' } },
      })

      const undone = await post(flash!.undo!.action, flash!.undo!.fields)
      expect(undone.status).toBe(303)
      expect((await row(conversation.id)).status).toBe('new')
      const page = (await client.get(href)).text
      // An undo is not offered for undoing in its turn; both changes are in the history.
      expect(flashOf(page)).toEqual({ kind: 'success', text: 'Undone: Status set to New.', undo: null })
      expect(historyOf(page)).toContain('changed the status from New to Closed')
      expect(historyOf(page)).toContain('changed the status from Closed to New')
      // The flash is shown once.
      expect(flashOf((await client.get(href)).text)).toBeNull()
    })

    it('“Assign to me” is one click, and is not offered once the conversation is the agent’s', async () => {
      const conversation = await newConversation('Assign me')
      const href = `/conversations/${conversation.number}`
      const page = (await client.get(href)).text
      const form = /<form method="post" action="([^"]+)" class="assign-me" data-sidebar-form>([\s\S]*?)<\/form>/.exec(page)
      expect(form?.[1]).toBe(`${href}/assign`)
      expect(form?.[2]).toContain(`name="assigneeId" value="${ada.id}"`)
      expect(form?.[2]).toContain('data-action="assign-me"')
      expect((await post(`${href}/assign`, { assigneeId: String(ada.id) })).status).toBe(303)
      expect((await row(conversation.id)).assigneeId).toBe(ada.id)
      const after = (await client.get(href)).text
      expect(flashOf(after)?.text).toBe('Assigned to you.')
      expect(flashOf(after)?.undo?.fields).toMatchObject({ assigneeId: '', undoing: '1' })
      expect(after).not.toContain('data-action="assign-me"')
    })

    it('a refused change (an assignee outside the folder) changes nothing', async () => {
      const outsider = await buildAgent(prisma(), { folderIds: [returns.id], name: 'Olga Outside' })
      const conversation = await newConversation('Refused assignee')
      const res = await post(`/conversations/${conversation.number}/assign`, { assigneeId: String(outsider.id) })
      expect(res.status).toBe(400)
      expect(res.text).toContain('That agent cannot work in this folder')
      expect((await row(conversation.id)).assigneeId).toBeNull()
    })

    it('the customer’s language is confirmed, with no Undo', async () => {
      const conversation = await newConversation('Language')
      const href = `/conversations/${conversation.number}`
      expect((await post(`${href}/language`, { locale: 'fr' })).status).toBe(303)
      expect(flashOf((await client.get(href)).text)).toEqual({ kind: 'success', text: 'The customer’s e-mails will be in Français.', undo: null })
      // Its address, opened again, is the conversation.
      const again = await client.get(`${href}/language`)
      expect(again.status).toBe(303)
      expect(again.headers.location).toBe(href)
    })
  })

  describe('with the page’s script (JSON)', () => {
    it('answers a status change with the message, the undo, the sidebar drawn anew and the header’s badge', async () => {
      const conversation = await newConversation('JSON status')
      const href = `/conversations/${conversation.number}`
      const res = await postJson(`${href}/status`, { status: 'pending' })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({
        kind: 'success',
        message: 'Status set to Pending.',
        undo: { action: `${href}/status`, fields: { status: 'new', undoing: '1' } },
        folder: 'General desk',
      })
      expect(res.body.sidebar).toContain('<aside class="sidebar" id="conversation-sidebar"')
      expect(res.body.sidebar).toContain('<option value="pending" selected>')
      expect(res.body.sidebar).toContain('changed the status from New to Pending')
      // The team tools' cards are drawn again too, not dropped until the next reload.
      expect(res.body.sidebar).toContain('id="snooze-form"')
      expect(res.body.sidebar).toContain('id="customer-profile-link"')
      expect(res.body.statusBadge).toContain('status-pending')
      // No flash is left behind for the next page.
      expect(flashOf((await client.get(href)).text)).toBeNull()

      const undone = await postJson(res.body.undo.action, res.body.undo.fields)
      expect(undone.body).toMatchObject({ message: 'Undone: Status set to New.', undo: null })
      expect((await row(conversation.id)).status).toBe('new')
    })

    it('a tag added is taken off by its undo, and a tag removed put back', async () => {
      const tag = await buildTag(prisma(), 'fragile', 'red')
      const conversation = await newConversation('JSON tags')
      const href = `/conversations/${conversation.number}`
      const added = await postJson(`${href}/tags`, { tagId: String(tag.id) })
      expect(added.body).toMatchObject({ message: 'Tag “fragile” added.', undo: { action: `${href}/tags/${tag.id}/remove`, fields: { undoing: '1' } } })
      expect(added.body.sidebar).toContain('id="remove-tag-')
      expect((await row(conversation.id)).tags.map((t) => t.tagId)).toEqual([tag.id])
      await postJson(added.body.undo.action, added.body.undo.fields)
      expect((await row(conversation.id)).tags).toEqual([])

      await postJson(`${href}/tags`, { tagId: String(tag.id) })
      const removed = await postJson(`${href}/tags/${tag.id}/remove`, {})
      expect(removed.body).toMatchObject({
        message: 'Tag “fragile” removed.',
        undo: { action: `${href}/tags`, fields: { tagId: String(tag.id), undoing: '1' } },
      })
      await postJson(removed.body.undo.action, removed.body.undo.fields)
      expect((await row(conversation.id)).tags.map((t) => t.tagId)).toEqual([tag.id])
    })

    it('undoing a move that unassigned someone moves it back and gives it back to them', async () => {
      const stella = await buildAgent(prisma(), { folderIds: [general.id], name: 'Stella Stays' })
      const conversation = await newConversation('JSON move', { assigneeId: stella.id })
      const href = `/conversations/${conversation.number}`
      const moved = await postJson(`${href}/move`, { folderId: String(returns.id) })
      expect(moved.body).toMatchObject({
        message: 'Moved to Returns desk; Stella Stays cannot work there, so nobody is assigned now.',
        undo: { action: `${href}/move`, fields: { folderId: String(general.id), assigneeId: String(stella.id), undoing: '1' } },
        folder: 'Returns desk',
      })
      expect(await row(conversation.id)).toMatchObject({ folderId: returns.id, assigneeId: null })
      const undone = await postJson(moved.body.undo.action, moved.body.undo.fields)
      expect(undone.body).toMatchObject({ message: 'Undone: Moved to General desk.', undo: null, folder: 'General desk' })
      expect(await row(conversation.id)).toMatchObject({ folderId: general.id, assigneeId: stella.id })
    })

    it('a change that changes nothing says so and offers no undo', async () => {
      const conversation = await newConversation('Nothing to do')
      const res = await postJson(`/conversations/${conversation.number}/status`, { status: 'new' })
      expect(res.body).toMatchObject({ kind: 'info', message: 'Nothing changed.', undo: null })
    })

    it('a refused change is a clear message in JSON, and nothing changes', async () => {
      const outsider = await buildAgent(prisma(), { folderIds: [returns.id], name: 'Otto Outside' })
      const conversation = await newConversation('JSON refused')
      const res = await postJson(`/conversations/${conversation.number}/assign`, { assigneeId: String(outsider.id) })
      expect(res.status).toBe(400)
      expect(res.body.error).toContain('That agent cannot work in this folder')
      expect((await row(conversation.id)).assigneeId).toBeNull()
    })
  })

  describe('times and languages', () => {
    it('the history shows the date and time in the agent’s zone and language, in full on hover', async () => {
      const zoe = await buildAgent(prisma(), { folderIds: [general.id], name: 'Zoé Zone' })
      await prisma().agent.update({ where: { id: zoe.id }, data: { locale: 'fr', timeZone: 'Pacific/Auckland' } })
      const zoeClient = (await signIn(app, zoe.email, PASSWORD)).client
      const zoeToken = csrfFrom((await zoeClient.get('/conversations')).text)
      const conversation = await newConversation('Times')
      const href = `/conversations/${conversation.number}`
      const res = await zoeClient.post(`${href}/status`).type('form').send({ _csrf: zoeToken, status: 'closed' })
      expect(res.status).toBe(303)
      const page = (await zoeClient.get(href)).text
      // French: the confirmation and the history speak it.
      expect(flashOf(page)?.text).toBe('Statut passé à «\u202fFermé\u202f».')
      const event = await prisma().historyEvent.findFirstOrThrow({ where: { conversationId: conversation.id, type: 'status.changed' } })
      const shown = new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Pacific/Auckland' }).format(event.createdAt)
      const full = new Intl.DateTimeFormat('fr', { dateStyle: 'full', timeStyle: 'long', timeZone: 'Pacific/Auckland' }).format(event.createdAt)
      const time = new RegExp(
        `<time class="muted small" datetime="${event.createdAt.toISOString()}" title="([^"]+)">([^<]+)</time><span class="muted small"> · ([^<]+)</span>`,
      ).exec(historyOf(page))
      expect(time?.[2]).toBe(shown)
      expect(time?.[1]).toBe(full)
      // How long ago, beside it.
      expect(time?.[3]).toMatch(/^(il y a .+|maintenant|à l’instant)$/)
    })
  })
})
