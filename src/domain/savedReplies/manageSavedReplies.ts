import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Tx } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { sanitizeMessageHtml, textToHtml } from '../content/index.ts'
import { ForbiddenError, parseInput, ValidationError } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { FieldConflictError } from '../folders/manageFolders.ts'
import { parseId, rowId } from '../input.ts'
import { withFolderIds } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { canManageSavedReplies, lockManageableSavedReply } from './savedReplyAccess.ts'

/** Long enough to tell replies apart in the picker, short enough to fit its line. */
export const SAVED_REPLY_NAME_MAX = 80
/** A saved reply is a message: the same order of size as a long reply, far under the form's limit. */
const BODY_MAX = 200_000

export const savedReplyInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'validation.enterName')
    .max(SAVED_REPLY_NAME_MAX, schemaMessage('validation.useAtMost', { max: SAVED_REPLY_NAME_MAX })),
  /** '' or none: shared with every folder. */
  folderId: z.preprocess((v) => (v === '' || v === undefined ? null : v), rowId.nullable()),
  /** The editor's HTML (with JavaScript) or the textarea's text (without); the text wins when both come. */
  html: z.string().max(BODY_MAX).optional(),
  text: z.string().max(BODY_MAX).optional(),
})

export type SavedReplyInput = z.input<typeof savedReplyInput>

/**
 * The body as it is stored: sanitised HTML. Without JavaScript the textarea holds the text and
 * the hidden HTML field is stale; with it, the editor empties the textarea before sending.
 */
function bodyOf(input: { html?: string; text?: string }): string {
  const html = input.text?.trim() ? textToHtml(input.text) : (input.html ?? '')
  const safe = sanitizeMessageHtml(html)
  if (!safe.replace(/<[^>]*>|&nbsp;|\s/g, '')) throw new ValidationError('validation.messageEmpty', { body: { key: 'validation.writeMessage' } })
  return safe
}

/** The folder chosen must be one the agent may file replies in; "all folders" is for admins. */
async function checkScope(tx: Tx, actor: Actor, folderId: number | null) {
  if (folderId === null) {
    if (!canManageSavedReplies(actor, null)) throw new ValidationError('validation.checkFields', { folderId: { key: 'validation.savedReplySharedAdminsOnly' } })
    return
  }
  const folder = await tx.folder.findUnique({ where: { id: folderId }, select: { id: true } })
  if (!folder || !canManageSavedReplies(actor, folderId)) throw new ValidationError('validation.checkFields', { folderId: { key: 'validation.chooseFolder' } })
}

/**
 * Names are unique within a scope (a folder, or the shared ones), ignoring case. Two agents saving
 * the same name at once wait for each other on a lock of that scope, so the check holds.
 */
async function checkNameFree(tx: Tx, name: string, folderId: number | null, exceptId?: number) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`suivi:saved-reply-name:${folderId ?? 'shared'}`}))`
  const clash = await tx.savedReply.findFirst({
    where: { folderId, name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  })
  if (clash) throw new FieldConflictError('error.savedReplyNameTaken', 'name', { name })
}

/** Saves a new reply template in a folder (or for all folders), recorded in the audit. */
export async function createSavedReply(ctx: DomainContext, agent: Actor, input: SavedReplyInput) {
  const { name, folderId, ...body } = parseInput(savedReplyInput, input)
  const bodyHtml = bodyOf(body)
  return transaction(ctx, async (tx) => {
    const actor = await withFolderIds(tx, agent)
    await checkScope(tx, actor, folderId)
    await checkNameFree(tx, name, folderId)
    const reply = await tx.savedReply.create({ data: { name, folderId, bodyHtml, createdById: agent.id } })
    await recordAdminEvent(tx, {
      type: 'saved_reply.created',
      agentId: agent.id,
      at: ctx.clock(),
      target: { type: 'saved_reply', id: String(reply.id) },
      data: { name, folderId },
    })
    return reply
  })
}

/** Renames, rewrites or moves a saved reply; the agent must be allowed in its scope before and after. */
export async function updateSavedReply(ctx: DomainContext, agent: Actor, input: SavedReplyInput & { savedReplyId: unknown }) {
  const id = parseId(input.savedReplyId, 'error.savedReplyNotFound')
  const { name, folderId, ...body } = parseInput(savedReplyInput, input)
  const bodyHtml = bodyOf(body)
  return transaction(ctx, async (tx) => {
    const { reply: before, actor } = await lockManageableSavedReply(tx, agent, id)
    if (!canManageSavedReplies(actor, before.folderId)) throw new ForbiddenError()
    if (folderId !== before.folderId) await checkScope(tx, actor, folderId)
    await checkNameFree(tx, name, folderId, id)
    const reply = await tx.savedReply.update({ where: { id }, data: { name, folderId, bodyHtml } })
    const changes: Record<string, { from: string | number | null; to: string | number | null }> = {}
    if (name !== before.name) changes.name = { from: before.name, to: name }
    if (folderId !== before.folderId) changes.folderId = { from: before.folderId, to: folderId }
    await recordAdminEvent(tx, {
      type: 'saved_reply.updated',
      agentId: agent.id,
      at: ctx.clock(),
      target: { type: 'saved_reply', id: String(id) },
      data: { name, ...changes, bodyChanged: bodyHtml !== before.bodyHtml },
    })
    return reply
  })
}

/** Deletes a saved reply (its use count goes with it; the uses stay in the conversations' history). */
export async function deleteSavedReply(ctx: DomainContext, agent: Actor, input: { savedReplyId: unknown }): Promise<{ name: string }> {
  const id = parseId(input.savedReplyId, 'error.savedReplyNotFound')
  return transaction(ctx, async (tx) => {
    const { reply, actor } = await lockManageableSavedReply(tx, agent, id)
    if (!canManageSavedReplies(actor, reply.folderId)) throw new ForbiddenError()
    await tx.savedReply.delete({ where: { id } })
    await recordAdminEvent(tx, {
      type: 'saved_reply.deleted',
      agentId: agent.id,
      at: ctx.clock(),
      target: { type: 'saved_reply', id: String(id) },
      data: { name: reply.name, folderId: reply.folderId, useCount: reply.useCount },
    })
    return { name: reply.name }
  })
}
