import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { BACKGROUND_STATEMENTS, countQueries, formatStatements } from '../../helpers/queryCounter.ts'
import { buildAgent, buildConversation, buildFolder, buildTag } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

const SECRET = 'Zanzibar confidential merger'
/**
 * Statements per call: the token, its last use and the rate limit take up to four (the rate
 * limit's clean-up now and then); a page of the list two more (its page, then names and tags of
 * its rows); a conversation three (the row, its names and tags, its version).
 */
const LIST_STATEMENTS = 6
const GET_STATEMENTS = 7

describe('API: conversations', () => {
  let app: TestApp
  let ada: Actor
  let admin: Actor
  let bob: Actor
  let api: ApiClient
  let readApi: ApiClient
  let supportId: number
  let billingId: number
  let hiddenId: number
  let bulkId: number
  let hiddenNumber: number
  let n = 0

  const prisma = () => app.ctx.db.prisma
  const email = () => `api-conv-${++n}@customer.example`
  const make = (options: { subject?: string; customerEmail?: string; folderId?: number; assigneeId?: number | null; text?: string } = {}) =>
    buildConversation(app.ctx.domain, ada, { folderId: supportId, customerEmail: email(), ...options })

  beforeAll(async () => {
    app = await startTestApp()
    supportId = (await buildFolder(prisma(), 'Support')).id
    billingId = (await buildFolder(prisma(), 'Billing')).id
    hiddenId = (await buildFolder(prisma(), 'Board')).id
    bulkId = (await buildFolder(prisma(), 'Bulk')).id
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Root' })
    ada = await buildAgent(prisma(), { name: 'Ada', folderIds: [supportId, billingId, bulkId] })
    bob = await buildAgent(prisma(), { name: 'Bob', folderIds: [supportId] })
    const hidden = await buildConversation(app.ctx.domain, admin, { folderId: hiddenId, subject: SECRET, customerEmail: email() })
    hiddenNumber = hidden.number
    api = await apiClient(app.url, await buildApiToken(app.ctx.domain, ada, 'write'))
    readApi = api.as(await buildApiToken(app.ctx.domain, ada, 'read'))
  })
  afterAll(async () => {
    await app?.close()
  })

  const expectHidden = (res: { status: number; bytes: Buffer }) => {
    expect(res.status).toBe(404)
    expect(res.bytes.toString()).not.toContain(SECRET)
  }

  describe('list', () => {
    it('lists the caller’s conversations only, newest first, page by page', async () => {
      const customerEmail = email()
      const first = await make({ subject: 'Pagination one', customerEmail })
      const second = await make({ subject: 'Pagination two', customerEmail })
      const all = await api.get('/conversations?limit=100')
      expect(all.status).toBe(200)
      const numbers = all.body.items.map((c: { number: number }) => c.number)
      expect(numbers).toContain(first.number)
      expect(numbers).not.toContain(hiddenNumber)
      expect(numbers.indexOf(second.number)).toBeLessThan(numbers.indexOf(first.number))

      const one = await api.get('/conversations?limit=1')
      expect(one.body.items).toHaveLength(1)
      expect(one.body.next).toEqual(expect.any(String))
      const two = await api.get(`/conversations?limit=1&after=${one.body.next}`)
      expect(two.body.items).toHaveLength(1)
      expect(two.body.items[0].number).not.toBe(one.body.items[0].number)
      // Reading on page by page gives the same list as one long page.
      let after: string | null = null
      const walked: number[] = []
      do {
        const page: { body: { items: { number: number }[]; next: string | null } } = await api.get(`/conversations?limit=3${after ? `&after=${after}` : ''}`)
        walked.push(...page.body.items.map((c) => c.number))
        after = page.body.next
      } while (after)
      expect(walked).toEqual(numbers)
    })

    it('reads on past the dashboard’s own page size when the limit asks for more', async () => {
      const folderId = bulkId
      const made: number[] = []
      for (let i = 0; i < 55; i++) made.unshift((await make({ folderId })).number)
      const all = await api.get(`/conversations?folder=${folderId}&limit=100`)
      expect(all.body.items.map((c: { number: number }) => c.number)).toEqual(made)
      expect(all.body.next).toBeNull()
      const first = await api.get(`/conversations?folder=${folderId}&limit=30`)
      const second = await api.get(`/conversations?folder=${folderId}&limit=30&after=${first.body.next}`)
      expect([...first.body.items, ...second.body.items].map((c: { number: number }) => c.number)).toEqual(made)
      expect(second.body.next).toBeNull()
    })

    it('filters as the dashboard does: status, assignee, tag, folder, customer and search text', async () => {
      const customerEmail = email()
      const tag = await buildTag(prisma(), 'api-list-vip')
      const assigned = await make({ subject: 'Quetzal feathers order', customerEmail, assigneeId: bob.id })
      await addTag(app.ctx.domain, ada, { conversationId: assigned.id, tagId: tag.id })
      const billing = await make({ subject: 'Invoice copy', customerEmail, folderId: billingId })
      const numbersOf = async (query: string) => {
        const res = await api.get(`/conversations?${query}`)
        expect(res.status).toBe(200)
        return res.body.items.map((c: { number: number }) => c.number) as number[]
      }
      expect(await numbersOf(`assignee=${bob.id}`)).toEqual([assigned.number])
      expect(await numbersOf('assignee=none')).not.toContain(assigned.number)
      expect(await numbersOf(`tag=${tag.id}`)).toEqual([assigned.number])
      expect(await numbersOf(`folder=${billingId}`)).toContain(billing.number)
      expect(await numbersOf(`folder=${billingId}`)).not.toContain(assigned.number)
      expect(await numbersOf('q=quetzal')).toEqual([assigned.number])
      expect(await numbersOf('q=tag:api-list-vip')).toEqual([assigned.number])
      expect(await numbersOf('status=closed')).not.toContain(assigned.number)
      expect(await numbersOf('status=new&q=quetzal')).toEqual([assigned.number])
      expect(await numbersOf(`customer=${assigned.customerId}`)).toEqual([billing.number, assigned.number])
      expect(await numbersOf(`customer=${assigned.customerId}&folder=${supportId}`)).toEqual([assigned.number])
      const firstOfCustomer = await api.get(`/conversations?customer=${assigned.customerId}&limit=1`)
      const rest = await api.get(`/conversations?customer=${assigned.customerId}&limit=1&after=${firstOfCustomer.body.next}`)
      expect(rest.body.items.map((c: { number: number }) => c.number)).toEqual([assigned.number])
      expect(rest.body.next).toBeNull()
      // The item carries what a client needs to show and follow it.
      const [item] = (await api.get(`/conversations?tag=${tag.id}`)).body.items
      expect(item).toMatchObject({ subject: 'Quetzal feathers order', status: 'new', assignee: { id: bob.id, name: 'Bob' }, folder: { id: supportId } })
      expect(item.tags).toEqual([{ id: tag.id, name: 'api-list-vip', colour: 'blue' }])
    })

    it('finds nothing outside the caller’s folders, even by search text', async () => {
      const res = await api.get('/conversations?q=zanzibar')
      expect(res.body.items).toEqual([])
      expect(res.bytes.toString()).not.toContain(SECRET)
    })

    it('refuses bad filters with the parameter at fault', async () => {
      const bad = await api.get('/conversations?limit=0&after=nonsense&status=sometimes')
      expect(bad.status).toBe(422)
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/query/after', '/query/limit', '/query/status'])
      const both = await api.get('/conversations?customer=1&q=lamp')
      expect(both.status).toBe(422)
      expect(both.body.errors[0].pointer).toBe('/query/customer')
    })
  })

  it('reads a page of the list, and a conversation, in a few statements whatever their size', async () => {
    const tag = await buildTag(prisma(), 'api-count')
    for (let i = 0; i < 12; i++) {
      const c = await make({ assigneeId: bob.id })
      await addTag(app.ctx.domain, ada, { conversationId: c.id, tagId: tag.id })
    }
    const list = await countQueries(app, () => api.get('/conversations?limit=100'), { ignore: BACKGROUND_STATEMENTS })
    expect(list.result.body.items.length).toBeGreaterThanOrEqual(12)
    const one = await countQueries(app, () => api.get(`/conversations/${list.result.body.items[0].number}`), { ignore: BACKGROUND_STATEMENTS })
    expect(one.result.status).toBe(200)
    // The token and the rate limit take their own few; the list and the conversation a few more.
    if (process.env.SHOW_STATEMENTS) console.log(formatStatements(list.statements), '\n---\n', formatStatements(one.statements))
    expect(list.count).toBeLessThanOrEqual(LIST_STATEMENTS)
    expect(one.count).toBeLessThanOrEqual(GET_STATEMENTS)
  })

  describe('get', () => {
    it('answers the conversation with its version as ETag', async () => {
      const c = await make({ subject: 'Get me' })
      const res = await api.get(`/conversations/${c.number}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/)
      expect(res.body).toMatchObject({ id: c.id, number: c.number, subject: 'Get me', status: 'new', channel: 'agent', assignee: null, snoozed: false })
      expect(res.body.customer.email).toMatch(/@customer\.example$/)
    })

    it('is a 404 outside the caller’s folders, as for a number that does not exist', async () => {
      expectHidden(await api.get(`/conversations/${hiddenNumber}`))
      expectHidden(await api.get('/conversations/99999999'))
    })
  })

  describe('create', () => {
    const body = (extra: Record<string, unknown> = {}) => ({
      customerEmail: email(),
      customerName: 'Casey',
      subject: 'Broken hinge',
      text: 'The hinge of my cupboard broke.',
      folderId: supportId,
      ...extra,
    })

    it('records a customer’s request: 201 with Location, ETag and the conversation, tags put on', async () => {
      const tag = await buildTag(prisma(), 'api-create')
      const res = await api.post('/conversations', body({ tagIds: [tag.id], assigneeId: bob.id }))
      expect(res.status).toBe(201)
      expect(res.headers.get('location')).toBe(`/api/v1/conversations/${res.body.number}`)
      expect(res.headers.get('etag')).toBeTruthy()
      expect(res.body).toMatchObject({ subject: 'Broken hinge', status: 'new', assignee: { id: bob.id }, customer: { name: 'Casey' }, messageCount: 1 })
      expect(res.body.tags.map((t: { id: number }) => t.id)).toEqual([tag.id])
      const thread = await api.get(`/conversations/${res.body.number}/messages`)
      expect(thread.body.items[0]).toMatchObject({ kind: 'customer', text: 'The hinge of my cupboard broke.' })
    })

    it('sends a first message when asked (pending)', async () => {
      const res = await api.post('/conversations', body({ mode: 'send' }))
      expect(res.status).toBe(201)
      expect(res.body.status).toBe('pending')
    })

    it('makes one conversation for one Idempotency-Key, and replays the first answer', async () => {
      const input = body({ subject: 'Idempotent request' })
      const key = `create-${Date.now()}`
      const first = await api.post('/conversations', input, { 'Idempotency-Key': key })
      const again = await api.post('/conversations', input, { 'Idempotency-Key': key })
      expect(first.status).toBe(201)
      expect(again.status).toBe(201)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      expect(again.body).toEqual(first.body)
      expect(again.headers.get('location')).toBe(first.headers.get('location'))
      expect(await prisma().conversation.count({ where: { subject: 'Idempotent request' } })).toBe(1)
      const other = await api.post('/conversations', { ...input, subject: 'Another request' }, { 'Idempotency-Key': key })
      expect(other.status).toBe(422)
      expect(await prisma().conversation.count({ where: { subject: 'Another request' } })).toBe(0)
    })

    it('refuses invalid input with pointers to the fields', async () => {
      const res = await api.post('/conversations', { customerEmail: 'not an address', subject: '', folderId: 'x' })
      expect(res.status).toBe(422)
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/customerEmail', '/body/folderId', '/body/subject'])
      const empty = await api.post('/conversations', body({ text: '' }))
      expect(empty.status).toBe(422)
      expect(empty.body.errors[0].pointer).toBe('/body/text')
      const tags = await api.post('/conversations', body({ tagIds: [99999999] }))
      expect(tags.status).toBe(422)
      expect(tags.body.errors[0].pointer).toBe('/body/tagIds')
    })

    it('refuses a folder outside the caller’s as a field at fault, and creates nothing', async () => {
      const res = await api.post('/conversations', body({ folderId: hiddenId, subject: 'Sneaky' }))
      expect(res.status).toBe(422)
      expect(res.body.errors[0].pointer).toBe('/body/folderId')
      expect(await prisma().conversation.count({ where: { subject: 'Sneaky' } })).toBe(0)
    })

    it('is refused to a read-only token', async () => {
      const res = await readApi.post('/conversations', body({ subject: 'Read only' }))
      expect(res.status).toBe(403)
      expect(res.body.type).toBe('/api/v1/reference#problem-insufficient-scope')
      expect(await prisma().conversation.count({ where: { subject: 'Read only' } })).toBe(0)
    })
  })

  describe('change', () => {
    it('moves, assigns and sets the status in one call, answering the new version', async () => {
      const c = await make()
      const before = await api.get(`/conversations/${c.number}`)
      const res = await api.patch(`/conversations/${c.number}`, { folderId: billingId, assigneeId: ada.id, status: 'open' })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ folder: { id: billingId, name: 'Billing' }, assignee: { id: ada.id }, status: 'open' })
      expect(res.headers.get('etag')).not.toBe(before.headers.get('etag'))
      const unassigned = await api.patch(`/conversations/${c.number}`, { assigneeId: null })
      expect(unassigned.body.assignee).toBeNull()
    })

    it('refuses a stale If-Match with 412 and changes nothing; the current one works', async () => {
      const c = await make()
      const read = await api.get(`/conversations/${c.number}`)
      const etag = read.headers.get('etag')!
      await api.patch(`/conversations/${c.number}`, { assigneeId: bob.id })
      const stale = await api.patch(`/conversations/${c.number}`, { status: 'closed', assigneeId: ada.id }, { 'If-Match': etag })
      expect(stale.status).toBe(412)
      const row = await prisma().conversation.findUniqueOrThrow({ where: { id: c.id } })
      expect(row.status).toBe('new')
      expect(row.assigneeId).toBe(bob.id)
      const current = (await api.get(`/conversations/${c.number}`)).headers.get('etag')!
      const ok = await api.patch(`/conversations/${c.number}`, { status: 'closed' }, { 'If-Match': current })
      expect(ok.status).toBe(200)
      expect(ok.body.status).toBe('closed')
    })

    it('refuses an empty change, an unknown status and an assignee who cannot work there', async () => {
      const c = await make()
      const empty = await api.patch(`/conversations/${c.number}`, {})
      expect(empty.status).toBe(422)
      const status = await api.patch(`/conversations/${c.number}`, { status: 'done' })
      expect(status.status).toBe(422)
      expect(status.body.errors[0].pointer).toBe('/body/status')
      const outsider = await buildAgent(prisma(), { folderIds: [hiddenId] })
      const assignee = await api.patch(`/conversations/${c.number}`, { assigneeId: outsider.id })
      expect(assignee.status).toBe(422)
      expect(assignee.body.errors[0].pointer).toBe('/body/assigneeId')
      // Given together, the fields are one change: the refused assignee leaves the status as it was.
      const both = await api.patch(`/conversations/${c.number}`, { status: 'pending', assigneeId: outsider.id })
      expect(both.status).toBe(422)
      expect((await prisma().conversation.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('new')
      expect(await prisma().event.count({ where: { conversationId: c.id, type: 'status.changed' } })).toBe(0)
    })

    it('is a 404 on a conversation outside the caller’s folders, which stays as it was', async () => {
      expectHidden(await api.patch(`/conversations/${hiddenNumber}`, { status: 'closed' }))
      expect((await prisma().conversation.findFirstOrThrow({ where: { number: hiddenNumber } })).status).toBe('new')
    })

    it('tags and untags', async () => {
      const c = await make()
      const tag = await buildTag(prisma(), 'api-tagging')
      const tagged = await api.put(`/conversations/${c.number}/tags/${tag.id}`, undefined)
      expect(tagged.status).toBe(200)
      expect(tagged.body.tags.map((t: { id: number }) => t.id)).toEqual([tag.id])
      const untagged = await api.delete(`/conversations/${c.number}/tags/${tag.id}`)
      expect(untagged.status).toBe(200)
      expect(untagged.body.tags).toEqual([])
      expect((await api.put(`/conversations/${c.number}/tags/99999999`, undefined)).status).toBe(404)
      expectHidden(await api.put(`/conversations/${hiddenNumber}/tags/${tag.id}`, undefined))
    })

    it('snoozes until a moment or until the customer answers, and wakes', async () => {
      const c = await make()
      const until = new Date(Date.now() + 3 * 86_400_000).toISOString()
      const timed = await api.post(`/conversations/${c.number}/snooze`, { until })
      expect(timed.status).toBe(200)
      expect(timed.body).toMatchObject({ snoozed: true, snoozedUntil: until })
      const listed = await api.get('/conversations?status=snoozed')
      expect(listed.body.items.map((i: { number: number }) => i.number)).toContain(c.number)
      const untilAnswer = await api.post(`/conversations/${c.number}/snooze`, { until: null })
      expect(untilAnswer.body).toMatchObject({ snoozed: true, snoozedUntil: null })
      const woke = await api.delete(`/conversations/${c.number}/snooze`)
      expect(woke.status).toBe(200)
      expect(woke.body).toMatchObject({ snoozed: false, snoozedUntil: null })
      const past = await api.post(`/conversations/${c.number}/snooze`, { until: '2001-01-01T00:00:00Z' })
      expect(past.status).toBe(422)
      expect(past.body.errors[0].pointer).toBe('/body/until')
      const missing = await api.post(`/conversations/${c.number}/snooze`, {})
      expect(missing.status).toBe(422)
    })

    it('merges into another conversation of the same customer', async () => {
      const customerEmail = email()
      const source = await make({ customerEmail, subject: 'Merge source' })
      const target = await make({ customerEmail, subject: 'Merge target' })
      const res = await api.post(`/conversations/${source.number}/merge`, { into: target.number })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ number: target.number, messageCount: 2 })
      const merged = await api.get(`/conversations/${source.number}`)
      expect(merged.body).toMatchObject({ status: 'closed', mergedInto: target.number })
      const other = await make()
      const refused = await api.post(`/conversations/${other.number}/merge`, { into: hiddenNumber })
      expect(refused.status).toBe(422)
      expect(refused.body.errors[0].pointer).toBe('/body/into')
      expect(refused.bytes.toString()).not.toContain(SECRET)
      expectHidden(await api.post(`/conversations/${hiddenNumber}/merge`, { into: other.number }))
    })
  })

  describe('replies and comments', () => {
    it('replies to the customer: 201 with the message; the conversation is pending', async () => {
      const c = await make()
      const res = await api.post(`/conversations/${c.number}/replies`, { text: 'We are on it.', cc: ['boss@customer.example'] })
      expect(res.status).toBe(201)
      expect(res.headers.get('location')).toBe(`/api/v1/messages/${res.body.id}`)
      expect(res.body).toMatchObject({ kind: 'agent', text: 'We are on it.', cc: ['boss@customer.example'], author: { type: 'agent', id: ada.id } })
      const after = await api.get(`/conversations/${c.number}`)
      expect(after.body).toMatchObject({ status: 'pending', cc: ['boss@customer.example'] })
      const closing = await api.post(`/conversations/${c.number}/replies`, { text: 'Done.', statusAfter: 'closed' })
      expect(closing.status).toBe(201)
      expect((await api.get(`/conversations/${c.number}`)).body.status).toBe('closed')
      expect(await prisma().outboxEmail.count({ where: { conversationId: c.id } })).toBeGreaterThanOrEqual(2)
    })

    it('refuses an empty reply and a bad copy address', async () => {
      const c = await make()
      const empty = await api.post(`/conversations/${c.number}/replies`, { text: '  ' })
      expect(empty.status).toBe(422)
      expect(empty.body.errors[0].pointer).toBe('/body/text')
      const cc = await api.post(`/conversations/${c.number}/replies`, { text: 'Hi', cc: ['nope'] })
      expect(cc.status).toBe(422)
      expect(cc.body.errors[0].pointer).toBe('/body/cc/0')
      expectHidden(await api.post(`/conversations/${hiddenNumber}/replies`, { text: 'Hello' }))
    })

    it('adds an internal comment without changing the status', async () => {
      const c = await make()
      const res = await api.post(`/conversations/${c.number}/comments`, { html: '<p>Check the <b>warranty</b></p><script>x</script>' })
      expect(res.status).toBe(201)
      expect(res.body.kind).toBe('internal')
      expect(res.body.html).not.toContain('<script')
      expect(res.body.text).toContain('warranty')
      expect((await api.get(`/conversations/${c.number}`)).body.status).toBe('new')
      expect(await prisma().outboxEmail.count({ where: { conversationId: c.id } })).toBe(0)
      expectHidden(await api.post(`/conversations/${hiddenNumber}/comments`, { text: 'Peek' }))
    })
  })
})
