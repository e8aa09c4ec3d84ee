import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { createTag } from '../../../src/domain/tags/createTag.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

interface ApiEvent {
  position: string
  type: string
  conversation: { id: number; number: number } | null
  folderId: number | null
  actor: { kind: string; agentId: number | null }
  target: { type: string; id: string | null } | null
  data: Record<string, unknown>
}

/**
 * Reads the log page by page from `after` until `until` holds, as a client polling with `next`
 * does (events are given once their transaction has settled, which may take a moment when
 * another transaction runs on the server).
 */
async function readOn(client: ApiClient, after: string | null, until: (events: ApiEvent[]) => boolean, limit = 50) {
  const events: ApiEvent[] = []
  let cursor = after
  const deadline = Date.now() + 20_000
  for (;;) {
    const res = await client.get(`/events?limit=${limit}${cursor ? `&after=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    expect(res.body.items.length).toBeLessThanOrEqual(limit)
    events.push(...res.body.items)
    cursor = res.body.next
    if (res.body.more) continue
    if (until(events) || Date.now() > deadline) return { events, next: cursor! }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('the event log in the API', () => {
  let app: TestApp
  let admin: Actor
  let bruno: Actor
  let supportId: number
  let vaultId: number
  let supportConversation: { id: number; number: number }
  let vaultConversation: { id: number; number: number }
  let brunoRead: ApiClient
  let adminWrite: ApiClient
  let adminAdmin: ApiClient

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const ctx = app.ctx.domain
    supportId = (await buildFolder(prisma, 'Support')).id
    vaultId = (await buildFolder(prisma, 'Vault')).id
    admin = await buildAgent(prisma, { role: 'admin' })
    bruno = await buildAgent(prisma, { folderIds: [supportId], name: 'Bruno Agent' })
    supportConversation = await buildConversation(ctx, admin, { folderId: supportId, subject: 'Printer jam' })
    vaultConversation = await buildConversation(ctx, admin, { folderId: vaultId, subject: 'Strongroom inventory' })
    await addInternalComment(ctx, admin, { conversationId: vaultConversation.id, text: 'Quokka internal remark' })
    await createTag(ctx, admin, { name: 'vip', colour: 'red' })
    const client = await apiClient(app.url, null)
    brunoRead = client.as(await buildApiToken(ctx, bruno, 'read'))
    adminWrite = client.as(await buildApiToken(ctx, admin, 'write'))
    adminAdmin = client.as(await buildApiToken(ctx, admin, 'admin'))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('gives an agent the events of their folders’ conversations only', async () => {
    const { events } = await readOn(brunoRead, null, (e) => e.some((x) => x.type === 'conversation.created'))
    expect(events.length).toBeGreaterThan(0)
    for (const e of events) {
      expect(e.folderId).toBe(supportId)
      expect(e.conversation).toEqual({ id: supportConversation.id, number: supportConversation.number })
    }
    expect(events[0]).toMatchObject({ type: 'conversation.created', actor: { kind: 'agent', agentId: admin.id }, target: null })
    expect(JSON.stringify(events)).not.toMatch(/Quokka|Strongroom|vip/)
  })

  it('gives administrative events only to an admin’s admin-scope token', async () => {
    const withAdmin = (await readOn(adminAdmin, null, (e) => e.some((x) => x.type === 'tag.created'))).events
    expect(withAdmin.find((e) => e.type === 'tag.created')).toMatchObject({ conversation: null, folderId: null, target: { type: 'tag' } })
    expect(withAdmin.some((e) => e.folderId === vaultId)).toBe(true)
    const withWrite = (await readOn(adminWrite, null, (e) => e.some((x) => x.folderId === vaultId))).events
    expect(withWrite.some((e) => e.folderId === vaultId)).toBe(true)
    expect(withWrite.every((e) => e.conversation !== null)).toBe(true)
  })

  it('reads every event exactly once, in order, page by page with next', async () => {
    const start = await readOn(brunoRead, null, () => true)
    const N = 7
    for (let i = 0; i < N; i++) {
      await addInternalComment(app.ctx.domain, bruno, { conversationId: supportConversation.id, text: `Comment ${i}` })
    }
    // Another folder's changes in between are skipped, never counted as a page's items.
    await addInternalComment(app.ctx.domain, admin, { conversationId: vaultConversation.id, text: 'Quokka again' })
    const { events, next } = await readOn(brunoRead, start.next, (e) => e.filter((x) => x.type === 'comment.added').length >= N, 3)
    const comments = events.filter((e) => e.type === 'comment.added')
    expect(comments).toHaveLength(N)
    expect(events.every((e) => e.folderId === supportId)).toBe(true)
    const positions = events.map((e) => BigInt(e.position))
    expect(new Set(positions).size).toBe(positions.length)
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions)
    // Nothing new: the same cursor again gives nothing; a later change comes with the next poll.
    const idle = await brunoRead.get(`/events?after=${next}`)
    expect(idle.body).toMatchObject({ items: [], more: false })
    await addInternalComment(app.ctx.domain, bruno, { conversationId: supportConversation.id, text: 'One more' })
    const later = await readOn(brunoRead, idle.body.next, (e) => e.length > 0)
    expect(later.events.map((e) => e.type)).toEqual(['comment.added'])
  })

  it('refuses a cursor it did not give, and a limit out of range', async () => {
    const res = await brunoRead.get('/events?after=bm9wZQ&limit=0')
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/query/after', '/query/limit'])
  })
})
