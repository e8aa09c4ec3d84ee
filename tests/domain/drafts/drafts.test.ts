import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addInternalComment } from '../../../src/domain/conversations/commands/addInternalComment.ts'
import { replyAsAgent } from '../../../src/domain/conversations/commands/replyAsAgent.ts'
import { draftersOf, draftsOnConversation, getDraft, othersDrafting } from '../../../src/domain/drafts/draftQueries.ts'
import { discardDraft, saveDraft } from '../../../src/domain/drafts/saveDraft.ts'
import { NotFoundError } from '../../../src/domain/errors.ts'
import type { ConversationEvent } from '../../../src/realtime/events.ts'
import { buildAgent, buildConversation, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('drafts: what an agent is writing, kept on the server', () => {
  let app: TestApp
  let ctx: DomainContext
  let alice: Actor
  let bruno: Actor
  let outsider: Actor
  let folderId: number
  const heard: ConversationEvent[] = []

  beforeAll(async () => {
    app = await startTestApp()
    ctx = app.ctx.domain
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    const elsewhere = (await buildFolder(ctx.prisma, 'Elsewhere')).id
    alice = await buildAgent(ctx.prisma, { name: 'Alice', folderIds: [folderId] })
    bruno = await buildAgent(ctx.prisma, { name: 'Bruno', folderIds: [folderId] })
    outsider = await buildAgent(ctx.prisma, { name: 'Olga', folderIds: [elsewhere] })
    ctx.events.subscribe((e) => heard.push(e))
  })
  afterAll(async () => {
    await app?.close()
  })

  const newConversation = () => buildConversation(ctx, alice, { folderId })
  const eventCount = (conversationId: number) => ctx.prisma.event.count({ where: { conversationId } })
  const draftNotices = (conversationId: number) => heard.filter((e) => e.type === 'drafts.changed' && e.conversationId === conversationId)
  /** The bus delivers through PostgreSQL's NOTIFY: a moment after the commit. */
  const settle = () => new Promise((r) => setTimeout(r, 300))

  it('saves the draft per agent and conversation, sanitised, and a second save replaces the first', async () => {
    const c = await newConversation()
    await saveDraft(ctx, alice, { conversationId: c.id, html: '<p>Hello <b>there</b><script>alert(1)</script></p>', text: 'Hello there' })
    expect(await getDraft(ctx.prisma, alice, c.id)).toMatchObject({ html: '<p>Hello <b>there</b></p>', text: 'Hello there' })
    await saveDraft(ctx, alice, { conversationId: c.id, html: '<p>Hello again</p>' })
    // Text follows from the HTML when the script sends none.
    expect(await getDraft(ctx.prisma, alice, c.id)).toMatchObject({ html: '<p>Hello again</p>', text: 'Hello again' })
    expect(await getDraft(ctx.prisma, bruno, c.id)).toBeNull()
    expect(await ctx.prisma.draft.count({ where: { conversationId: c.id } })).toBe(1)
  })

  it('records no event for a draft (work in progress, not a change of the conversation) but tells the others live when one appears or goes', async () => {
    const c = await newConversation()
    const events = await eventCount(c.id)
    await saveDraft(ctx, alice, { conversationId: c.id, text: 'First words' })
    await saveDraft(ctx, alice, { conversationId: c.id, text: 'First words and more' })
    await settle()
    expect(await eventCount(c.id)).toBe(events)
    // Told once when it appeared, not at every autosave.
    expect(draftNotices(c.id)).toEqual([
      expect.objectContaining({ type: 'drafts.changed', conversationId: c.id, folderId, drafters: [{ agentId: alice.id, name: 'Alice' }] }),
    ])
    expect(await othersDrafting(ctx.prisma, bruno, c.id)).toEqual(['Alice'])
    expect(await othersDrafting(ctx.prisma, alice, c.id)).toEqual([])
    // What the conversation page reads, in one statement: one's own words, the others' names only.
    expect(await draftsOnConversation(ctx.prisma, alice, c.id)).toEqual({ mine: { html: expect.any(String), text: 'First words and more' }, others: [] })
    expect(await draftsOnConversation(ctx.prisma, bruno, c.id)).toEqual({ mine: null, others: ['Alice'] })
    await discardDraft(ctx, alice, { conversationId: c.id })
    await settle()
    expect(await getDraft(ctx.prisma, alice, c.id)).toBeNull()
    expect(draftNotices(c.id).at(-1)).toMatchObject({ drafters: [] })
    expect(await eventCount(c.id)).toBe(events)
  })

  it('an empty draft is no draft: saving one deletes the row', async () => {
    const c = await newConversation()
    await saveDraft(ctx, alice, { conversationId: c.id, text: 'Something' })
    expect(await saveDraft(ctx, alice, { conversationId: c.id, html: '<p><br></p>', text: '   ' })).toEqual({ saved: false })
    expect(await getDraft(ctx.prisma, alice, c.id)).toBeNull()
  })

  it('an agent outside the folder can neither keep a draft there nor discard one', async () => {
    const c = await newConversation()
    await expect(saveDraft(ctx, outsider, { conversationId: c.id, text: 'sneaky' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(discardDraft(ctx, outsider, { conversationId: c.id })).rejects.toBeInstanceOf(NotFoundError)
    expect(await ctx.prisma.draft.count({ where: { conversationId: c.id } })).toBe(0)
  })

  it('a sent reply or comment takes its author’s draft away in the same transaction; the others’ drafts stay', async () => {
    const c = await newConversation()
    await saveDraft(ctx, alice, { conversationId: c.id, text: 'Alice writing' })
    await saveDraft(ctx, bruno, { conversationId: c.id, text: 'Bruno writing' })
    expect((await draftersOf(ctx.prisma, c.id)).map((d) => d.name)).toEqual(['Alice', 'Bruno'])
    await replyAsAgent(ctx, alice, { conversationId: c.id, text: 'Here is your answer.' })
    expect(await getDraft(ctx.prisma, alice, c.id)).toBeNull()
    expect(await getDraft(ctx.prisma, bruno, c.id)).not.toBeNull()
    await addInternalComment(ctx, bruno, { conversationId: c.id, text: 'Noted.' })
    expect(await getDraft(ctx.prisma, bruno, c.id)).toBeNull()
  })

  it('a refused reply keeps the draft (the transaction that would have removed it rolls back)', async () => {
    const c = await newConversation()
    await saveDraft(ctx, alice, { conversationId: c.id, text: 'Keep me' })
    await expect(replyAsAgent(ctx, alice, { conversationId: c.id, text: 'Stale', seenMessageCount: 0 })).rejects.toThrow()
    expect(await getDraft(ctx.prisma, alice, c.id)).toMatchObject({ text: 'Keep me' })
  })
})
