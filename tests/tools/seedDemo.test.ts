import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Prisma } from '../../src/db/database.ts'
import { verifyPassword } from '../../src/domain/agents/passwords.ts'
import { seedDemo, SeedRefusedError, type SeedDemoResult } from '../../tools/seed-demo.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const PALETTE = ['slate', 'red', 'orange', 'amber', 'green', 'teal', 'blue', 'indigo', 'purple', 'pink']

async function counts(prisma: Prisma) {
  const [agents, folders, tags, customers, conversations, messages, history, conversationTags] = await Promise.all([
    prisma.agent.count(),
    prisma.folder.count(),
    prisma.tag.count(),
    prisma.customer.count(),
    prisma.conversation.count(),
    prisma.message.count(),
    prisma.historyEvent.count(),
    prisma.conversationTag.count(),
  ])
  return { agents, folders, tags, customers, conversations, messages, history, conversationTags }
}

describe('the demo seed', () => {
  let app: TestApp
  let prisma: Prisma
  let result: SeedDemoResult
  const lines: string[] = []
  const now = new Date('2025-06-15T12:00:00Z')

  beforeAll(async () => {
    app = await startTestApp()
    prisma = app.ctx.db.prisma
    result = await seedDemo(prisma, { now, log: (line) => lines.push(line) })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('creates the administrator and the agents with the demo password, in their folders', async () => {
    expect(result.admin).toEqual({ email: 'admin@demo.test', password: 'demo password' })
    const admin = await prisma.agent.findUniqueOrThrow({ where: { email: 'admin@demo.test' } })
    expect(admin.role).toBe('admin')
    expect(await verifyPassword(admin.passwordHash, 'demo password')).toBe(true)

    const agents = await prisma.agent.findMany({
      where: { email: { in: ['alice@demo.test', 'bruno@demo.test', 'chloe@demo.test'] } },
      include: { folders: { include: { folder: true } } },
      orderBy: { email: 'asc' },
    })
    expect(agents.map((a) => a.role)).toEqual(['agent', 'agent', 'agent'])
    expect(await verifyPassword(agents[0]!.passwordHash, 'demo password')).toBe(true)
    const folderNames = agents.map((a) => a.folders.map((m) => m.folder.name).sort())
    expect(folderNames).toEqual([['Billing', 'General'], ['Technical'], ['Billing', 'General', 'Technical']])

    const folders = await prisma.folder.findMany()
    expect(folders.length).toBeGreaterThanOrEqual(3)
    expect(folders.find((f) => f.name === 'Billing')?.inboundAddress).toBe('billing@demo.test')
    expect(folders.find((f) => f.name === 'Technical')?.inboundAddress).toBe('tech@demo.test')
  })

  it('uses palette colours for tags and realistic customers', async () => {
    const tags = await prisma.tag.findMany()
    expect(tags.map((t) => t.name)).toEqual(expect.arrayContaining(['refund', 'bug', 'vip', 'feature request', 'urgent']))
    for (const tag of tags) expect(PALETTE).toContain(tag.colour)
    const customers = await prisma.customer.findMany()
    expect(customers.length).toBeGreaterThanOrEqual(15)
    for (const c of customers) {
      expect(c.email).toMatch(/@example\.(com|org)$/)
      expect(c.name).not.toBe('')
    }
    expect(await prisma.conversationTag.count()).toBeGreaterThan(0)
  })

  it('spreads conversations over every status, several folders, channels and assignees', async () => {
    const conversations = await prisma.conversation.findMany()
    expect(conversations.length).toBe(result.conversations)
    expect(conversations.length).toBeGreaterThanOrEqual(30)
    expect(new Set(conversations.map((c) => c.status))).toEqual(new Set(['new', 'open', 'pending', 'closed']))
    expect(new Set(conversations.map((c) => c.folderId)).size).toBeGreaterThanOrEqual(3)
    expect(new Set(conversations.map((c) => c.channel))).toEqual(new Set(['email', 'portal', 'agent']))
    expect(conversations.some((c) => c.assigneeId === null)).toBe(true)
    expect(conversations.some((c) => c.assigneeId !== null)).toBe(true)
    const fortyDaysAgo = now.getTime() - 40 * 24 * 3600_000
    for (const c of conversations) {
      expect(c.lastActivityAt.getTime()).toBeLessThanOrEqual(now.getTime())
      expect(c.lastActivityAt.getTime()).toBeGreaterThanOrEqual(fortyDaysAgo)
    }
  })

  it('gives every conversation a consistent thread and history', async () => {
    const conversations = await prisma.conversation.findMany({
      include: { messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }, history: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    })
    for (const c of conversations) {
      expect(c.messages.length, c.subject).toBeGreaterThanOrEqual(1)
      expect(c.messages.length).toBeLessThanOrEqual(5)
      expect(c.messageCount).toBe(c.messages.length)
      expect(c.history.filter((e) => e.type === 'created')).toHaveLength(1)
      expect(c.history[0]?.type).toBe('created')

      const publicMessages = c.messages.filter((m) => m.kind === 'customer' || m.kind === 'agent')
      const lastPublic = publicMessages.at(-1)!
      expect(c.snippet.length).toBeGreaterThan(0)
      expect(c.snippet.length).toBeLessThanOrEqual(140)
      expect(lastPublic.bodyText.replace(/\s+/g, ' ')).toContain(c.snippet)

      for (const m of c.messages) {
        expect(m.bodyHtml).toMatch(/^<p>.*<\/p>$/s)
        expect(m.bodyHtml).not.toMatch(/<(?!\/?p>|br>)/)
        if (m.kind === 'customer') expect(m.customerId).toBe(c.customerId)
        else expect(m.authorAgentId).not.toBeNull()
      }
      const lastCustomer = c.messages.filter((m) => m.kind === 'customer').at(-1)
      const lastAgent = c.messages.filter((m) => m.kind === 'agent').at(-1)
      expect(c.lastCustomerMessageAt?.getTime() ?? null).toBe(lastCustomer?.createdAt.getTime() ?? null)
      expect(c.lastAgentReplyAt?.getTime() ?? null).toBe(lastAgent?.createdAt.getTime() ?? null)
      expect(c.lastActivityAt.getTime()).toBeGreaterThanOrEqual(c.messages.at(-1)!.createdAt.getTime())

      // The latest status change in the history leads to the conversation's status.
      const changes = c.history.filter((e) => e.type === 'status_changed')
      if (c.status === 'new') expect(changes).toHaveLength(0)
      else expect((changes.at(-1)?.data as { to?: string }).to).toBe(c.status)

      if (c.status === 'pending') {
        expect(c.pendingSince).not.toBeNull()
        expect(c.pendingSince?.getTime()).toBe(c.lastAgentReplyAt?.getTime())
      } else {
        expect(c.pendingSince).toBeNull()
      }
      if (c.status === 'closed') {
        expect(c.closedAt).not.toBeNull()
        expect(c.closedByKind).not.toBeNull()
      } else {
        expect(c.closedAt).toBeNull()
      }
      if (c.status === 'new') expect(c.lastAgentReplyAt).toBeNull()
      if (c.assigneeId !== null) {
        const assigned = c.history.find((e) => e.type === 'assigned')
        expect((assigned?.data as { assigneeId?: number }).assigneeId).toBe(c.assigneeId)
      }
    }
    const comments = await prisma.message.count({ where: { kind: 'internal' } })
    expect(comments).toBeGreaterThan(0)
    const tagged = await prisma.historyEvent.count({ where: { type: 'tagged' } })
    expect(tagged).toBe(await prisma.conversationTag.count())
  })

  it('reports progress line by line', () => {
    expect(lines).toContain('conversations 40/40')
    expect(lines.some((l) => l.startsWith('agents… done'))).toBe(true)
  })

  it('refuses a second run and leaves the data untouched', async () => {
    const before = await counts(prisma)
    await expect(seedDemo(prisma, { now, log: () => {} })).rejects.toBeInstanceOf(SeedRefusedError)
    expect(await counts(prisma)).toEqual(before)
  })
})
