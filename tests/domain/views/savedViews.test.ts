import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { deleteView, listSavedViews, MAX_SAVED_VIEWS, saveView } from '../../../src/domain/views/savedViews.ts'
import { buildAgent, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('saved searches (views)', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let ann: Actor
  let ben: Actor

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    ann = await buildAgent(ctx.prisma, { name: 'Ann' })
    ben = await buildAgent(ctx.prisma, { name: 'Ben' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const events = (type: string) => ctx.prisma.event.findMany({ where: { type }, orderBy: { position: 'asc' } })

  it('keeps the list’s tab, typed query and filters under a name, never a page cursor, and records it', async () => {
    const view = await saveView(ctx, ann, { name: ' VIP waiting ', list: { tab: 'pending', q: 'from:alice tag:vip', folder: '3', after: '1700000000000_5' } })
    expect(view).toMatchObject({ name: 'VIP waiting', query: 'tab=pending&folder=3&q=from%3Aalice+tag%3Avip' })
    expect(await listSavedViews(ctx, ann)).toEqual([view])
    const [saved] = await events('view.saved')
    // The agent's own: neither a conversation's history nor the administrators' audit.
    expect(saved).toMatchObject({ actorAgentId: ann.id, conversationId: null, targetType: null, data: { viewId: view.id, name: 'VIP waiting' } })
  })

  it('saving again under the same name replaces the search', async () => {
    const first = await saveView(ctx, ann, { name: 'Mine open', list: { tab: 'mine', q: 'status:open' } })
    const again = await saveView(ctx, ann, { name: 'Mine open', list: { tab: 'mine', q: 'status:pending' } })
    expect(again.id).toBe(first.id)
    expect(again.query).toBe('tab=mine&q=status%3Apending')
  })

  it('refuses a nameless view, and a list with neither search nor filter', async () => {
    await expect(saveView(ctx, ann, { name: '  ', list: { q: 'refund' } })).rejects.toBeInstanceOf(ValidationError)
    await expect(saveView(ctx, ann, { name: 'Everything', list: { tab: 'all' } })).rejects.toMatchObject({ key: 'views.nothingToSave' })
  })

  it(`keeps at most ${MAX_SAVED_VIEWS} views per agent`, async () => {
    const agent = await buildAgent(ctx.prisma, { name: 'Collector' })
    await ctx.prisma.savedView.createMany({ data: Array.from({ length: MAX_SAVED_VIEWS }, (_, i) => ({ agentId: agent.id, name: `v${i}`, query: 'q=x' })) })
    await expect(saveView(ctx, agent, { name: 'one more', list: { q: 'x' } })).rejects.toMatchObject({ key: 'views.tooMany' })
    // Replacing one of them is still possible.
    await expect(saveView(ctx, agent, { name: 'v1', list: { q: 'y' } })).resolves.toMatchObject({ query: 'tab=new&q=y' })
  })

  it('is private: another agent neither lists nor deletes it', async () => {
    const view = await saveView(ctx, ann, { name: 'Private', list: { q: 'secret' } })
    expect((await listSavedViews(ctx, ben)).map((v) => v.name)).not.toContain('Private')
    await expect(deleteView(ctx, ben, { viewId: view.id })).rejects.toBeInstanceOf(NotFoundError)
    expect(await ctx.prisma.savedView.count({ where: { id: view.id } })).toBe(1)
    await expect(deleteView(ctx, ann, { viewId: view.id })).resolves.toEqual({ name: 'Private' })
    expect(await ctx.prisma.savedView.count({ where: { id: view.id } })).toBe(0)
    expect((await events('view.deleted')).at(-1)).toMatchObject({ actorAgentId: ann.id, data: { viewId: view.id, name: 'Private' } })
  })
})
