import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { replyAsAgent } from '../../src/domain/conversations/commands/replyAsAgent.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { openStream, session, type Received, type Stream } from '../helpers/liveStream.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const viewersOfEvent = (e: Received) => (e.data.type === 'presence.changed' ? e.data.viewers : null)

announceIfSkipped('live events across two instances on one PostgreSQL database')
describe.runIf(onPostgres)(`live events across two instances on one PostgreSQL database ${NEEDS_POSTGRES}`, () => {
  let one: TestApp
  let two: TestApp
  let admin: Actor
  let rita: Actor
  let xavier: Actor
  let yvonne: Actor
  let inA: { id: number; number: number; folderId: number }
  let inB: { id: number; number: number; folderId: number }
  let x: Stream
  let y: Stream

  beforeAll(async () => {
    one = await startTestApp()
    two = await startTestApp({ DATABASE_URL: one.ctx.config.databaseUrl! })
    expect(one.ctx.db.kind).toBe('postgresql')
    expect(two.ctx.db.kind).toBe('postgresql')
    const prisma = one.ctx.db.prisma
    const folderA = await buildFolder(prisma, 'Folder A')
    const folderB = await buildFolder(prisma, 'Folder B')
    admin = await buildAgent(prisma, { role: 'admin', name: 'Ada Admin' })
    rita = await buildAgent(prisma, { folderIds: [folderA.id, folderB.id], name: 'Rita Reporter' })
    xavier = await buildAgent(prisma, { folderIds: [folderA.id], name: 'Xavier InA' })
    yvonne = await buildAgent(prisma, { folderIds: [folderB.id], name: 'Yvonne InB' })
    const a = await buildConversation(one.ctx.domain, admin, { folderId: folderA.id, subject: 'Folder A question' })
    const b = await buildConversation(one.ctx.domain, admin, { folderId: folderB.id, subject: 'Folder B question' })
    inA = { id: a.id, number: a.number, folderId: a.folderId }
    inB = { id: b.id, number: b.number, folderId: b.folderId }
    // Both listen on instance two.
    x = await openStream(two.url, (await session(two.url, xavier.email)).cookie)
    y = await openStream(two.url, (await session(two.url, yvonne.email)).cookie)
  })
  afterAll(async () => {
    await x?.close()
    await y?.close()
    await two?.close()
    await one?.close()
  })

  it('carries presence reported on instance one to the agents of that folder on instance two, and to nobody else', async () => {
    const rs = await session(one.url, rita.email)
    const csrf = await rs.csrfFromPage(`/conversations/${inA.number}`)
    const report = (number: number, composing: boolean) =>
      fetch(`${one.url}/conversations/${number}/presence`, {
        method: 'POST',
        headers: { cookie: rs.cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ composing }),
      })

    const sent = Date.now()
    expect((await report(inA.number, false)).status).toBe(204)
    const arrival = await x.waitFor((e) => e.type === 'presence.changed' && e.data.conversationId === inA.id)
    const latency = arrival.at - sent
    expect(viewersOfEvent(arrival)).toEqual([{ agentId: rita.id, name: 'Rita Reporter', composing: false }])
    expect(arrival.data.folderId).toBe(inA.folderId)

    // Typing is a change, and reaches X too.
    expect((await report(inA.number, true)).status).toBe(204)
    const typing = await x.waitFor((e) => e.type === 'presence.changed' && e.data.conversationId === inA.id && viewersOfEvent(e)?.[0]?.composing === true)
    expect(viewersOfEvent(typing)).toEqual([{ agentId: rita.id, name: 'Rita Reporter', composing: true }])

    // Control: Y's stream works, for folder B; X does not hear of folder B.
    expect((await report(inB.number, false)).status).toBe(204)
    await y.waitFor((e) => e.type === 'presence.changed' && e.data.conversationId === inB.id)
    await sleep(1000)
    expect(y.events.filter((e) => e.data.conversationId === inA.id)).toEqual([])
    expect(x.events.filter((e) => e.data.conversationId === inB.id)).toEqual([])
    console.info(`multi-instance: presence on instance 1 reached instance 2 in ${latency} ms`)
  })

  it('tells X on instance two of a reply made on instance one, and not Y', async () => {
    const before = y.events.length
    const { conversation } = await replyAsAgent(one.ctx.domain, admin, { conversationId: inA.id, text: 'We are on it.' })
    const created = await x.waitFor((e) => e.type === 'message.created' && e.data.conversationId === inA.id)
    expect(created.data).toMatchObject({ type: 'message.created', conversationId: inA.id, folderId: inA.folderId, messageCount: conversation.messageCount })
    await sleep(1000)
    expect(y.events.slice(before).filter((e) => e.data.conversationId === inA.id)).toEqual([])
  })

  it('announces once, with nobody left, when a viewer stops reporting', async () => {
    const prisma = one.ctx.db.prisma
    const current = () => x.of('presence.changed', inA.id)
    expect(viewersOfEvent(current().at(-1)!)?.map((v) => v.name)).toEqual(['Rita Reporter'])
    const seen = current().length
    // As if Rita's browser had stopped reporting 25 s ago; either instance's expiry tick (every 5 s) removes it.
    const expired = await prisma.presence.updateMany({ where: { conversationId: inA.id }, data: { expiresAt: new Date(Date.now() - 60_000) } })
    expect(expired.count).toBe(1)
    const gone = await x.waitFor((e) => current().indexOf(e) >= seen && e.type === 'presence.changed' && e.data.conversationId === inA.id, 12_000)
    expect(viewersOfEvent(gone)).toEqual([])
    expect(await prisma.presence.count({ where: { conversationId: inA.id } })).toBe(0)
    // Each expired row is announced by one instance only, not by both.
    await sleep(6000)
    expect(current().slice(seen).map(viewersOfEvent)).toEqual([[]])
    expect(y.events.filter((e) => e.data.conversationId === inA.id)).toEqual([])
  }, 30_000)

  it('delivers events published in a row on instance one in the same order on instance two', async () => {
    // Every presence.changed carries the whole viewer list, so the browser keeps the last one it
    // receives: events must not overtake each other on the way between instances. (Known bug when
    // written: createPostgresEventBus publishes through a pg.Pool of max 2 without waiting, so two
    // pg_notify calls run on two connections and commit in either order; e.g. "Anna is replying"
    // followed at once by "nobody here" can arrive reversed and leave a stale warning for good.)
    const before = x.events.length
    const count = 100
    for (let i = 1; i <= count; i++) one.ctx.events.publish({ type: 'conversation.updated', conversationId: inA.id, folderId: inA.folderId, messageCount: i })
    await x.waitFor(() => x.events.slice(before).filter((e) => e.type === 'conversation.updated').length >= count)
    const order = x.events
      .slice(before)
      .filter((e) => e.type === 'conversation.updated')
      .map((e) => (e.data as { messageCount?: number }).messageCount)
    const overtaken = order.filter((n, i) => i > 0 && n! < order[i - 1]!).length
    expect(order, `${overtaken} of ${count} events arrived before an event published earlier`).toEqual(Array.from({ length: count }, (_, i) => i + 1))
  })
})
