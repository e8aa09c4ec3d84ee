import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addInternalComment } from '../../src/domain/conversations/commands/addInternalComment.ts'
import { systemClock } from '../../src/domain/clock.ts'
import { updateSettings } from '../../src/domain/settings/updateSettings.ts'
import { createWebhookEndpoint } from '../../src/domain/webhooks/endpoints.ts'
import { createDomainContext } from '../../src/reactions/index.ts'
import { spawnTool, until, type Child } from '../helpers/childProcess.ts'
import { buildAgent, buildConversation, buildFolder, testClock } from '../helpers/factories.ts'
import { announceIfSkipped, NEEDS_POSTGRES, onPostgres } from '../helpers/needsPostgres.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'
import { closedPort, startReceiver, type Receiver } from '../domain/webhooks/receiver.ts'

const CONVERSATIONS = 4
const COMMENTS = 5
const KILL_AT = 6

announceIfSkipped('webhooks delivered by a second instance after the first is killed')

/**
 * Two instances on one database: a child process (`npx tsx src/server.ts`, as `npm start` runs it)
 * sends the deliveries and is SIGKILLed mid-way, with requests in flight and deliveries waiting.
 * The survivor (this process's app) must deliver every event at least once, in order per
 * conversation. Its clock runs an hour behind until the kill, so that the child alone sends at
 * first; then it jumps past the child's leases.
 */
describe.runIf(onPostgres)(`webhooks when an instance is killed ${NEEDS_POSTGRES}`, () => {
  let survivor: TestApp
  let receiver: Receiver
  const children: Child[] = []
  const time = testClock(new Date(Date.now() - 3_600_000))

  beforeAll(async () => {
    survivor = await startTestApp({}, { clock: time.clock })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    for (const c of children) c.signal('SIGKILL')
    await receiver?.close()
    await survivor?.close()
  })

  async function startChild(): Promise<Child> {
    const port = await closedPort()
    const child = spawnTool(['src/server.ts'], {
      NODE_ENV: 'test',
      DATABASE_URL: survivor.ctx.config.databaseUrl!,
      PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_LISTEN_PORT: '0',
      SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    })
    children.push(child)
    let exited = false
    void child.exited.then(() => (exited = true))
    await until(
      'the child app to answer /healthz',
      async () => !exited && (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200,
      60_000,
      child.output,
    )
    if (exited) throw new Error(`the child app exited:\n${child.output()}`)
    return child
  }

  it('delivers every event at least once, in order per conversation, after the sending instance is SIGKILLed', async () => {
    const prisma = survivor.ctx.db.prisma
    const admin = await buildAgent(prisma, { role: 'admin' })
    const folder = await buildFolder(prisma)
    await updateSettings(survivor.ctx.domain, admin, { webhooksAllowPrivateAddresses: true })
    const endpoint = await createWebhookEndpoint(survivor.ctx.domain, admin, { url: `${receiver.url}/hook` })
    receiver.secret = endpoint.secret
    const child = await startChild()

    // Slow answers, so that the kill finds requests in flight and deliveries waiting.
    let killed = false
    receiver.answer = (_req, count) => {
      if (count === KILL_AT && !killed) {
        killed = true
        child.signal('SIGKILL')
      }
      return { status: 200, delayMs: 150 }
    }

    // The events happen at the real time: due for the child, not yet for the survivor's clock.
    const { reactions: _reactions, ...base } = survivor.ctx.domain
    const now = createDomainContext({ ...base, clock: systemClock })
    await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, i) => {
        const c = await buildConversation(now, admin, { folderId: folder.id, subject: `Order ${i}` })
        for (let n = 1; n <= COMMENTS; n++) await addInternalComment(now, admin, { conversationId: c.id, text: `Note ${n}` })
      }),
    )
    const total = CONVERSATIONS * (1 + COMMENTS)
    await until('the kill', async () => killed, 60_000, child.output)
    expect((await child.exited).signal).toBe('SIGKILL')
    await until('every delivery queued', async () => (await prisma.webhookDelivery.count({ where: { endpointId: endpoint.id } })) === total, 30_000)
    const left = await prisma.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'pending' } })
    console.log(`killed with ${receiver.received.length} requests received and ${left} of ${total} deliveries not recorded as delivered`)
    expect(left, 'the killed instance had deliveries waiting').toBeGreaterThan(0)

    // The survivor's clock catches up, past the killed instance's leases.
    time.set(new Date(Date.now() + 2 * 60_000))
    await until(
      'every delivery delivered',
      async () => (await prisma.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'delivered' } })) === total,
      60_000,
    )

    const deliveries = await prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, orderBy: { eventPosition: 'asc' } })
    const events = await prisma.event.count({ where: { folderId: folder.id } })
    expect(deliveries).toHaveLength(events)
    const receivedIds = receiver.received.map((r) => String(r.headers['webhook-id']))
    for (const d of deliveries) expect(receivedIds, `${d.messageId} never arrived`).toContain(d.messageId)
    expect(new Set(receivedIds).size).toBe(total)
    expect(receiver.received.every((r) => r.verified)).toBe(true)
    console.log(`${receiver.received.length} requests for ${total} events (${receiver.received.length - total} repeated after the kill)`)

    // In order per conversation, counting each event where it first arrived.
    const firstSeen = new Map<string, (typeof receiver.received)[number]>()
    for (const r of receiver.received) if (!firstSeen.has(String(r.headers['webhook-id']))) firstSeen.set(String(r.headers['webhook-id']), r)
    const byConversation = new Map<number, number[]>()
    for (const r of firstSeen.values()) {
      const id = r.payload.data.conversation!.id
      byConversation.set(id, [...(byConversation.get(id) ?? []), r.payload.data.position])
    }
    expect(byConversation.size).toBe(CONVERSATIONS)
    for (const positions of byConversation.values()) expect(positions).toEqual([...positions].sort((a, b) => a - b))
  }, 180_000)
})
