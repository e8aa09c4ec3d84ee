import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import type { DomainContext } from '../../../src/domain/context.ts'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/domain/errors.ts'
import { createFolder } from '../../../src/domain/folders/createFolder.ts'
import {
  deleteFolder,
  FieldConflictError,
  listFoldersForAdmin,
  moveFolder,
  MOVE_BATCH_SIZE,
  renameFolder,
  updateFolder,
} from '../../../src/domain/folders/manageFolders.ts'
import { updateSettings } from '../../../src/domain/settings/updateSettings.ts'
import { buildAgent, buildConversation, testClock } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { messageText } from '../../../src/i18n/issueMessages.ts'
import { translator, type Message } from '../../../src/i18n/translate.ts'

/** What an English reader is told (a domain error or a field's message). */
const english = (message: Message) => messageText(translator('en'), message)

describe('managing folders', () => {
  const time = testClock()
  let app: TestApp
  let ctx: DomainContext
  let admin: Actor
  let agent: Actor
  let generalId: number

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    ctx = app.ctx.domain
    admin = await buildAgent(ctx.prisma, { role: 'admin', name: 'Ada' })
    agent = await buildAgent(ctx.prisma, { name: 'Bob' })
    // The first folder by position is the default one.
    generalId = (await createFolder(ctx, admin, { name: 'General' })).id
  })
  afterAll(async () => {
    await app?.close()
  })

  const audits = (action: string, targetId: number) => ctx.prisma.auditEvent.findMany({ where: { action, targetId: String(targetId) }, orderBy: { id: 'asc' } })
  const newFolder = (name: string) => createFolder(ctx, admin, { name })

  describe('editing', () => {
    it('renames a folder, audited with the old and new name', async () => {
      const folder = await newFolder('Sales')
      const renamed = await renameFolder(ctx, admin, { folderId: folder.id, name: '  Sales team ' })
      expect(renamed.name).toBe('Sales team')
      const [audit] = await audits('folder.updated', folder.id)
      expect(audit).toMatchObject({ actorAgentId: admin.id, targetType: 'folder' })
      expect(audit!.data).toMatchObject({ name: { from: 'Sales', to: 'Sales team' } })
    })

    it('stores the inbound address lower-cased, or none when empty, and refuses what is not an address', async () => {
      const folder = await newFolder('Billing')
      expect((await updateFolder(ctx, admin, { folderId: folder.id, inboundAddress: ' Billing@Example.COM ' })).inboundAddress).toBe('billing@example.com')
      const err = await updateFolder(ctx, admin, { folderId: folder.id, inboundAddress: 'billing at example' }).catch((e) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(english(err.fields.inboundAddress)).toMatch(/e-mail address/)
      expect((await ctx.prisma.folder.findUniqueOrThrow({ where: { id: folder.id } })).inboundAddress).toBe('billing@example.com')
      expect((await updateFolder(ctx, admin, { folderId: folder.id, inboundAddress: '' })).inboundAddress).toBeNull()
    })

    it('refuses a name or an inbound address another folder has, with a clear message', async () => {
      const a = await newFolder('Returns')
      const b = await newFolder('Refunds')
      await updateFolder(ctx, admin, { folderId: a.id, inboundAddress: 'returns@example.com' })
      const byName = await renameFolder(ctx, admin, { folderId: b.id, name: 'RETURNS' }).catch((e) => e)
      expect(byName).toBeInstanceOf(ConflictError)
      expect(byName).toBeInstanceOf(FieldConflictError)
      expect(byName.field).toBe('name')
      expect(english(byName)).toBe('A folder named “RETURNS” already exists')
      const byAddress = await updateFolder(ctx, admin, { folderId: b.id, inboundAddress: 'Returns@example.com' }).catch((e) => e)
      expect(byAddress).toBeInstanceOf(FieldConflictError)
      expect(byAddress.field).toBe('inboundAddress')
      expect(english(byAddress)).toBe('returns@example.com is already the inbound address of the folder “Returns”')
      // Changing only the case of its own name is fine.
      expect((await renameFolder(ctx, admin, { folderId: b.id, name: 'REFUNDS' })).name).toBe('REFUNDS')
    })

    it('sanitises the signature: a script is gone, formatting stays', async () => {
      const folder = await newFolder('Signed')
      const updated = await updateFolder(ctx, admin, {
        folderId: folder.id,
        signatureHtml: '<p><strong>Ada</strong> from Support</p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
      })
      expect(updated.signatureHtml).toContain('<strong>Ada</strong> from Support')
      expect(updated.signatureHtml).not.toMatch(/script|onerror|javascript:|alert/)
      const [audit] = await audits('folder.updated', folder.id)
      expect(audit!.data).toMatchObject({ signature: 'changed' })
    })

    it('only lets administrators change folders, and checks the input', async () => {
      const folder = await newFolder('Guarded')
      await expect(renameFolder(ctx, agent, { folderId: folder.id, name: 'Mine' })).rejects.toBeInstanceOf(ForbiddenError)
      await expect(moveFolder(ctx, agent, { folderId: folder.id, direction: 'up' })).rejects.toBeInstanceOf(ForbiddenError)
      await expect(deleteFolder(ctx, agent, { folderId: folder.id })).rejects.toBeInstanceOf(ForbiddenError)
      const empty = await renameFolder(ctx, admin, { folderId: folder.id, name: '   ' }).catch((e) => e)
      expect(empty).toBeInstanceOf(ValidationError)
      expect(english(empty.fields.name)).toBe('Enter a name')
      await expect(renameFolder(ctx, admin, { folderId: 999_999, name: 'Nowhere' })).rejects.toBeInstanceOf(NotFoundError)
      expect((await ctx.prisma.folder.findUniqueOrThrow({ where: { id: folder.id } })).name).toBe('Guarded')
    })
  })

  describe('language and time zone', () => {
    it("saves a folder's language and time zone, audited like the other fields", async () => {
      const folder = await newFolder('Export')
      expect(folder).toMatchObject({ locale: 'en', timeZone: 'UTC' })
      const updated = await updateFolder(ctx, admin, { folderId: folder.id, locale: 'fr', timeZone: 'Europe/Paris' })
      expect(updated).toMatchObject({ locale: 'fr', timeZone: 'Europe/Paris' })
      const [audit] = await audits('folder.updated', folder.id)
      expect(audit!.data).toMatchObject({ name: 'Export', locale: { from: 'en', to: 'fr' }, timeZone: { from: 'UTC', to: 'Europe/Paris' } })
      // A change that leaves them out keeps them.
      expect(await renameFolder(ctx, admin, { folderId: folder.id, name: 'Exports' })).toMatchObject({ locale: 'fr', timeZone: 'Europe/Paris' })
      expect((await listFoldersForAdmin(ctx, admin)).find((f) => f.id === folder.id)).toMatchObject({ locale: 'fr', timeZone: 'Europe/Paris' })
    })

    it('refuses a language or a time zone it does not know', async () => {
      const folder = await newFolder('Import')
      const badLanguage = await updateFolder(ctx, admin, { folderId: folder.id, locale: 'xx', timeZone: 'Europe/Paris' }).catch((e) => e)
      expect(badLanguage).toBeInstanceOf(ValidationError)
      expect(Object.keys(badLanguage.fields)).toEqual(['locale'])
      expect(badLanguage.fields.locale).toMatchObject({ key: 'validation.chooseLanguage' })
      expect(english(badLanguage.fields.locale)).toBe(translator('en')('validation.chooseLanguage'))
      const badZone = await updateFolder(ctx, admin, { folderId: folder.id, timeZone: 'Mars/Olympus_Mons' }).catch((e) => e)
      expect(badZone).toBeInstanceOf(ValidationError)
      expect(badZone.fields.timeZone).toMatchObject({ key: 'validation.chooseTimeZone' })
      expect(english(badZone.fields.timeZone)).toBe(translator('en')('validation.chooseTimeZone'))
      const empty = await updateFolder(ctx, admin, { folderId: folder.id, locale: '', timeZone: '' }).catch((e) => e)
      expect(Object.keys(empty.fields).sort()).toEqual(['locale', 'timeZone'])
      expect(await ctx.prisma.folder.findUniqueOrThrow({ where: { id: folder.id } })).toMatchObject({ locale: 'en', timeZone: 'UTC' })
      expect(await audits('folder.updated', folder.id)).toEqual([])
      await expect(createFolder(ctx, admin, { name: 'Unknown tongue', locale: 'xx' })).rejects.toBeInstanceOf(ValidationError)
      expect(await ctx.prisma.folder.count({ where: { name: 'Unknown tongue' } })).toBe(0)
    })

    it("starts a new folder with the instance's default language and time zone, unless given others", async () => {
      await updateSettings(ctx, admin, { defaultLocale: 'fr', defaultTimeZone: 'America/Montreal' })
      try {
        const folder = await newFolder('Québec')
        expect(folder).toMatchObject({ locale: 'fr', timeZone: 'America/Montreal' })
        const [audit] = await audits('folder.created', folder.id)
        expect(audit!.data).toEqual({ name: 'Québec', locale: 'fr', timeZone: 'America/Montreal' })
        const own = await createFolder(ctx, admin, { name: 'London', locale: 'en', timeZone: 'Europe/London' })
        expect(own).toMatchObject({ locale: 'en', timeZone: 'Europe/London' })
      } finally {
        await updateSettings(ctx, admin, { defaultLocale: 'en', defaultTimeZone: 'UTC' })
      }
    })
  })

  describe('ordering', () => {
    it('moves a folder up and down by swapping it with its neighbour, audited', async () => {
      const names = async () => (await listFoldersForAdmin(ctx, admin)).map((f) => f.name)
      const before = await names()
      const last = before.at(-1)!
      const lastId = (await ctx.prisma.folder.findFirstOrThrow({ where: { name: last } })).id
      expect((await moveFolder(ctx, admin, { folderId: lastId, direction: 'up' })).moved).toBe(true)
      const after = await names()
      expect(after).toEqual([...before.slice(0, -2), last, before.at(-2)])
      // The last folder cannot go further down; the first cannot go up.
      expect(
        (await moveFolder(ctx, admin, { folderId: (await ctx.prisma.folder.findFirstOrThrow({ where: { name: after.at(-1)! } })).id, direction: 'down' }))
          .moved,
      ).toBe(false)
      expect((await moveFolder(ctx, admin, { folderId: generalId, direction: 'up' })).moved).toBe(false)
      await moveFolder(ctx, admin, { folderId: lastId, direction: 'down' })
      expect(await names()).toEqual(before)
      const positions = (await listFoldersForAdmin(ctx, admin)).map((f) => f.position)
      expect(new Set(positions).size).toBe(positions.length)
      expect((await audits('folder.moved', lastId)).map((a) => (a.data as { direction: string }).direction)).toEqual(['up', 'down'])
      await expect(moveFolder(ctx, admin, { folderId: lastId, direction: 'sideways' as 'up' })).rejects.toBeInstanceOf(ValidationError)
    })

    it('moving a folder to the top makes it the default folder', async () => {
      const folder = await newFolder('Top')
      for (let i = 0; i < 50; i++) if (!(await moveFolder(ctx, admin, { folderId: folder.id, direction: 'up' })).moved) break
      const list = await listFoldersForAdmin(ctx, admin)
      expect(list[0]).toMatchObject({ id: folder.id, isDefault: true })
      await moveFolder(ctx, admin, { folderId: folder.id, direction: 'down' })
      expect((await listFoldersForAdmin(ctx, admin))[0]).toMatchObject({ id: generalId, isDefault: true })
    })
  })

  describe('deleting', () => {
    it('deletes an empty folder, audited', async () => {
      const folder = await newFolder('Temporary')
      expect(await deleteFolder(ctx, admin, { folderId: folder.id })).toEqual({ name: 'Temporary', moved: 0, movedTo: null })
      expect(await ctx.prisma.folder.findUnique({ where: { id: folder.id } })).toBeNull()
      const [audit] = await audits('folder.deleted', folder.id)
      expect(audit).toMatchObject({ actorAgentId: admin.id, data: { name: 'Temporary', conversationsMoved: 0 } })
    })

    it('refuses to delete a folder that holds conversations, saying how many', async () => {
      const folder = await newFolder('Busy')
      await buildConversation(ctx, admin, { folderId: folder.id })
      await buildConversation(ctx, admin, { folderId: folder.id })
      const err = await deleteFolder(ctx, admin, { folderId: folder.id }).catch((e) => e)
      expect(err).toBeInstanceOf(ConflictError)
      expect(english(err)).toBe('“Busy” still holds 2 conversations. Choose a folder to move them to, or move them first.')
      expect(await ctx.prisma.folder.count({ where: { id: folder.id } })).toBe(1)
      expect(await audits('folder.deleted', folder.id)).toEqual([])
    })

    it('never deletes the default folder', async () => {
      const err = await deleteFolder(ctx, admin, { folderId: generalId }).catch((e) => e)
      expect(err).toBeInstanceOf(ConflictError)
      expect(english(err)).toMatch(/default folder/)
      const other = await newFolder('Elsewhere')
      await expect(deleteFolder(ctx, admin, { folderId: generalId, moveTo: other.id })).rejects.toBeInstanceOf(ConflictError)
      expect(await ctx.prisma.folder.count({ where: { id: generalId } })).toBe(1)
    })

    it('moves the conversations to another folder first, each move in its history as done by the admin', async () => {
      const from = await newFolder('Old queue')
      const to = await newFolder('New queue')
      const member = await buildAgent(ctx.prisma, { name: 'Mia', folderIds: [from.id, to.id] })
      const outsider = await buildAgent(ctx.prisma, { name: 'Otto', folderIds: [from.id] })
      const kept = await buildConversation(ctx, admin, { folderId: from.id, assigneeId: member.id, subject: 'Kept assignee' })
      const dropped = await buildConversation(ctx, admin, { folderId: from.id, assigneeId: outsider.id, subject: 'Dropped assignee' })
      const plain = await buildConversation(ctx, admin, { folderId: from.id })
      const account = await ctx.prisma.imapAccount.create({
        data: { host: 'imap.example.com', username: 'old@example.com', password: 'pw', folderId: from.id },
      })

      await expect(deleteFolder(ctx, admin, { folderId: from.id, moveTo: from.id })).rejects.toBeInstanceOf(ValidationError)
      await expect(deleteFolder(ctx, admin, { folderId: from.id, moveTo: 999_999 })).rejects.toBeInstanceOf(ValidationError)

      time.advance(60_000)
      const result = await deleteFolder(ctx, admin, { folderId: from.id, moveTo: String(to.id) })
      expect(result).toEqual({ name: 'Old queue', moved: 3, movedTo: { id: to.id, name: 'New queue' } })
      expect(await ctx.prisma.folder.findUnique({ where: { id: from.id } })).toBeNull()
      for (const c of [kept, dropped, plain]) {
        const now = await ctx.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })
        expect(now.folderId).toBe(to.id)
        const moved = await ctx.prisma.historyEvent.findMany({ where: { conversationId: c.id, type: 'conversation.moved' } })
        expect(moved).toHaveLength(1)
        expect(moved[0]).toMatchObject({
          actorKind: 'agent',
          actorAgentId: admin.id,
          createdAt: time.clock(),
          data: { from: from.id, to: to.id, fromName: 'Old queue', toName: 'New queue' },
        })
      }
      expect((await ctx.prisma.conversation.findUniqueOrThrow({ where: { id: kept.id } })).assigneeId).toBe(member.id)
      expect((await ctx.prisma.conversation.findUniqueOrThrow({ where: { id: dropped.id } })).assigneeId).toBeNull()
      expect(
        await ctx.prisma.historyEvent.findFirst({
          where: { conversationId: dropped.id, type: 'conversation.assigned', actorAgentId: admin.id },
          orderBy: { id: 'desc' },
        }),
      ).toMatchObject({ data: { from: outsider.id, to: null } })
      expect((await ctx.prisma.imapAccount.findUniqueOrThrow({ where: { id: account.id } })).folderId).toBe(to.id)
      const [audit] = await audits('folder.deleted', from.id)
      expect(audit!.data).toMatchObject({ name: 'Old queue', conversationsMoved: 3, movedTo: 'New queue' })
    })

    it('moves a large folder in batches, all in one transaction', async () => {
      const from = await newFolder('Archive 2020')
      const to = await newFolder('Archive')
      const customer = await ctx.prisma.customer.create({ data: { email: 'bulk@example.com' } })
      const count = MOVE_BATCH_SIZE * 2 + 7
      await ctx.prisma.conversation.createMany({
        data: Array.from({ length: count }, (_, i) => ({ subject: `Old ${i}`, channel: 'email' as const, folderId: from.id, customerId: customer.id })),
      })
      const result = await deleteFolder(ctx, admin, { folderId: from.id, moveTo: to.id })
      expect(result.moved).toBe(count)
      expect(await ctx.prisma.conversation.count({ where: { folderId: to.id } })).toBe(count)
      expect(await ctx.prisma.historyEvent.count({ where: { type: 'conversation.moved', actorAgentId: admin.id, conversation: { folderId: to.id } } })).toBe(
        count,
      )
    })
  })
})
