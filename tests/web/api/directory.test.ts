import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildFolder, buildTag } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('tags, folders, agents and saved replies in the API', () => {
  let app: TestApp
  let admin: Actor
  let bruno: Actor
  let ingrid: Actor
  let supportId: number
  let vaultId: number
  let brunoRead: ApiClient
  let brunoWrite: ApiClient
  let adminWrite: ApiClient
  let adminAdmin: ApiClient
  const replies: Record<'shared' | 'support' | 'vault', number> = { shared: 0, support: 0, vault: 0 }

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const ctx = app.ctx.domain
    supportId = (await buildFolder(prisma, 'Support')).id
    vaultId = (await buildFolder(prisma, 'Vault')).id
    admin = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    bruno = await buildAgent(prisma, { folderIds: [supportId], name: 'Bruno Agent' })
    ingrid = await buildAgent(prisma, { folderIds: [vaultId], name: 'Ingrid Insider' })
    await buildTag(prisma, 'vip', 'red')
    await buildTag(prisma, 'billing', 'green')
    replies.shared = (await prisma.savedReply.create({ data: { name: 'Thanks', bodyHtml: '<p>Thank you, {{customer.firstName}}!</p>' } })).id
    replies.support = (await prisma.savedReply.create({ data: { name: 'Printer reset', bodyHtml: '<p>Hold the button.</p>', folderId: supportId } })).id
    replies.vault = (await prisma.savedReply.create({ data: { name: 'Quokka secret', bodyHtml: '<p>Quokka</p>', folderId: vaultId } })).id
    const client = await apiClient(app.url, null)
    brunoRead = client.as(await buildApiToken(ctx, bruno, 'read'))
    brunoWrite = client.as(await buildApiToken(ctx, bruno, 'write'))
    adminWrite = client.as(await buildApiToken(ctx, admin, 'write'))
    adminAdmin = client.as(await buildApiToken(ctx, admin, 'admin'))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lists every tag by name', async () => {
    const res = await brunoRead.get('/tags')
    expect(res.status).toBe(200)
    expect(res.body.items.map((t: { name: string; colour: string }) => [t.name, t.colour])).toEqual([
      ['billing', 'green'],
      ['vip', 'red'],
    ])
  })

  it('lists only the folders the agent may read; an admin every folder', async () => {
    const mine = await brunoRead.get('/folders')
    expect(mine.status).toBe(200)
    expect(mine.body.items.map((f: { id: number }) => f.id)).toEqual([supportId])
    const all = (await adminWrite.get('/folders')).body.items.map((f: { id: number }) => f.id)
    expect(all).toEqual(expect.arrayContaining([supportId, vaultId]))
  })

  it('shows agents their active colleagues, and admins everyone with their folders', async () => {
    const seen = await brunoRead.get('/agents')
    expect(seen.status).toBe(200)
    const ingridSeen = seen.body.items.find((a: { id: number }) => a.id === ingrid.id)
    expect(ingridSeen).toEqual({ id: ingrid.id, name: 'Ingrid Insider', email: ingrid.email, role: 'agent', active: true })
    const byAdmin = (await adminWrite.get(`/agents/${ingrid.id}`)).body
    expect(byAdmin).toMatchObject({ id: ingrid.id, folderIds: [vaultId], invited: false, active: true })
    expect((await brunoRead.get(`/agents/${bruno.id}`)).body.name).toBe('Bruno Agent')
    expect((await brunoRead.get('/agents/999999')).status).toBe(404)
  })

  it('invites an agent with an admin token, which e-mails the invitation', async () => {
    const res = await adminAdmin.post('/agents', { name: 'Nora New', email: 'Nora@Example.test', role: 'agent', folderIds: [supportId] })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ name: 'Nora New', email: 'nora@example.test', role: 'agent', active: true, invited: true, folderIds: [supportId] })
    expect(res.headers.get('location')).toBe(`/api/v1/agents/${res.body.id}`)
    const mail = await app.ctx.db.prisma.outboxEmail.findFirst({ where: { toAddress: 'nora@example.test', kind: 'invitation' } })
    expect(mail).not.toBeNull()
    const twice = await adminAdmin.post('/agents', { name: 'Nora Again', email: 'nora@example.test', role: 'agent', folderIds: [] })
    expect(twice.status).toBe(422)
    expect(twice.body.errors).toEqual([expect.objectContaining({ pointer: '/body/email' })])
    const invalid = await adminAdmin.post('/agents', { name: '', email: 'nope', role: 'boss' })
    expect(invalid.status).toBe(422)
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/email', '/body/name', '/body/role'])
  })

  it('refuses the admin operations to a write token, an admin’s included (403)', async () => {
    for (const client of [brunoWrite, adminWrite]) {
      const invite = await client.post('/agents', { name: 'Mallory', email: 'mallory@example.test', role: 'admin', folderIds: [] })
      expect(invite.status).toBe(403)
      expect(invite.body.type).toContain('insufficient-scope')
      expect((await client.post(`/agents/${ingrid.id}/deactivate`)).status).toBe(403)
    }
    expect(await app.ctx.db.prisma.agent.count({ where: { email: 'mallory@example.test' } })).toBe(0)
    expect((await app.ctx.db.prisma.agent.findUniqueOrThrow({ where: { id: ingrid.id } })).active).toBe(true)
  })

  it('deactivates an agent with an admin token; agents then no longer see them', async () => {
    const gone = await buildAgent(app.ctx.db.prisma, { folderIds: [supportId], name: 'Gone Soon' })
    const res = await adminAdmin.post(`/agents/${gone.id}/deactivate`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: gone.id, active: false })
    expect((await brunoRead.get(`/agents/${gone.id}`)).status).toBe(404)
    expect((await brunoRead.get('/agents')).body.items.map((a: { id: number }) => a.id)).not.toContain(gone.id)
    expect((await adminWrite.get('/agents')).body.items.find((a: { id: number }) => a.id === gone.id)).toMatchObject({ active: false })
    expect((await adminAdmin.post('/agents/999999/deactivate')).status).toBe(404)
  })

  it('lists the saved replies the agent may use, never another folder’s', async () => {
    const res = await brunoRead.get('/saved-replies')
    expect(res.status).toBe(200)
    expect(res.body.items.map((r: { id: number }) => r.id)).toEqual([replies.shared, replies.support])
    expect(res.body.items[1]).toMatchObject({ folder: { id: supportId, name: 'Support' }, preview: 'Hold the button.', canManage: true })
    expect(res.body.items[0]).toMatchObject({ folder: null, canManage: false })
    expect(JSON.stringify(res.body)).not.toContain('Quokka')
    const one = await brunoRead.get(`/saved-replies/${replies.shared}`)
    expect(one.body).toMatchObject({ id: replies.shared, name: 'Thanks', bodyHtml: '<p>Thank you, {{customer.firstName}}!</p>' })
    expect((await brunoRead.get(`/saved-replies/${replies.vault}`)).status).toBe(404)
    expect((await adminWrite.get(`/saved-replies/${replies.vault}`)).body.name).toBe('Quokka secret')
  })

  it('answers a malformed id with its pointer', async () => {
    const res = await brunoRead.get('/agents/abc')
    expect(res.status).toBe(422)
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/params/agentId' })])
  })
})
