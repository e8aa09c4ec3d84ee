import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Prisma } from '../../src/db/database.ts'
import { verifyPassword } from '../../src/domain/agents/passwords.ts'
import { snippetOf } from '../../src/domain/conversations/messageBody.ts'
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

/** Every conversation with its thread and history, both in the order they happened. */
function loadThreads(prisma: Prisma) {
  return prisma.conversation.findMany({
    include: { messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }, history: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    orderBy: { id: 'asc' },
  })
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
    result = await seedDemo(app.ctx.domain, { now, log: (line) => lines.push(line) })
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
      expect(c.history.filter((e) => e.type === 'conversation.created')).toHaveLength(1)
      expect(c.history[0]?.type).toBe('conversation.created')

      const publicMessages = c.messages.filter((m) => m.kind === 'customer' || m.kind === 'agent')
      const lastPublic = publicMessages.at(-1)!
      expect(c.snippet.length).toBeGreaterThan(0)
      expect(c.snippet).toBe(snippetOf(lastPublic.bodyText))

      for (const m of c.messages) {
        expect(m.bodyHtml).toMatch(/^<p>.*<\/p>$/s)
        expect(m.bodyHtml).not.toMatch(/<(?!\/?p>|br ?\/?>)/)
        if (m.kind === 'customer') expect(m.customerId).toBe(c.customerId)
        else expect(m.authorAgentId).not.toBeNull()
      }
      const lastCustomer = c.messages.filter((m) => m.kind === 'customer').at(-1)
      const lastAgent = c.messages.filter((m) => m.kind === 'agent').at(-1)
      expect(c.lastCustomerMessageAt?.getTime() ?? null).toBe(lastCustomer?.createdAt.getTime() ?? null)
      expect(c.lastAgentReplyAt?.getTime() ?? null).toBe(lastAgent?.createdAt.getTime() ?? null)
      expect(c.lastActivityAt.getTime()).toBeGreaterThanOrEqual(c.messages.at(-1)!.createdAt.getTime())

      // The latest status change in the history (or the status it was created with) is the conversation's status.
      const changes = c.history.filter((e) => e.type === 'status.changed')
      if (c.status === 'new') expect(changes).toHaveLength(0)
      const createdWith = (c.history[0]?.data as { status?: string }).status ?? 'new'
      expect((changes.at(-1)?.data as { to?: string } | undefined)?.to ?? createdWith).toBe(c.status)

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
        const assigned = c.history.filter((e) => e.type === 'conversation.assigned').at(-1)
        expect((assigned?.data as { to?: number }).to).toBe(c.assigneeId)
      }
    }
    const comments = await prisma.message.count({ where: { kind: 'internal' } })
    expect(comments).toBeGreaterThan(0)
    const tagged = await prisma.historyEvent.count({ where: { type: 'conversation.tagged' } })
    const untagged = await prisma.historyEvent.count({ where: { type: 'conversation.untagged' } })
    expect(tagged - untagged).toBe(await prisma.conversationTag.count())
  })

  it('records customers’ messages as the customer’s and agents’ replies as the agent’s', async () => {
    const conversations = await loadThreads(prisma)
    let customerReplies = 0
    for (const c of conversations) {
      const messages = new Map(c.messages.map((m) => [m.id, m]))
      const created = c.history[0]!
      if (c.channel === 'agent') {
        expect(created.actorKind, c.subject).toBe('agent')
      } else {
        // A customer's first message starts the conversation in their name.
        expect(created.actorKind, c.subject).toBe('customer')
        expect(c.messages[0]?.kind).toBe('customer')
      }
      for (const e of c.history) {
        const message = messages.get((e.data as { messageId?: number }).messageId ?? -1)
        if (e.type === 'reply.sent') {
          expect(e.actorKind, `${c.subject}: a reply`).toBe('agent')
          expect(message?.kind).toBe('agent')
          expect(message?.authorAgentId).toBe(e.actorAgentId)
        }
        if (e.type === 'message.received') {
          expect(e.actorKind, `${c.subject}: a customer message`).toBe('customer')
          expect(message?.kind).toBe('customer')
          expect(message?.customerId).toBe(c.customerId)
          customerReplies++
        }
        if (e.type === 'comment.added') {
          expect(e.actorKind).toBe('agent')
          expect(message?.kind).toBe('internal')
        }
      }
      // Every message has the history line that recorded it.
      const recorded = new Set(c.history.map((e) => (e.data as { messageId?: number }).messageId))
      for (const m of c.messages.slice(1)) expect(recorded.has(m.id), `${c.subject}: message ${m.id}`).toBe(true)
    }
    expect(customerReplies).toBeGreaterThan(0)
  })

  it('records assignments with the agent they went to', async () => {
    const conversations = await loadThreads(prisma)
    const agentIds = new Set((await prisma.agent.findMany({ select: { id: true } })).map((a) => a.id))
    for (const c of conversations) {
      const assignments = c.history.filter((e) => e.type === 'conversation.assigned')
      for (const e of assignments) {
        const data = e.data as { from?: number | null; to?: number | null }
        expect(e.actorKind).toBe('agent')
        if (data.to === null) expect(typeof data.from, `${c.subject}: an unassignment names who had it`).toBe('number')
        else expect(agentIds.has(data.to as number), `${c.subject}: assigned to ${String(data.to)}`).toBe(true)
      }
      const last = assignments.at(-1)?.data as { to?: number | null } | undefined
      expect(last?.to ?? null, c.subject).toBe(c.assigneeId)
    }
  })

  it('attributes every status change to whoever caused it', async () => {
    const conversations = await loadThreads(prisma)
    let reopenedByCustomer = 0
    let closedBySystem = 0
    for (const c of conversations) {
      for (const e of c.history.filter((h) => h.type === 'status.changed')) {
        const data = e.data as { from: string; to: string; customerId?: number }
        const sameMoment = c.history.filter((h) => h.createdAt.getTime() === e.createdAt.getTime() && h.id < e.id)
        // SPEC §1: a customer's message to a pending or closed conversation opens it; the customer did that.
        if (sameMoment.some((h) => h.type === 'message.received')) {
          expect(e.actorKind, `${c.subject}: ${data.from} → ${data.to}`).toBe('customer')
          expect(data.customerId).toBe(c.customerId)
          expect(data.to).toBe('open')
          reopenedByCustomer++
        }
        // SPEC §2: the system changes a status only when it closes a silent conversation.
        if (e.actorKind === 'system') {
          expect(data.to, c.subject).toBe('closed')
          expect(
            sameMoment.some((h) => h.type === 'conversation.auto_closed'),
            `${c.subject}: closed by the system without auto_closed`,
          ).toBe(true)
          closedBySystem++
        }
        if (e.actorKind === 'agent') expect(e.actorAgentId).not.toBeNull()
      }
    }
    expect(reopenedByCustomer).toBeGreaterThan(0)
    expect(closedBySystem).toBeGreaterThan(0)

    // The automatic close came after a reminder and the full warning period.
    const autoClosed = conversations.filter((c) => c.history.some((e) => e.type === 'conversation.auto_closed'))
    for (const c of autoClosed) {
      const reminder = c.history.find((e) => e.type === 'reminder.sent')
      const closed = c.history.find((e) => e.type === 'conversation.auto_closed')!
      expect(reminder?.actorKind, c.subject).toBe('system')
      expect(closed.createdAt.getTime() - reminder!.createdAt.getTime()).toBeGreaterThanOrEqual(7 * 24 * 3600_000)
      expect(c.closedByKind).toBe('system')
    }
  })

  it('writes a different text for every conversation', async () => {
    const conversations = await loadThreads(prisma)
    // Greetings and sign-offs are short; any longer paragraph belongs to one conversation only.
    const seen = new Map<string, string>()
    for (const c of conversations) {
      const paragraphs = new Set(c.messages.flatMap((m) => m.bodyText.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim())).filter((p) => p.length >= 30))
      for (const p of paragraphs) {
        expect(seen.get(p), `"${p}" in "${c.subject}"`).toBeUndefined()
        seen.set(p, c.subject)
      }
    }
    expect(new Set(conversations.map((c) => c.messages[0]!.bodyText)).size).toBe(conversations.length)
    expect(new Set(conversations.map((c) => c.subject)).size).toBe(conversations.length)
  })

  it('keeps the demo’s e-mails away from real mailboxes and out of the delivery queue', async () => {
    const outbox = await prisma.outboxEmail.findMany()
    // The agents' replies went through the outbox, as every reply does.
    const replies = outbox.filter((e) => e.kind === 'agent_reply')
    expect(replies.length).toBe(await prisma.message.count({ where: { kind: 'agent' } }))
    for (const e of outbox) {
      expect(e.toAddress).toMatch(/@(example\.(com|org)|[a-z0-9.-]+\.test)$/)
      expect(e.status).not.toBe('queued')
      expect(e.createdAt.getTime()).toBeLessThanOrEqual(now.getTime())
    }
  })

  it('reports progress line by line', () => {
    expect(lines).toContain('conversations 40/40')
    expect(lines.some((l) => l.startsWith('agents… done'))).toBe(true)
  })

  it('refuses a second run and leaves the data untouched', async () => {
    const before = await counts(prisma)
    await expect(seedDemo(app.ctx.domain, { now, log: () => {} })).rejects.toBeInstanceOf(SeedRefusedError)
    expect(await counts(prisma)).toEqual(before)
  })
})
