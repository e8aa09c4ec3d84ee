import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { MessageKey, MessageValues } from '../../i18n/translate.ts'
import type { Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import { asAgent, type Actor } from '../actor.ts'
import { sanitizeMessageHtml } from '../content/index.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent, recordEvents } from '../events/record.ts'
import { parseId, rowId } from '../input.ts'
import { agentsAllowedWhere, authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { businessHoursSchema, storedBusinessHours, weekSummary, type BusinessHours } from '../reports/businessHours.ts'

import { folderLocale, folderTimeZone } from './createFolder.ts'

export { createFolder, folderInput } from './createFolder.ts'

/** The order of folders everywhere they are listed (the first is the default folder). */
export const FOLDER_ORDER = [{ position: 'asc' }, { name: 'asc' }, { id: 'asc' }] satisfies P.FolderOrderByWithRelationInput[]

/** Conversations moved per statement when a folder is emptied; all in the one transaction. */
export const MOVE_BATCH_SIZE = 500

const MAX_SIGNATURE_CHARS = 20_000
const MAX_ACKNOWLEDGEMENT_CHARS = 5_000

/** A conflict that belongs to one form field (a name or address already in use). */
export class FieldConflictError extends ConflictError {
  override name = 'FieldConflictError'
  constructor(
    key: MessageKey,
    readonly field: string,
    values?: MessageValues,
  ) {
    super(key, values)
  }
}

const looksLikeAddress = (value: string) => value === '' || z.email().safeParse(value).success

export const folderUpdateInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(80, schemaMessage('validation.useAtMost', { max: 80 })),
  inboundAddress: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, schemaMessage('validation.useAtMost', { max: 254 }))
    .refine(looksLikeAddress, 'validation.inboundAddress'),
  signatureHtml: z.string().max(MAX_SIGNATURE_CHARS, schemaMessage('validation.signatureTooLong', { max: MAX_SIGNATURE_CHARS })),
  acknowledge: z.boolean(),
  acknowledgementText: z
    .string()
    .trim()
    .max(MAX_ACKNOWLEDGEMENT_CHARS, schemaMessage('validation.acknowledgementTooLong', { max: MAX_ACKNOWLEDGEMENT_CHARS })),
  locale: folderLocale,
  timeZone: folderTimeZone,
  /** Whether the reply, reminder and closing e-mails carry the one-click satisfaction rating. */
  ratingsEnabled: z.boolean(),
  /** Opening hours and holidays in the folder's time zone; null: round the clock. */
  businessHours: businessHoursSchema.nullable(),
})

/** The folder a command acts on (any form of id; a malformed one is a folder that does not exist). */
export type FolderRef = { folderId: unknown }

export type FolderUpdate = FolderRef & Partial<z.input<typeof folderUpdateInput>>

const NO_FOLDER = 'error.folderNotFound'
const folderId = (input: FolderRef) => parseId(input.folderId, NO_FOLDER)

/** Locks one folder row for the rest of the transaction; NotFoundError when it is gone. */
async function lockFolder(tx: Tx, folderId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM folders WHERE id = ${folderId} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError(NO_FOLDER)
  return tx.folder.findUniqueOrThrow({ where: { id: folderId } })
}

/** The default folder: first by position (the rule ensureDefaultFolder applies when mail has no better home). */
export async function defaultFolderId(tx: Pick<Tx, 'folder'>): Promise<number | null> {
  const first = await tx.folder.findFirst({ orderBy: [{ position: 'asc' }, { id: 'asc' }], select: { id: true } })
  return first?.id ?? null
}

/** A unique-constraint violation from the database (a concurrent change won the race). */
function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002'
}

/** Stored business hours as the checks return them (null: round the clock), whatever order the database keeps JSON keys in. */
function storedHours(hours: unknown): BusinessHours | null {
  if (hours === null || hours === undefined) return null
  const parsed = businessHoursSchema.safeParse(hours)
  return parsed.success ? parsed.data : null
}

/**
 * Changes a folder's name, inbound address, signature, acknowledgement, language, time zone,
 * satisfaction ratings and business hours (the fields given; the others stay).
 * The inbound address is stored lower-cased (empty: none); the signature is sanitised like a message;
 * business hours open round the clock without holidays are stored as none (null).
 */
export async function updateFolder(ctx: DomainContext, admin: Actor, input: FolderUpdate) {
  authorize(admin, 'administer', INSTANCE)
  const target = folderId(input)
  const wanted = parseInput(folderUpdateInput.partial(), input)
  try {
    return await transaction(ctx, async (tx) => {
      const before = await lockFolder(tx, target)
      const next = {
        name: wanted.name ?? before.name,
        inboundAddress: wanted.inboundAddress === undefined ? before.inboundAddress : wanted.inboundAddress || null,
        signatureHtml: wanted.signatureHtml === undefined ? before.signatureHtml : sanitizeMessageHtml(wanted.signatureHtml).trim(),
        acknowledge: wanted.acknowledge ?? before.acknowledge,
        acknowledgementText: wanted.acknowledgementText ?? before.acknowledgementText,
        locale: wanted.locale ?? before.locale,
        timeZone: wanted.timeZone ?? before.timeZone,
        ratingsEnabled: wanted.ratingsEnabled ?? before.ratingsEnabled,
        businessHours: wanted.businessHours === undefined ? before.businessHours : storedBusinessHours(wanted.businessHours),
      }
      if (next.name !== before.name) {
        const clash = await tx.folder.findFirst({ where: { name: { equals: next.name, mode: 'insensitive' }, id: { not: target } }, select: { id: true } })
        if (clash) throw new FieldConflictError('error.folderNameTaken', 'name', { name: next.name })
      }
      if (next.inboundAddress && next.inboundAddress !== before.inboundAddress) {
        const clash = await tx.folder.findFirst({ where: { inboundAddress: next.inboundAddress, id: { not: target } }, select: { name: true } })
        if (clash) throw new FieldConflictError('error.folderAddressTaken', 'inboundAddress', { address: next.inboundAddress, folder: clash.name })
      }
      const changes: Record<string, P.InputJsonValue | null> = {}
      if (next.name !== before.name) changes.name = { from: before.name, to: next.name }
      if (next.inboundAddress !== before.inboundAddress) changes.inboundAddress = { from: before.inboundAddress, to: next.inboundAddress }
      if (next.signatureHtml !== before.signatureHtml) changes.signature = next.signatureHtml ? 'changed' : 'removed'
      if (next.acknowledge !== before.acknowledge) changes.acknowledge = { from: before.acknowledge, to: next.acknowledge }
      if (next.acknowledgementText !== before.acknowledgementText)
        changes.acknowledgementText = next.acknowledgementText ? 'changed' : 'reset to the built-in text'
      if (next.locale !== before.locale) changes.locale = { from: before.locale, to: next.locale }
      if (next.timeZone !== before.timeZone) changes.timeZone = { from: before.timeZone, to: next.timeZone }
      if (next.ratingsEnabled !== before.ratingsEnabled) changes.ratingsEnabled = { from: before.ratingsEnabled, to: next.ratingsEnabled }
      const [hoursBefore, hoursAfter] = [storedHours(before.businessHours), storedHours(next.businessHours)]
      if (weekSummary(hoursBefore) !== weekSummary(hoursAfter)) changes.businessHours = { from: weekSummary(hoursBefore), to: weekSummary(hoursAfter) }
      if (JSON.stringify(hoursBefore?.holidays ?? []) !== JSON.stringify(hoursAfter?.holidays ?? []))
        changes.holidays = { from: hoursBefore?.holidays ?? [], to: hoursAfter?.holidays ?? [] }
      if (Object.keys(changes).length === 0) return before
      const folder = await tx.folder.update({
        where: { id: target },
        data: { ...next, businessHours: next.businessHours === null ? P.DbNull : (next.businessHours as P.InputJsonValue) },
      })
      await recordAdminEvent(tx, {
        type: 'folder.updated',
        agentId: admin.id,
        at: ctx.clock(),
        target: { type: 'folder', id: String(target) },
        data: { name: folder.name, ...changes },
      })
      return folder
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('error.folderClash')
    throw err
  }
}

export async function renameFolder(ctx: DomainContext, admin: Actor, input: FolderRef & { name: string }) {
  return updateFolder(ctx, admin, { folderId: input.folderId, name: input.name })
}

export const moveDirection = z.enum(['up', 'down'], { error: 'validation.chooseDirection' })

/**
 * Moves a folder one place up or down the list (swapping it with its neighbour). Positions are
 * renumbered 0, 1, 2... in the current order first, so folders that shared a position get
 * distinct ones. Moving the first folder up or the last one down changes nothing.
 */
const moveInput = z.object({ direction: moveDirection })

export async function moveFolder(ctx: DomainContext, admin: Actor, input: FolderRef & z.input<typeof moveInput>) {
  authorize(admin, 'administer', INSTANCE)
  const target = folderId(input)
  const { direction } = parseInput(moveInput, input)
  return transaction(ctx, async (tx) => {
    // One reorder at a time: every folder row is locked, in a fixed order.
    await tx.$queryRaw`SELECT id FROM folders ORDER BY id FOR UPDATE`
    const folders = await tx.folder.findMany({ orderBy: FOLDER_ORDER, select: { id: true, name: true, position: true } })
    const index = folders.findIndex((f) => f.id === target)
    if (index < 0) throw new NotFoundError(NO_FOLDER)
    const other = direction === 'up' ? index - 1 : index + 1
    if (other < 0 || other >= folders.length) return { moved: false, folders }
    const order = folders.map((f) => f.id)
    ;[order[index], order[other]] = [order[other]!, order[index]!]
    const before = new Map(folders.map((f) => [f.id, f.position]))
    for (const [position, fid] of order.entries()) {
      if (before.get(fid) !== position) await tx.folder.update({ where: { id: fid }, data: { position } })
    }
    await recordAdminEvent(tx, {
      type: 'folder.moved',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'folder', id: String(target) },
      data: { name: folders[index]!.name, direction, position: { from: index + 1, to: other + 1 } },
    })
    return { moved: true, folders: order.map((fid) => folders.find((f) => f.id === fid)!) }
  })
}

export const deleteFolderInput = z.object({
  moveTo: z.preprocess((v) => (v === '' || v === null ? undefined : v), rowId.optional()),
})

export interface DeleteFolderResult {
  name: string
  /** Conversations moved out before the folder was deleted. */
  moved: number
  movedTo: { id: number; name: string } | null
}

/**
 * Deletes a folder. One that still holds conversations is refused, unless `moveTo` names another
 * folder: then every conversation is moved there first (in batches, each move written to the
 * conversation's history as done by the admin; an assignee who may not work in the new folder is
 * unassigned, as a single move would do), its IMAP accounts follow, and the folder is deleted, all
 * in one transaction. The default folder (the first one, hence also the last one left) stays.
 */
export async function deleteFolder(ctx: DomainContext, admin: Actor, input: FolderRef & z.input<typeof deleteFolderInput>): Promise<DeleteFolderResult> {
  authorize(admin, 'administer', INSTANCE)
  const target = folderId(input)
  const { moveTo } = parseInput(deleteFolderInput, input)
  if (moveTo === target) throw new ValidationError('error.chooseAnotherFolder', { moveTo: { key: 'validation.moveToDifferentFolder' } })

  const result = await transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      // Locked: no conversation can be filed into it (nor its row changed) until this commits.
      const folder = await lockFolder(tx, target)
      if ((await defaultFolderId(tx)) === target) {
        const count = await tx.folder.count()
        throw new ConflictError(count === 1 ? 'error.onlyFolder' : 'error.defaultFolder', { name: folder.name })
      }
      const total = await tx.conversation.count({ where: { folderId: target } })
      let destination: { id: number; name: string } | null = null
      if (moveTo !== undefined) {
        const found = await tx.$queryRaw<{ id: number; name: string }[]>`SELECT id, name FROM folders WHERE id = ${moveTo} FOR SHARE`
        if (!found[0]) throw new ValidationError('error.chooseAnotherFolder', { moveTo: { key: 'validation.folderGone' } })
        destination = { id: found[0].id, name: found[0].name }
      }
      if (total > 0 && !destination) {
        throw new FieldConflictError('error.folderNotEmpty', 'moveTo', { name: folder.name, count: total })
      }

      let moved = 0
      if (destination && total > 0) {
        const to = destination
        // Assignees who may keep their conversations in the new folder (as moveConversation decides).
        const allowed = new Set((await tx.agent.findMany({ where: agentsAllowedWhere(to.id, 'act'), select: { id: true } })).map((a) => a.id))
        const movedData = { from: target, to: to.id, fromName: folder.name, toName: to.name, reason: 'folder deleted' } satisfies P.InputJsonObject
        for (;;) {
          const batch = await tx.conversation.findMany({
            where: { folderId: target },
            orderBy: { id: 'asc' },
            take: MOVE_BATCH_SIZE,
            select: { id: true, assigneeId: true },
          })
          if (batch.length === 0) break
          const ids = batch.map((c) => c.id)
          await tx.conversation.updateMany({ where: { id: { in: ids } }, data: { folderId: to.id } })
          const losing = batch.filter((c) => c.assigneeId !== null && !allowed.has(c.assigneeId))
          if (losing.length) await tx.conversation.updateMany({ where: { id: { in: losing.map((c) => c.id) } }, data: { assigneeId: null } })
          const actor = asAgent(admin)
          const at = (id: number) => ({ id, folderId: to.id })
          await recordEvents(ctx, tx, [
            ...ids.map((id) => ({ type: 'conversation.moved' as const, actor, at: now, conversation: at(id), data: movedData })),
            ...losing.map((c) => ({
              type: 'conversation.assigned' as const,
              actor,
              at: now,
              conversation: at(c.id),
              data: { from: c.assigneeId, to: null, reason: 'not in the new folder' },
            })),
          ])
          moved += ids.length
        }
      }

      // Mail polled for this folder now lands where its conversations went (or routes by address).
      const imap = destination
        ? (await tx.imapAccount.updateMany({ where: { folderId: target }, data: { folderId: destination.id } })).count
        : await tx.imapAccount.count({ where: { folderId: target } })
      await tx.folder.delete({ where: { id: target } })
      await recordAdminEvent(tx, {
        type: 'folder.deleted',
        agentId: admin.id,
        at: now,
        target: { type: 'folder', id: String(target) },
        data: {
          name: folder.name,
          inboundAddress: folder.inboundAddress,
          conversationsMoved: moved,
          movedTo: destination ? destination.name : null,
          ...(imap ? { imapAccounts: destination ? `moved to ${destination.name}` : `${imap} no longer linked to a folder` } : {}),
        },
      })
      return { name: folder.name, moved, movedTo: destination }
    },
    // A large folder takes a while: the batches stay in this one transaction.
    { timeout: 10 * 60_000, maxWait: 10_000 },
  )
  return result
}

/** Folders in list order with what the admin page shows about each. */
export async function listFoldersForAdmin(ctx: QueryContext, admin: Actor) {
  authorize(admin, 'administer', INSTANCE)
  const [folders, defaultId] = await Promise.all([
    ctx.prisma.folder.findMany({
      orderBy: FOLDER_ORDER,
      select: {
        id: true,
        name: true,
        position: true,
        inboundAddress: true,
        signatureHtml: true,
        locale: true,
        timeZone: true,
        _count: { select: { conversations: true, members: true, imapAccounts: true } },
      },
    }),
    defaultFolderId(ctx.prisma),
  ])
  return folders.map((f) => ({ ...f, isDefault: f.id === defaultId }))
}
