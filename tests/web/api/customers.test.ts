import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { mergeCustomers } from '../../../src/domain/customers/mergeCustomers.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('customers in the API', () => {
  let app: TestApp
  let admin: Actor
  let bruno: Actor
  /** Bruno's tokens (Support only) and the admin's. */
  let brunoRead: ApiClient
  let brunoWrite: ApiClient
  let adminWrite: ApiClient
  let casey: number
  let dana: number
  let hidden: number
  let supportId: number

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const ctx = app.ctx.domain
    const support = await buildFolder(prisma, 'Support')
    supportId = support.id
    const vault = await buildFolder(prisma, 'Vault')
    admin = await buildAgent(prisma, { role: 'admin' })
    bruno = await buildAgent(prisma, { folderIds: [support.id], name: 'Bruno Agent' })
    const c1 = await buildConversation(ctx, admin, { folderId: support.id, customerEmail: 'casey@example.com', customerName: 'Casey Lamp' })
    await buildConversation(ctx, admin, { folderId: support.id, customerEmail: 'casey@example.com', customerName: 'Casey Lamp', status: 'closed' })
    const c2 = await buildConversation(ctx, admin, { folderId: support.id, customerEmail: 'dana@example.com', customerName: 'Dana Lamp' })
    const c3 = await buildConversation(ctx, admin, { folderId: vault.id, customerEmail: 'zebulon@example.com', customerName: 'Zebulon Quartz' })
    await buildConversation(ctx, admin, { folderId: vault.id, customerEmail: 'dana@example.com', customerName: 'Dana Lamp', subject: 'Strongroom key' })
    casey = c1.customerId
    dana = c2.customerId
    hidden = c3.customerId
    const client = await apiClient(app.url, null)
    brunoRead = client.as(await buildApiToken(ctx, bruno, 'read'))
    brunoWrite = client.as(await buildApiToken(ctx, bruno, 'write'))
    adminWrite = client.as(await buildApiToken(ctx, admin, 'write'))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lists only the customers of the agent’s folders, each once across pages', async () => {
    const seen: number[] = []
    let after: string | null = null
    do {
      const res: { status: number; body: { items: { id: number }[]; next: string | null } } = await brunoRead.get(
        `/customers?limit=1${after ? `&after=${after}` : ''}`,
      )
      expect(res.status).toBe(200)
      expect(res.body.items.length).toBeLessThanOrEqual(1)
      seen.push(...res.body.items.map((c) => c.id))
      after = res.body.next
    } while (after)
    expect(seen).toEqual([dana, casey])
    const all = await adminWrite.get('/customers')
    expect(all.body.items.map((c: { id: number }) => c.id)).toContain(hidden)
  })

  it('finds customers by name or address, within the folders', async () => {
    const byName = await brunoRead.get('/customers?q=casey')
    expect(byName.body.items).toEqual([
      expect.objectContaining({ id: casey, name: 'Casey Lamp', email: 'casey@example.com', conversationCount: 2, blocked: false }),
    ])
    expect((await brunoRead.get('/customers?q=zebulon')).body.items).toEqual([])
    expect((await adminWrite.get('/customers?q=zebulon@')).body.items.map((c: { id: number }) => c.id)).toEqual([hidden])
  })

  it('gives a customer with their addresses and conversations by status; a hidden one is not found', async () => {
    const res = await brunoRead.get(`/customers/${casey}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      id: casey,
      name: 'Casey Lamp',
      addresses: [{ email: 'casey@example.com', primary: true }],
      conversations: { total: 2, new: 1, closed: 1, open: 0, pending: 0 },
      blocked: false,
      blockedAt: null,
    })
    expect((await brunoRead.get(`/customers/${hidden}`)).status).toBe(404)
    expect((await brunoRead.get('/customers/999999')).status).toBe(404)
    // A customer of both folders: their conversations elsewhere are not counted for the agent.
    expect((await brunoRead.get(`/customers/${dana}`)).body.conversations).toEqual({ total: 1, new: 1, open: 0, pending: 0, closed: 0 })
    expect((await adminWrite.get(`/customers/${dana}`)).body.conversations.total).toBe(2)
    expect((await brunoRead.get('/customers?q=dana')).body.items[0].conversationCount).toBe(1)
  })

  it('creates a customer (201 and Location) and refuses an address already someone’s (409)', async () => {
    const res = await brunoWrite.post('/customers', { name: 'Eve New', email: ' Eve@Example.com ', organisation: 'Lamps Ltd' })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ name: 'Eve New', email: 'eve@example.com', organisation: 'Lamps Ltd', conversations: { total: 0 } })
    expect(res.headers.get('location')).toBe(`/api/v1/customers/${res.body.id}`)
    // With no conversation yet, only admins see them.
    expect((await adminWrite.get(`/customers/${res.body.id}`)).body.email).toBe('eve@example.com')
    expect((await brunoWrite.get(`/customers/${res.body.id}`)).status).toBe(404)
    const again = await brunoWrite.post('/customers', { name: 'Eve Again', email: 'eve@example.com' })
    expect(again.status).toBe(409)
    expect(again.headers.get('content-type')).toContain('application/problem+json')
    expect((await brunoWrite.post('/customers', { name: 'Zeb', email: 'zebulon@example.com' })).status).toBe(409)
  })

  it('makes one customer of a create retried with the same Idempotency-Key', async () => {
    const key = { 'Idempotency-Key': 'create-fay-1' }
    const first = await brunoWrite.post('/customers', { name: 'Fay Retry', email: 'fay@example.com' }, key)
    const retry = await brunoWrite.post('/customers', { name: 'Fay Retry', email: 'fay@example.com' }, key)
    expect([first.status, retry.status]).toEqual([201, 201])
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.body.id).toBe(first.body.id)
    expect(await app.ctx.db.prisma.customer.count({ where: { email: 'fay@example.com' } })).toBe(1)
  })

  it('answers for a merged duplicate with the customer that took it in', async () => {
    const duplicate = await buildConversation(app.ctx.domain, admin, { folderId: supportId, customerEmail: 'casey.old@example.com', customerName: 'C. Lamp' })
    await mergeCustomers(app.ctx.domain, admin, { customerId: casey, duplicateId: duplicate.customerId })
    const res = await brunoRead.get(`/customers/${duplicate.customerId}`)
    expect(res.status).toBe(200)
    expect(res.body.id).toBe(casey)
    expect(res.body.addresses.map((a: { email: string }) => a.email).sort()).toEqual(['casey.old@example.com', 'casey@example.com'])
    expect(res.body.conversations.total).toBe(3)
  })

  it('answers invalid input with the fields at fault', async () => {
    const res = await brunoWrite.post('/customers', { name: '', email: 'not an address' })
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/email', '/body/name'])
    const patch = await brunoWrite.patch(`/customers/${casey}`, { name: 'x'.repeat(201) })
    expect(patch.status).toBe(422)
    expect(patch.body.errors).toEqual([expect.objectContaining({ pointer: '/body/name' })])
    const page = await brunoRead.get('/customers?limit=500&after=nonsense')
    expect(page.status).toBe(422)
    expect(page.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/query/after', '/query/limit'])
  })

  it('updates a customer it may see, and only with a write token', async () => {
    const res = await brunoWrite.patch(`/customers/${dana}`, { organisation: 'Dana & Co', notes: 'Prefers e-mail' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: dana, name: 'Dana Lamp', organisation: 'Dana & Co', notes: 'Prefers e-mail' })
    expect((await brunoRead.get(`/customers/${dana}`)).body.organisation).toBe('Dana & Co')
    // A change made on an earlier read is refused; on the current version it goes through.
    const read = await brunoRead.get(`/customers/${dana}`)
    const etag = read.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const first = await brunoWrite.patch(`/customers/${dana}`, { name: 'Dana Lampe' }, { 'If-Match': etag })
    expect(first.status).toBe(200)
    expect(first.headers.get('etag')).not.toBe(etag)
    const stale = await brunoWrite.patch(`/customers/${dana}`, { name: 'Dana Stale' }, { 'If-Match': etag })
    expect(stale.status).toBe(412)
    expect((await brunoRead.get(`/customers/${dana}`)).body.name).toBe('Dana Lampe')
    expect((await brunoWrite.patch(`/customers/${hidden}`, { name: 'Mine now' })).status).toBe(404)
    expect((await brunoRead.patch(`/customers/${dana}`, { name: 'Read only' })).status).toBe(403)
    expect((await brunoRead.post('/customers', { name: 'Read only', email: 'ro@example.com' })).status).toBe(403)
    const event = await app.ctx.db.prisma.event.findFirst({ where: { type: 'customer.updated', targetId: String(dana) } })
    expect(event?.actorAgentId).toBe(bruno.id)
  })
})
