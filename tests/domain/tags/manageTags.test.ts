import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { addTag } from '../../../src/domain/conversations/commands/tagConversation.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { createTagStrict, deleteTag, listTagsForAdmin, renameTag, UNTAG_BATCH_SIZE, updateTag } from '../../../src/domain/tags/manageTags.ts'
import type { ConversationEvent } from '../../../src/realtime/events.ts'
import { buildAgent, buildConversation, buildFolder, buildTag, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { messageText } from '../../../src/i18n/issueMessages.ts'
import { translator, type Message } from '../../../src/i18n/translate.ts'

/** What an English reader is told (a domain error or a field's message). */
const english = (message: Message) => messageText(translator('en'), message)

describe('managing tags', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor
  let folderId: number
  const events: ConversationEvent[] = []

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    ctx.events.subscribe((e) => events.push(e))
    folderId = (await buildFolder(ctx.prisma, 'Support')).id
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    agent = await buildAgent(ctx.prisma, { name: 'Bob', folderIds: [folderId] })
  })
  afterAll(async () => {
    await app?.close()
  })

  const audits = (action: string, targetId: number) => ctx.prisma.auditEvent.findMany({ where: { action, targetId: String(targetId) }, orderBy: { id: 'asc' } })

  it('renames a tag and changes its colour, audited with both changes', async () => {
    const tag = await buildTag(ctx.prisma, 'refnd', 'blue')
    expect(await renameTag(ctx, admin, { tagId: tag.id, name: ' refund ' })).toMatchObject({ name: 'refund', colour: 'blue' })
    expect(await updateTag(ctx, admin, { tagId: String(tag.id), name: 'Refund', colour: 'red' })).toMatchObject({ name: 'Refund', colour: 'red' })
    const [first, second] = await audits('tag.updated', tag.id)
    expect(first!.data).toEqual({ name: { from: 'refnd', to: 'refund' } })
    expect(second!.data).toEqual({ name: { from: 'refund', to: 'Refund' }, colour: { from: 'blue', to: 'red' } })
    // Nothing changed: nothing audited.
    await updateTag(ctx, admin, { tagId: tag.id, name: 'Refund', colour: 'red' })
    expect(await audits('tag.updated', tag.id)).toHaveLength(2)
  })

  it('accepts only colours from the palette', async () => {
    const tag = await buildTag(ctx.prisma, 'palette', 'green')
    for (const colour of ['#ff0000', 'red;background:url(x)', 'Red', '']) {
      const err = await updateTag(ctx, admin, { tagId: tag.id, colour: colour as 'red' }).catch((e) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(english(err.fields.colour)).toBe('Choose a colour from the list')
    }
    const created = await createTagStrict(ctx, admin, { name: 'odd', colour: 'chartreuse' }).catch((e) => e)
    expect(created).toBeInstanceOf(ValidationError)
    expect(english(created.fields.colour)).toBe('Choose a colour from the list')
    expect(await ctx.prisma.tag.count({ where: { name: 'odd' } })).toBe(0)
    expect((await ctx.prisma.tag.findUniqueOrThrow({ where: { id: tag.id } })).colour).toBe('green')
    expect(await createTagStrict(ctx, admin, { name: 'vip', colour: 'purple' })).toMatchObject({ name: 'vip', colour: 'purple' })
  })

  it('refuses a name another tag has, whatever its case', async () => {
    await buildTag(ctx.prisma, 'urgent', 'red')
    const tag = await buildTag(ctx.prisma, 'later', 'slate')
    const err = await renameTag(ctx, admin, { tagId: tag.id, name: 'URGENT' }).catch((e) => e)
    expect(err).toBeInstanceOf(ConflictError)
    expect(english(err)).toBe('A tag named “URGENT” already exists')
    const dup = await createTagStrict(ctx, admin, { name: 'Urgent', colour: 'red' }).catch((e) => e)
    expect(dup).toBeInstanceOf(ConflictError)
    expect(dup.field).toBe('name')
  })

  it('only lets administrators change tags', async () => {
    const tag = await buildTag(ctx.prisma, 'guarded', 'teal')
    await expect(renameTag(ctx, agent, { tagId: tag.id, name: 'mine' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(deleteTag(ctx, agent, { tagId: tag.id })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(createTagStrict(ctx, agent, { name: 'sneaky' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(deleteTag(ctx, admin, { tagId: 999_999 })).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteTag(ctx, admin, { tagId: 'abc' })).rejects.toBeInstanceOf(NotFoundError)
    expect(await ctx.prisma.tag.findUniqueOrThrow({ where: { id: tag.id } })).toMatchObject({ name: 'guarded' })
  })

  it('deletes a tag: removed from every conversation, an untagged history entry by the admin on each, audited', async () => {
    const tag = await buildTag(ctx.prisma, 'billing', 'amber')
    const other = await buildTag(ctx.prisma, 'keep-me', 'blue')
    const tagged = [await buildConversation(ctx, admin, { folderId }), await buildConversation(ctx, admin, { folderId })]
    const untouched = await buildConversation(ctx, admin, { folderId })
    for (const c of tagged) {
      await addTag(ctx, agent, { conversationId: c.id, tagId: tag.id })
      await addTag(ctx, agent, { conversationId: c.id, tagId: other.id })
    }
    time.advance(60_000)
    // Across instances events travel through PostgreSQL: let the tagging ones arrive first.
    const tagging = tagged.length * 2
    await expect.poll(() => events.filter((e) => e.type === 'conversation.updated').length).toBeGreaterThanOrEqual(tagging)
    events.length = 0

    expect(await deleteTag(ctx, admin, { tagId: tag.id })).toEqual({ name: 'billing', conversations: 2 })
    expect(await ctx.prisma.tag.findUnique({ where: { id: tag.id } })).toBeNull()
    expect(await ctx.prisma.conversationTag.count({ where: { tagId: tag.id } })).toBe(0)
    for (const c of tagged) {
      const untagged = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, type: 'conversation.untagged' } })
      expect(untagged).toHaveLength(1)
      expect(untagged[0]).toMatchObject({ actorKind: 'agent', actorAgentId: admin.id, createdAt: time.clock(), data: { tagId: tag.id, tag: 'billing' } })
      // Other tags stay.
      expect(await ctx.prisma.conversationTag.count({ where: { conversationId: c.id, tagId: other.id } })).toBe(1)
    }
    expect(await ctx.prisma.historyEvent.count({ where: { conversationId: untouched.id, type: 'conversation.untagged' } })).toBe(0)
    await expect
      .poll(() =>
        events
          .filter((e) => e.type === 'conversation.updated')
          .map((e) => e.conversationId)
          .sort(),
      )
      .toEqual(tagged.map((c) => c.id).sort())
    const [audit] = await audits('tag.deleted', tag.id)
    expect(audit).toMatchObject({ actorAgentId: admin.id, targetType: 'tag', data: { name: 'billing', colour: 'amber', conversations: 2 } })
  })

  it('deletes a tag used on many conversations in batches', async () => {
    const tag = await buildTag(ctx.prisma, 'everywhere', 'pink')
    const customer = await ctx.prisma.customer.create({ data: { email: 'many@example.com' } })
    const count = UNTAG_BATCH_SIZE + 3
    await ctx.prisma.conversation.createMany({
      data: Array.from({ length: count }, (_, i) => ({ subject: `Bulk ${i}`, channel: 'email' as const, folderId, customerId: customer.id })),
    })
    const ids = (await ctx.prisma.conversation.findMany({ where: { customerId: customer.id }, select: { id: true } })).map((c) => c.id)
    await ctx.prisma.conversationTag.createMany({ data: ids.map((conversationId) => ({ conversationId, tagId: tag.id })) })
    expect((await listTagsForAdmin(ctx, admin)).find((t) => t.id === tag.id)?._count.conversations).toBe(count)
    expect((await deleteTag(ctx, admin, { tagId: tag.id })).conversations).toBe(count)
    expect(await ctx.prisma.historyEvent.count({ where: { type: 'conversation.untagged', conversationId: { in: ids } } })).toBe(count)
  })
})
