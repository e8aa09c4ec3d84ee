import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { ForbiddenError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { FieldConflictError } from '../../../src/domain/folders/manageFolders.ts'
import { createSavedReply, deleteSavedReply, updateSavedReply } from '../../../src/domain/savedReplies/manageSavedReplies.ts'
import { findManageableSavedReply, listSavedReplies, savedRepliesForFolder, savedReplyScopes } from '../../../src/domain/savedReplies/savedReplyQueries.ts'
import { buildAgent, buildFolder, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('saved replies: who manages and sees them', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let billingAgent: Actor
  let shippingAgent: Actor
  let billing: { id: number }
  let shipping: { id: number }

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    billing = await buildFolder(ctx.prisma, 'Billing')
    shipping = await buildFolder(ctx.prisma, 'Shipping')
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada Admin' })
    billingAgent = await buildAgent(ctx.prisma, { folderIds: [billing.id], name: 'Bill' })
    shippingAgent = await buildAgent(ctx.prisma, { folderIds: [shipping.id], name: 'Sheila' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const audit = (type: string, id: number) => ctx.prisma.event.findMany({ where: { type, targetType: 'saved_reply', targetId: String(id) } })

  it('an admin shares one with every folder; its HTML is sanitised and the creation audited', async () => {
    const reply = await createSavedReply(ctx, admin, {
      name: '  Thanks  ',
      folderId: '',
      html: '<p onclick="x()">Thanks {{customer.firstName}}<script>alert(1)</script></p>',
    })
    expect(reply).toMatchObject({ name: 'Thanks', folderId: null, createdById: admin.id, useCount: 0 })
    expect(reply.bodyHtml).toBe('<p>Thanks {{customer.firstName}}</p>')
    const [event] = await audit('saved_reply.created', reply.id)
    expect(event).toMatchObject({ actorAgentId: admin.id, conversationId: null, data: { name: 'Thanks', folderId: null } })
  })

  it('an agent files one in a folder of theirs, from the plain text of a form without JavaScript', async () => {
    const reply = await createSavedReply(ctx, billingAgent, {
      name: 'Refund on its way',
      folderId: String(billing.id),
      text: 'Hello,\n\nYour refund is on its way.',
      html: '<p>stale</p>',
    })
    expect(reply.folderId).toBe(billing.id)
    expect(reply.bodyHtml).toContain('Your refund is on its way.')
    expect(reply.bodyHtml).not.toContain('stale')
  })

  it('an agent may neither share one with all folders nor file one in a folder that is not theirs', async () => {
    await expect(createSavedReply(ctx, billingAgent, { name: 'Everyone', folderId: '', html: '<p>Hi</p>' })).rejects.toMatchObject({
      fields: { folderId: { key: 'validation.savedReplySharedAdminsOnly' } },
    })
    await expect(createSavedReply(ctx, billingAgent, { name: 'Elsewhere', folderId: shipping.id, html: '<p>Hi</p>' })).rejects.toMatchObject({
      fields: { folderId: { key: 'validation.chooseFolder' } },
    })
    expect(await ctx.prisma.savedReply.count({ where: { name: { in: ['Everyone', 'Elsewhere'] } } })).toBe(0)
  })

  it('needs a name of 1 to 80 characters and some text', async () => {
    await expect(createSavedReply(ctx, admin, { name: ' ', folderId: '', html: '<p>Hi</p>' })).rejects.toMatchObject({
      fields: { name: { key: 'validation.enterName' } },
    })
    await expect(createSavedReply(ctx, admin, { name: 'x'.repeat(81), folderId: '', html: '<p>Hi</p>' })).rejects.toBeInstanceOf(ValidationError)
    await expect(createSavedReply(ctx, admin, { name: 'x'.repeat(80), folderId: '', html: '<p>Hi</p>' })).resolves.toMatchObject({ name: 'x'.repeat(80) })
    await expect(createSavedReply(ctx, admin, { name: 'Empty', folderId: '', html: '<p><br></p><script>x</script>' })).rejects.toMatchObject({
      fields: { body: { key: 'validation.writeMessage' } },
    })
  })

  it('a name is unique within its folder (any case), not across folders', async () => {
    await createSavedReply(ctx, admin, { name: 'Welcome', folderId: billing.id, html: '<p>Billing welcome</p>' })
    await expect(createSavedReply(ctx, billingAgent, { name: 'WELCOME', folderId: billing.id, html: '<p>Again</p>' })).rejects.toBeInstanceOf(
      FieldConflictError,
    )
    await expect(createSavedReply(ctx, shippingAgent, { name: 'Welcome', folderId: shipping.id, html: '<p>Shipping welcome</p>' })).resolves.toMatchObject({
      folderId: shipping.id,
    })
    await expect(createSavedReply(ctx, admin, { name: 'Welcome', folderId: '', html: '<p>Shared welcome</p>' })).resolves.toMatchObject({ folderId: null })
  })

  it('an agent sees the shared ones and those of their folders, and may manage only their folders’ ones', async () => {
    const mine = await listSavedReplies(ctx, billingAgent)
    expect(mine.every((r) => r.folderId === null || r.folderId === billing.id)).toBe(true)
    expect(mine.map((r) => r.name)).toEqual(expect.arrayContaining(['Thanks', 'Refund on its way', 'Welcome']))
    expect(mine.find((r) => r.folderName === 'Shipping')).toBeUndefined()
    expect(mine.find((r) => r.name === 'Thanks')).toMatchObject({ folderName: null, canManage: false })
    expect(mine.find((r) => r.name === 'Refund on its way')).toMatchObject({
      folderName: 'Billing',
      canManage: true,
      preview: expect.stringContaining('Your refund'),
    })
    // Admins see all of them, and may manage all of them.
    const all = await listSavedReplies(ctx, admin)
    expect(all.some((r) => r.folderName === 'Shipping')).toBe(true)
    expect(all.every((r) => r.canManage)).toBe(true)
    // The picker of a Billing conversation: shared and Billing's, never Shipping's.
    const usable = await savedRepliesForFolder(ctx, billingAgent, billing.id)
    expect(usable.map((r) => r.name).sort()).toEqual(['Refund on its way', 'Thanks', 'Welcome', 'Welcome', 'x'.repeat(80)].sort())
    expect(await savedRepliesForFolder(ctx, billingAgent, shipping.id)).toEqual([])
    expect(await savedReplyScopes(ctx, billingAgent)).toEqual({ shared: false, folders: [{ id: billing.id, name: 'Billing' }] })
  })

  it('an agent outside the folder can neither open, edit nor delete its saved reply: it does not exist for them', async () => {
    const theirs = await ctx.prisma.savedReply.findFirstOrThrow({ where: { folderId: shipping.id } })
    await expect(findManageableSavedReply(ctx, billingAgent, { savedReplyId: theirs.id })).rejects.toBeInstanceOf(NotFoundError)
    await expect(
      updateSavedReply(ctx, billingAgent, { savedReplyId: theirs.id, name: 'Hacked', folderId: billing.id, html: '<p>x</p>' }),
    ).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteSavedReply(ctx, billingAgent, { savedReplyId: theirs.id })).rejects.toBeInstanceOf(NotFoundError)
    expect(await ctx.prisma.savedReply.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: 'Welcome', folderId: shipping.id })
  })

  it('an agent cannot change a shared one; an admin can', async () => {
    const shared = await ctx.prisma.savedReply.findFirstOrThrow({ where: { name: 'Thanks', folderId: null } })
    await expect(
      updateSavedReply(ctx, billingAgent, { savedReplyId: shared.id, name: 'Mine now', folderId: billing.id, html: '<p>x</p>' }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    await expect(deleteSavedReply(ctx, billingAgent, { savedReplyId: shared.id })).rejects.toBeInstanceOf(ForbiddenError)
    const updated = await updateSavedReply(ctx, admin, {
      savedReplyId: shared.id,
      name: 'Thank you',
      folderId: '',
      html: '<p>Thank you {{customer.firstName}}</p>',
    })
    expect(updated).toMatchObject({ name: 'Thank you', bodyHtml: '<p>Thank you {{customer.firstName}}</p>' })
    const [event] = await audit('saved_reply.updated', shared.id)
    // What changed, with what it was: the folder did not.
    expect(event!.data).toEqual({ name: { from: 'Thanks', to: 'Thank you' }, bodyChanged: true })
  })

  it('an agent edits and deletes their folder’s replies; moving one needs both folders', async () => {
    const reply = await createSavedReply(ctx, billingAgent, { name: 'Invoice copy', folderId: billing.id, html: '<p>Here is your invoice.</p>' })
    await expect(
      updateSavedReply(ctx, billingAgent, { savedReplyId: reply.id, name: 'Invoice copy', folderId: shipping.id, html: '<p>x</p>' }),
    ).rejects.toMatchObject({
      fields: { folderId: { key: 'validation.chooseFolder' } },
    })
    const renamed = await updateSavedReply(ctx, billingAgent, {
      savedReplyId: reply.id,
      name: 'Invoice duplicate',
      folderId: billing.id,
      html: '<p>Here it is.</p>',
    })
    expect(renamed.name).toBe('Invoice duplicate')
    const [updated] = await audit('saved_reply.updated', reply.id)
    expect(updated!.data).toMatchObject({ name: { from: 'Invoice copy', to: 'Invoice duplicate' } })
    await expect(deleteSavedReply(ctx, billingAgent, { savedReplyId: reply.id })).resolves.toEqual({ name: 'Invoice duplicate' })
    expect(await ctx.prisma.savedReply.count({ where: { id: reply.id } })).toBe(0)
    const [deleted] = await audit('saved_reply.deleted', reply.id)
    expect(deleted).toMatchObject({ actorAgentId: billingAgent.id, data: { name: 'Invoice duplicate', folderId: billing.id } })
  })

  it('a malformed or unknown id is "not found"', async () => {
    await expect(deleteSavedReply(ctx, admin, { savedReplyId: 'abc' })).rejects.toMatchObject({ key: 'error.savedReplyNotFound' })
    await expect(deleteSavedReply(ctx, admin, { savedReplyId: 999999 })).rejects.toMatchObject({ key: 'error.savedReplyNotFound' })
  })
})
