import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import type { Viewer } from '../../src/realtime/events.ts'
import { expirePresence, PRESENCE_TTL_SECONDS, reportPresence } from '../../src/realtime/presence.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { openStream, session } from '../helpers/liveStream.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('presence on one instance', () => {
  let app: TestApp
  let admin: Actor
  let anna: Actor
  let ben: Actor
  let outsider: Actor
  let conv: { id: number; number: number; folderId: number }
  let other: { id: number; number: number; folderId: number }
  /** Every presence.changed announced on the bus, in order. */
  const announced: { conversationId: number; viewers: Viewer[] }[] = []
  const announcedFor = (id: number) => announced.filter((e) => e.conversationId === id).map((e) => e.viewers)
  /** Waits for the bus (it is asynchronous when it goes through PostgreSQL) to settle. */
  const settle = () => sleep(app.ctx.db.kind === 'postgresql' ? 400 : 50)
  const waitForCount = async (id: number, n: number, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs
    while (announcedFor(id).length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} announcements for ${id}, got ${JSON.stringify(announcedFor(id))}`)
      await sleep(20)
    }
    await settle()
  }

  beforeAll(async () => {
    app = await startTestApp()
    const prisma = app.ctx.db.prisma
    const folder = await buildFolder(prisma, 'Returns')
    const elsewhere = await buildFolder(prisma, 'Wholesale')
    admin = await buildAgent(prisma, { role: 'admin', name: 'Ada Admin' })
    anna = await buildAgent(prisma, { folderIds: [folder.id], name: 'Anna Agent' })
    ben = await buildAgent(prisma, { folderIds: [folder.id], name: 'Ben Agent' })
    outsider = await buildAgent(prisma, { folderIds: [elsewhere.id], name: 'Olga Outsider' })
    const c = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, subject: 'Refund for order 88' })
    const o = await buildConversation(app.ctx.domain, admin, { folderId: folder.id, subject: 'Another one' })
    conv = { id: c.id, number: c.number, folderId: c.folderId }
    other = { id: o.id, number: o.number, folderId: o.folderId }
    app.ctx.events.subscribe((e) => {
      if (e.type === 'presence.changed') announced.push({ conversationId: e.conversationId, viewers: e.viewers })
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('announces arrivals and typing changes only, not every heartbeat', async () => {
    const a = await session(app.url, anna.email)
    const b = await session(app.url, ben.email)
    expect((await a.report(conv.number, false)).status).toBe(204)
    await waitForCount(conv.id, 1)
    expect(announcedFor(conv.id)).toEqual([[{ agentId: anna.id, name: 'Anna Agent', composing: false }]])

    // Heartbeats with nothing new only extend the row.
    const row = () => app.ctx.db.prisma.presence.findUniqueOrThrow({ where: { agentId_conversationId: { agentId: anna.id, conversationId: conv.id } } })
    const firstExpiry = (await row()).expiresAt
    await sleep(20)
    expect((await a.report(conv.number, false)).status).toBe(204)
    expect((await a.report(conv.number, false)).status).toBe(204)
    await settle()
    expect(announcedFor(conv.id)).toHaveLength(1)
    const extended = (await row()).expiresAt
    expect(extended.getTime()).toBeGreaterThan(firstExpiry.getTime())
    expect(extended.getTime() - Date.now()).toBeGreaterThan((PRESENCE_TTL_SECONDS - 5) * 1000)

    // Typing starts: announced once, then not again while it goes on.
    await a.report(conv.number, true)
    await a.report(conv.number, true)
    await waitForCount(conv.id, 2)
    expect(announcedFor(conv.id)).toHaveLength(2)
    expect(announcedFor(conv.id)[1]).toEqual([{ agentId: anna.id, name: 'Anna Agent', composing: true }])

    // A second viewer: everyone, sorted by name.
    await b.report(conv.number, false)
    await waitForCount(conv.id, 3)
    expect(announcedFor(conv.id)[2]).toEqual([
      { agentId: anna.id, name: 'Anna Agent', composing: true },
      { agentId: ben.id, name: 'Ben Agent', composing: false },
    ])
    // Typing stops.
    await a.report(conv.number, false)
    await waitForCount(conv.id, 4)
    expect(announcedFor(conv.id)[3]!.map((v) => v.composing)).toEqual([false, false])

    // The same agent on another conversation is a separate presence.
    await a.report(other.number, false)
    await waitForCount(other.id, 1)
    expect(announcedFor(conv.id)).toHaveLength(4)
  })

  it('leaves with the beacon sendBeacon sends (form body with _csrf), announcing once', async () => {
    const b = await session(app.url, ben.email)
    const before = announcedFor(conv.id).length
    expect((await b.leave(conv.number)).status).toBe(204)
    await waitForCount(conv.id, before + 1)
    expect(
      announcedFor(conv.id)
        .at(-1)!
        .map((v) => v.name),
    ).toEqual(['Anna Agent'])
    // Leaving again changes nothing and announces nothing.
    expect((await b.leave(conv.number)).status).toBe(204)
    await settle()
    expect(announcedFor(conv.id)).toHaveLength(before + 1)
  })

  it('refuses a report without the CSRF token, and from an agent outside the folder', async () => {
    const o = await session(app.url, outsider.email)
    const before = announced.length
    const noToken = await fetch(`${app.url}/conversations/${conv.number}/presence`, {
      method: 'POST',
      headers: { cookie: o.cookie, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(noToken.status).toBe(403)
    expect((await o.report(conv.number, true)).status).toBe(404)
    expect((await o.leave(conv.number)).status).toBe(404)
    const anonymous = await fetch(`${app.url}/conversations/${conv.number}/presence`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(anonymous.status).not.toBe(204)
    await settle()
    expect(announced.length).toBe(before)
    expect(await app.ctx.db.prisma.presence.count({ where: { agentId: outsider.id } })).toBe(0)
  })

  it('shows others, never oneself, on the pages as they load', async () => {
    const a = await session(app.url, anna.email)
    const b = await session(app.url, ben.email)
    await a.report(conv.number, true)
    await b.report(conv.number, false)
    const rowOf = (html: string) => new RegExp(`<li class="([^"]*)" data-conversation-id="${conv.id}"[^>]*>`).exec(html)
    // Ben sees Anna's bar; Anna, alone on `other`, sees no bar there.
    const benList = await (await b.get('/conversations?tab=all')).text()
    expect(rowOf(benList)?.[1]).toContain('is-viewed')
    expect(rowOf(benList)?.[0]).toContain('title="Open now: Anna Agent"')
    const annaList = await (await a.get('/conversations?tab=all')).text()
    expect(rowOf(annaList)?.[0]).toContain('title="Open now: Ben Agent"')
    expect(new RegExp(`<li class="conversation-row" data-conversation-id="${other.id}"`).test(annaList)).toBe(true)
    // Ben's conversation page warns that Anna is replying; Anna's does not warn about herself.
    const benPage = await (await b.get(`/conversations/${conv.number}`)).text()
    expect(benPage).toMatch(/id="collision-warning" role="alert"\s*>Anna Agent is replying right now\.</)
    const annaPage = await (await a.get(`/conversations/${conv.number}`)).text()
    expect(annaPage).toMatch(/id="collision-warning" role="alert"\s*hidden>/)
    expect(/<div class="presence" id="presence"[^>]*>([\s\S]*?)<\/div>/.exec(annaPage)?.[1]).toContain('Ben Agent')
  })

  it('streams presence only to agents of the folder', async () => {
    const a = await session(app.url, anna.email)
    const o = await session(app.url, outsider.email)
    const annaStream = await openStream(app.url, a.cookie)
    const outsiderStream = await openStream(app.url, o.cookie)
    const b = await session(app.url, ben.email)
    try {
      await b.leave(conv.number)
      await b.report(conv.number, false)
      const deadline = Date.now() + 5_000
      while (annaStream.events.filter((e) => e.data.conversationId === conv.id).length < 2 && Date.now() < deadline) await sleep(20)
      const forAnna = annaStream.events.filter((e) => e.type === 'presence.changed' && e.data.conversationId === conv.id)
      expect(forAnna).toHaveLength(2)
      await settle()
      expect(outsiderStream.events).toEqual([])
    } finally {
      await annaStream.close()
      await outsiderStream.close()
    }
    // Without a session there is no stream.
    const anonymous = await fetch(`${app.url}/events`, { redirect: 'manual' })
    expect(anonymous.headers.get('content-type') ?? '').not.toContain('text/event-stream')
    await anonymous.body?.cancel()
  })

  it('removes a viewer who stopped reporting, announcing it once; a late report counts as a new arrival', async () => {
    const prisma = app.ctx.db.prisma
    await prisma.presence.deleteMany({ where: { conversationId: other.id } })
    await reportPresence(prisma, app.ctx.events, ben.id, other, false)
    await waitForCount(other.id, announcedFor(other.id).length) // settle
    const before = announcedFor(other.id).length
    await prisma.presence.updateMany({ where: { conversationId: other.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    // The server's own tick runs every 5 s; the test does not wait for it.
    const removed = await expirePresence(prisma, app.ctx.events)
    await waitForCount(other.id, before + 1, 7_000)
    expect(announcedFor(other.id).at(-1)).toEqual([])
    expect(await prisma.presence.count({ where: { conversationId: other.id } })).toBe(0)
    expect(removed).toBeLessThanOrEqual(1)
    expect(await expirePresence(prisma, app.ctx.events)).toBe(0)
    await settle()
    expect(announcedFor(other.id)).toHaveLength(before + 1)

    // A row past its time but not yet removed: the next report is an arrival, announced.
    await reportPresence(prisma, app.ctx.events, ben.id, other, false)
    await waitForCount(other.id, before + 2)
    await prisma.presence.updateMany({ where: { conversationId: other.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const n = announcedFor(other.id).length
    await reportPresence(prisma, app.ctx.events, ben.id, other, false)
    await waitForCount(other.id, n + 1)
    expect(announcedFor(other.id).at(-1)).toEqual([{ agentId: ben.id, name: 'Ben Agent', composing: false }])
  })

  it('lets the server tick expire presence by itself within about 5 s', async () => {
    const prisma = app.ctx.db.prisma
    const before = announcedFor(conv.id).length
    const viewers = await prisma.presence.count({ where: { conversationId: conv.id } })
    expect(viewers).toBeGreaterThan(0)
    await prisma.presence.updateMany({ where: { conversationId: conv.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const started = Date.now()
    await waitForCount(conv.id, before + 1, 8_000)
    expect(announcedFor(conv.id).at(-1)).toEqual([])
    expect(Date.now() - started).toBeLessThan(7_000)
  }, 15_000)
})
