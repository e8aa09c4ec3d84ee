import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { setConversationStatus } from '../../../src/domain/conversations/commands/setConversationStatus.ts'
import { similarConversations, solvingReply, tellingWords } from '../../../src/domain/conversations/similarConversations.ts'
import { folderScope } from '../../../src/domain/policy.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('similar solved conversations', () => {
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let alice: Actor
  let support: number
  let hidden: number

  beforeAll(async () => {
    app = await startTestApp()
    ctx = app.ctx.domain
    support = (await buildFolder(ctx.prisma, 'Support')).id
    hidden = (await buildFolder(ctx.prisma, 'Board room')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    alice = await buildAgent(ctx.prisma, { name: 'Alice', folderIds: [support] })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A customer's request, answered, then in the given status. */
  async function solved(folderId: number, subject: string, text: string, reply: string, status: 'closed' | 'open' = 'closed') {
    const c = await buildConversation(ctx, admin, { folderId, subject, text })
    await replyAsAgent(ctx, admin, { conversationId: c.id, text: reply })
    if (status === 'closed') await setConversationStatus(ctx, admin, { conversationId: c.id, status: 'closed' })
    return c
  }

  it('keeps the telling words: letters only, four or more, no stop words in English or French, longest first', () => {
    expect(tellingWords('Bonjour, my PRINTER jams with glossy paper (2 pages) — merci pour votre aide')).toEqual([
      'printer',
      'glossy',
      'pages',
      'paper',
      'aide',
      'jams',
    ])
  })

  it('finds the closed conversation of the agent’s folders with the same words, with the reply that solved it; never another folder’s, an open one, a merged one or itself', async () => {
    const match = await solved(
      support,
      'Duplex printing jams the printer',
      'Glossy paper jams during duplex printing.',
      'Clean the rollers and choose “glossy” as the paper type.',
    )
    const secret = await solved(hidden, 'Printer jams on duplex glossy paper', 'The printer jams on duplex glossy paper.', 'Board room only answer.')
    const open = await solved(support, 'Printer jams duplex glossy', 'Duplex glossy jams the printer again.', 'Still looking.', 'open')
    const merged = await solved(support, 'Printer jams duplex glossy twice', 'Duplex glossy paper jams.', 'Merged answer.')
    await ctx.prisma.conversation.update({ where: { id: merged.id }, data: { mergedIntoId: match.id } })
    await solved(support, 'Refund for the lamp', 'I would like my money back for the lamp.', 'Refund sent.')
    const current = await buildConversation(ctx, alice, {
      folderId: support,
      subject: 'Printer jams',
      text: 'My printer jams whenever I print duplex pages on glossy paper.',
    })

    const found = await similarConversations(ctx.prisma, await folderScope(ctx.prisma, alice), current.id)
    expect(found.map((f) => f.number)).toEqual([match.number])
    expect(found[0]).toMatchObject({
      subject: 'Duplex printing jams the printer',
      reply: { snippet: 'Clean the rollers and choose “glossy” as the paper type.' },
    })
    expect(found[0]!.reply.html).toContain('Clean the rollers')
    expect(found[0]!.closedAt).toBeInstanceOf(Date)
    expect([secret.number, open.number, merged.number, current.number]).not.toContain(found[0]!.number)

    // An admin sees every folder: the board room's answer too.
    const forAdmin = await similarConversations(ctx.prisma, null, current.id)
    expect(forAdmin.map((f) => f.number).sort()).toEqual([match.number, secret.number].sort())
  })

  it('gives the reply that solved a conversation only to an agent who may see it', async () => {
    const c = await solved(hidden, 'Locked cabinet', 'The cabinet is locked.', 'The key is under the mat.')
    expect(await solvingReply(ctx.prisma, await folderScope(ctx.prisma, alice), c.number)).toBeNull()
    expect(await solvingReply(ctx.prisma, null, c.number)).toMatchObject({ text: 'The key is under the mat.' })
  })

  it('finds nothing for a conversation with no telling word', async () => {
    const c = await buildConversation(ctx, alice, { folderId: support, subject: 'Hi', text: 'Help me, I am lost!' })
    expect(await similarConversations(ctx.prisma, await folderScope(ctx.prisma, alice), c.id)).toEqual([])
  })
})
