import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../../src/domain/actor.ts'
import { addTag } from '../../../../src/domain/conversations/commands/tagConversation.ts'
import { TABS } from '../../../../src/domain/conversations/listConversations.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, PASSWORD } from '../../../helpers/factories.ts'

// SPEC §4: an agent sees and acts only on conversations in their folders — lists, counts, search,
// pages, attachments — and something they may not see looks exactly like something that does not exist.

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>
type Conversation = Awaited<ReturnType<typeof buildConversation>>

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
const TAB_LABELS: Record<(typeof TABS)[number], string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  closed: 'Closed',
  all: 'All',
  mine: 'Mine',
  unassigned: 'Unassigned',
  snoozed: 'Snoozed',
}

function rowNumbers(html: string): number[] {
  return [...html.matchAll(/class="row-link" href="\/conversations\/(\d+)"/g)].map((m) => Number(m[1]))
}

function tabCount(html: string, label: string): number {
  const m = new RegExp(`>${label} <span class="count" aria-label="(\\d+) conversations?">`).exec(html)
  if (!m) throw new Error(`no "${label}" tab on the page`)
  return Number(m[1])
}

/** What an error page says: its status, title and explanation. */
function errorPage(res: { status: number; text: string }) {
  return {
    status: res.status,
    title: /<title>([^<]*)<\/title>/.exec(res.text)?.[1],
    heading: /<h1 id="error-title">([^<]*)<\/h1>/.exec(res.text)?.[1],
    message: /<p class="muted">([^<]*)<\/p>/.exec(res.text)?.[1],
  }
}

/** The options of one <select> of a page, by its id. */
function optionValues(html: string, selectId: string): string[] {
  const select = new RegExp(`<select id="${selectId}"[^>]*>([\\s\\S]*?)</select>`).exec(html)
  if (!select) throw new Error(`no select #${selectId}`)
  return [...select[1]!.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]!)
}

describe('folder-scoped access for agents', () => {
  let app: TestApp
  let admin: Client
  let adminActor: Actor
  let adminToken: string
  let agent: Actor
  let agentClient: Client
  let agentToken: string
  let bob: Actor
  let folderA: { id: number; name: string }
  let folderB: { id: number; name: string }
  let tagOn: { id: number; name: string }
  let tagOther: { id: number; name: string }
  let secret: Conversation
  let secretAttachmentId: number
  let visible: Conversation

  const prisma = () => app.ctx.db.prisma

  /** Everything about a conversation that an action could change. */
  async function snapshot(id: number) {
    const p = prisma()
    const [conversation, messages, history, tags, attachments, outbox] = await Promise.all([
      p.conversation.findUniqueOrThrow({ where: { id } }),
      p.message.count({ where: { conversationId: id } }),
      p.historyEvent.count({ where: { conversationId: id } }),
      p.conversationTag.findMany({ where: { conversationId: id }, select: { tagId: true }, orderBy: { tagId: 'asc' } }),
      p.attachment.count({ where: { conversationId: id } }),
      p.outboxEmail.count({ where: { conversationId: id } }),
    ])
    return { conversation, messages, history, tags, attachments, outbox }
  }

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const row = await prisma().agent.findUniqueOrThrow({ where: { email: ADMIN.email } })
    adminActor = { id: row.id, name: row.name, email: row.email, role: row.role }
    adminToken = csrfFrom((await admin.get('/conversations')).text)

    folderA = await buildFolder(prisma(), 'Sales desk')
    folderB = await buildFolder(prisma(), 'Legal desk')
    agent = await buildAgent(prisma(), { folderIds: [folderA.id], name: 'Alice Sales' })
    bob = await buildAgent(prisma(), { folderIds: [folderB.id], name: 'Bob Legal' })
    tagOn = await buildTag(prisma(), 'confidential', 'red')
    tagOther = await buildTag(prisma(), 'urgent', 'amber')

    secret = await buildConversation(app.ctx.domain, adminActor, {
      folderId: folderB.id,
      subject: 'Secret merger plans',
      text: 'The quokka project must stay between us.',
      customerName: 'Hidden Person',
      customerEmail: 'hidden.person@secretcorp.example',
      files: [{ fileName: 'plan.pdf', data: PDF }],
    })
    await addTag(app.ctx.domain, adminActor, { conversationId: secret.id, tagId: tagOn.id })
    // Assigned to Alice back when she still belonged to the legal desk: it must not follow her.
    await prisma().conversation.update({ where: { id: secret.id }, data: { assigneeId: agent.id } })
    secretAttachmentId = (await prisma().attachment.findFirstOrThrow({ where: { conversationId: secret.id } })).id

    visible = await buildConversation(app.ctx.domain, adminActor, { folderId: folderA.id, subject: 'Printer jam in aisle four', status: 'open' })
    await buildConversation(app.ctx.domain, adminActor, { folderId: folderA.id, subject: 'Alice’s own case', assigneeId: agent.id })
    await buildConversation(app.ctx.domain, adminActor, { folderId: folderA.id, subject: 'Sales pending', mode: 'send' })
    await buildConversation(app.ctx.domain, adminActor, { folderId: folderB.id, subject: 'Legal closed', status: 'closed' })

    const signedIn = await signIn(app, agent.email, PASSWORD)
    expect(signedIn.res.status).toBe(303)
    agentClient = signedIn.client
    agentToken = csrfFrom((await agentClient.get('/conversations')).text)
  })
  afterAll(async () => {
    await app?.close()
  })

  describe('lists, counts and search', () => {
    it('no tab shows a conversation of a folder the agent does not belong to', async () => {
      for (const tab of TABS) {
        const res = await agentClient.get(`/conversations?tab=${tab}`)
        expect(res.status).toBe(200)
        expect(rowNumbers(res.text), tab).not.toContain(secret.number)
        expect(res.text, tab).not.toContain('Secret merger plans')
        expect(res.text, tab).not.toContain('Hidden Person')
        expect(res.text, tab).not.toContain('quokka')
      }
      expect(rowNumbers((await agentClient.get('/conversations?tab=all')).text)).toContain(visible.number)
    })

    it('every count covers only the agent’s folders', async () => {
      const inA = { folderId: folderA.id }
      const expected = {
        New: await prisma().conversation.count({ where: { ...inA, status: 'new' } }),
        Open: await prisma().conversation.count({ where: { ...inA, status: 'open' } }),
        Pending: await prisma().conversation.count({ where: { ...inA, status: 'pending' } }),
        Closed: await prisma().conversation.count({ where: { ...inA, status: 'closed' } }),
        All: await prisma().conversation.count({ where: inA }),
        Mine: await prisma().conversation.count({ where: { ...inA, assigneeId: agent.id, status: { not: 'closed' } } }),
        Unassigned: await prisma().conversation.count({ where: { ...inA, assigneeId: null, status: { not: 'closed' } } }),
      }
      const page = await agentClient.get('/conversations?tab=all')
      const shown = Object.fromEntries(Object.keys(expected).map((label) => [label, tabCount(page.text, label)]))
      expect(shown).toEqual(expected)
      // The secret conversation is assigned to Alice, yet "Mine" leaves it out.
      expect(rowNumbers((await agentClient.get('/conversations?tab=mine')).text)).not.toContain(secret.number)
      // The admin's counts do include it.
      expect(tabCount((await admin.get('/conversations?tab=all')).text, 'All')).toBe(await prisma().conversation.count())
    })

    it('filters naming the other folder, its tag or its assignee show and count nothing of it', async () => {
      for (const query of [`folder=${folderB.id}`, `tag=${tagOn.id}`, `assignee=${agent.id}&folder=${folderB.id}`]) {
        const res = await agentClient.get(`/conversations?tab=all&${query}`)
        expect(res.status, query).toBe(200)
        expect(rowNumbers(res.text), query).toEqual([])
        for (const label of Object.values(TAB_LABELS)) expect(tabCount(res.text, label), `${query} ${label}`).toBe(0)
      }
      expect(rowNumbers((await agentClient.get(`/conversations?tab=all&assignee=${agent.id}`)).text)).not.toContain(secret.number)
    })

    it('search never finds it, by subject, message, customer name or address; the admin’s search does', async () => {
      for (const q of ['Secret merger', 'quokka', 'Hidden', 'secretcorp', 'hidden.person@secretcorp.example']) {
        const res = await agentClient.get(`/conversations?tab=all&q=${encodeURIComponent(q)}`)
        expect(rowNumbers(res.text), q).toEqual([])
        expect(tabCount(res.text, 'All'), q).toBe(0)
        expect(res.text, q).not.toContain('Secret merger plans')
        const asAdmin = await admin.get(`/conversations?tab=all&q=${encodeURIComponent(q)}`)
        expect(rowNumbers(asAdmin.text), `admin ${q}`).toEqual([secret.number])
      }
    })
  })

  describe('the conversation and its files', () => {
    it('its page answers 404, exactly like a number that does not exist', async () => {
      const forbidden = await agentClient.get(`/conversations/${secret.number}`)
      const missing = await agentClient.get('/conversations/987654')
      expect(forbidden.status).toBe(404)
      expect(errorPage(forbidden)).toEqual(errorPage(missing))
      expect(errorPage(forbidden).heading).toBe('Page not found')
      expect(forbidden.text).not.toContain('Secret merger plans')
      expect(forbidden.text).toBe(missing.text)

      const forbiddenJson = await agentClient.get(`/conversations/${secret.number}`).set('Accept', 'application/json')
      const missingJson = await agentClient.get('/conversations/987654').set('Accept', 'application/json')
      expect(forbiddenJson.status).toBe(404)
      expect(forbiddenJson.body).toEqual(missingJson.body)
    })

    it('its attachment answers 404, exactly like an attachment that does not exist', async () => {
      const missing = await agentClient.get('/attachments/987654/plan.pdf')
      expect(missing.status).toBe(404)
      for (const url of [
        `/attachments/${secretAttachmentId}`,
        `/attachments/${secretAttachmentId}/plan.pdf`,
        `/attachments/${secretAttachmentId}/plan.pdf?download`,
      ]) {
        const res = await agentClient.get(url)
        expect(res.status, url).toBe(404)
        expect(errorPage(res), url).toEqual(errorPage(missing))
        expect(res.headers['content-disposition'], url).toBeUndefined()
      }
      const asAdmin = await admin.get(`/attachments/${secretAttachmentId}/plan.pdf`).responseType('blob')
      expect(asAdmin.status).toBe(200)
      expect(Buffer.from(asAdmin.body as Buffer).equals(PDF)).toBe(true)
    })

    it('every action on it answers 404 and changes nothing', async () => {
      const href = `/conversations/${secret.number}`
      const form = (path: string, fields: Record<string, string>) =>
        agentClient
          .post(`${href}${path}`)
          .type('form')
          .send({ _csrf: agentToken, ...fields })
      const multipart = (fields: Record<string, string>, withFile = false) => {
        let req = agentClient.post(`${href}/messages`).field('_csrf', agentToken)
        for (const [k, v] of Object.entries(fields)) req = req.field(k, v)
        if (withFile) req = req.attach('files', PDF, 'sneaky.pdf')
        return req
      }
      const attempts: [string, () => PromiseLike<{ status: number; text: string }>][] = [
        ['reply', () => multipart({ type: 'reply', text: 'I should not be able to send this.' })],
        ['reply with a file', () => multipart({ type: 'reply', text: 'With a file.' }, true)],
        ['reply, confirmed', () => multipart({ type: 'reply', text: 'Confirmed.', seenMessageCount: '0' })],
        ['comment', () => multipart({ type: 'comment', text: 'A sneaky internal note.' })],
        ['reply (url-encoded)', () => form('/messages', { type: 'reply', text: 'Plain form.' })],
        ['unassign', () => form('/assign', { assigneeId: '' })],
        ['assign to bob', () => form('/assign', { assigneeId: String(bob.id) })],
        ['move to A', () => form('/move', { folderId: String(folderA.id) })],
        ['add a tag', () => form('/tags', { tagId: String(tagOther.id) })],
        ['remove its tag', () => form(`/tags/${tagOn.id}/remove`, {})],
        ['close', () => form('/status', { status: 'closed' })],
        ['reopen', () => form('/status', { status: 'open' })],
      ]
      const missing = await agentClient.post('/conversations/987654/status').type('form').send({ _csrf: agentToken, status: 'closed' })
      expect(missing.status).toBe(404)
      for (const [name, attempt] of attempts) {
        const before = await snapshot(secret.id)
        const res = await attempt()
        expect(res.status, name).toBe(404)
        expect(errorPage(res), name).toEqual(errorPage(missing))
        expect(await snapshot(secret.id), name).toEqual(before)
      }
    })

    it('a bulk action naming it changes nothing, and still applies to the agent’s own conversations', async () => {
      const own = await buildConversation(app.ctx.domain, adminActor, { folderId: folderA.id, subject: 'Bulk companion' })
      const bulk = (fields: Record<string, string>, ids: number[]) => {
        const body = new URLSearchParams({ _csrf: agentToken, back: '/conversations?tab=all', ...fields })
        for (const id of ids) body.append('ids', String(id))
        return agentClient.post('/conversations/bulk').type('form').send(body.toString())
      }
      const actions: Record<string, string>[] = [
        { action: 'assign', assigneeId: '' },
        { action: 'assign', assigneeId: String(bob.id) },
        { action: 'move', folderId: String(folderA.id) },
        { action: 'tag', tagId: String(tagOther.id) },
        { action: 'close' },
      ]
      for (const fields of actions) {
        const before = await snapshot(secret.id)
        const res = await bulk(fields, [secret.id])
        expect(res.status, fields.action).toBe(303)
        expect(await snapshot(secret.id), JSON.stringify(fields)).toEqual(before)
      }
      const before = await snapshot(secret.id)
      const res = await bulk({ action: 'tag', tagId: String(tagOther.id) }, [secret.id, own.id])
      expect(res.status).toBe(303)
      expect(await snapshot(secret.id)).toEqual(before)
      expect(await prisma().conversationTag.count({ where: { conversationId: own.id, tagId: tagOther.id } })).toBe(1)
      const page = await agentClient.get('/conversations?tab=all')
      expect(page.text).toContain('1 conversation updated.')

      // Nor can a bulk move take the agent's own conversation into a folder they do not belong to,
      // or a bulk assign give it to an agent outside its folder.
      const ownBefore = await snapshot(own.id)
      expect((await bulk({ action: 'move', folderId: String(folderB.id) }, [own.id])).status).toBe(303)
      expect((await bulk({ action: 'assign', assigneeId: String(bob.id) }, [own.id])).status).toBe(303)
      expect(await snapshot(own.id)).toEqual(ownBefore)
      expect((await agentClient.get('/conversations?tab=all')).text).toContain('1 skipped')
    })
  })

  describe('acting on the agent’s own conversations', () => {
    it('cannot move one into a folder the agent does not belong to (404), and the page does not offer it', async () => {
      const page = await agentClient.get(`/conversations/${visible.number}`)
      expect(page.status).toBe(200)
      expect(optionValues(page.text, 'folder')).toEqual([String(folderA.id)])
      const before = await snapshot(visible.id)
      const res = await agentClient
        .post(`/conversations/${visible.number}/move`)
        .type('form')
        .send({ _csrf: agentToken, folderId: String(folderB.id) })
      expect(res.status).toBe(404)
      expect(await snapshot(visible.id)).toEqual(before)
    })

    it('cannot assign one to an agent who is not a member of its folder, and the page does not offer them', async () => {
      const page = await agentClient.get(`/conversations/${visible.number}`)
      const offered = optionValues(page.text, 'assignee')
      expect(offered).toContain(String(agent.id))
      expect(offered).toContain(String(adminActor.id))
      expect(offered).not.toContain(String(bob.id))
      const before = await snapshot(visible.id)
      const res = await agentClient
        .post(`/conversations/${visible.number}/assign`)
        .type('form')
        .send({ _csrf: agentToken, assigneeId: String(bob.id) })
      expect(res.status).toBe(400)
      expect(res.text).toContain('That agent cannot work in this folder')
      expect(await snapshot(visible.id)).toEqual(before)
    })

    it('cannot start a conversation in a folder the agent does not belong to, and the form does not offer it', async () => {
      const form = await agentClient.get('/conversations/new')
      expect(optionValues(form.text, 'folderId')).toEqual([String(folderA.id)])
      const count = await prisma().conversation.count()
      const res = await agentClient
        .post('/conversations')
        .field('_csrf', agentToken)
        .field('mode', 'send')
        .field('customerEmail', 'someone@example.com')
        .field('subject', 'Into the legal desk')
        .field('folderId', String(folderB.id))
        .field('text', 'Hello')
      expect([400, 404]).toContain(res.status)
      expect(await prisma().conversation.count()).toBe(count)
      expect(await prisma().outboxEmail.count({ where: { toAddress: 'someone@example.com' } })).toBe(0)
    })

    it('the customer sidebar lists only the customer’s conversations the agent may open', async () => {
      const inA = await buildConversation(app.ctx.domain, adminActor, {
        folderId: folderA.id,
        subject: 'Shared customer, sales side',
        customerEmail: 'shared@example.com',
      })
      const inB = await buildConversation(app.ctx.domain, adminActor, {
        folderId: folderB.id,
        subject: 'Shared customer, legal side',
        customerEmail: 'shared@example.com',
      })
      const asAgent = await agentClient.get(`/conversations/${inA.number}`)
      expect(asAgent.status).toBe(200)
      expect(asAgent.text).not.toContain('Shared customer, legal side')
      expect(asAgent.text).not.toContain(`href="/conversations/${inB.number}"`)
      const asAdmin = await admin.get(`/conversations/${inA.number}`)
      expect(asAdmin.text).toContain('Shared customer, legal side')
    })
  })

  describe('admins', () => {
    it('see and act on every folder', async () => {
      const list = await admin.get('/conversations?tab=all')
      expect(rowNumbers(list.text)).toContain(secret.number)
      const page = await admin.get(`/conversations/${secret.number}`)
      expect(page.status).toBe(200)
      expect(page.text).toContain('Secret merger plans')
      expect(page.text).toContain('plan.pdf')
      const res = await admin
        .post(`/conversations/${secret.number}/tags`)
        .type('form')
        .send({ _csrf: adminToken, tagId: String(tagOther.id) })
      expect(res.status).toBe(303)
      expect(await prisma().conversationTag.count({ where: { conversationId: secret.id, tagId: tagOther.id } })).toBe(1)
    })
  })
})
