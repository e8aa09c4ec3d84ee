import type { Tx } from '../../db/database.ts'
import type { Actor } from '../actor.ts'
import { NotFoundError } from '../errors.ts'
import { can, INSTANCE, withFolderIds } from '../policy.ts'

/*
 * Who may do what with saved replies, in the policy's terms:
 * - use and see: the shared ones (no folder) for everyone, a folder's for those who may read the folder;
 * - create, edit, delete: a folder's for those who may act in it; the shared ones, admins only
 *   (they speak for the whole team, as settings do).
 */

/** Whether the actor (folders loaded) may create, edit or delete saved replies of this scope. */
export function canManageSavedReplies(actor: Actor, folderId: number | null): boolean {
  return folderId === null ? can(actor, 'administer', INSTANCE) : can(actor, 'act', { type: 'folder', id: folderId })
}

/** Whether the actor (folders loaded) may see and use saved replies of this scope. */
export function canSeeSavedReplies(actor: Actor, folderId: number | null): boolean {
  return folderId === null ? can(actor, 'read', INSTANCE) : can(actor, 'read', { type: 'folder', id: folderId })
}

/**
 * The saved reply the actor may manage, locked for the rest of the transaction. One they may not
 * even see is "not found", so a folder's replies do not leak to those outside it.
 */
export async function lockManageableSavedReply(tx: Tx, agent: Actor, savedReplyId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM saved_replies WHERE id = ${savedReplyId} FOR UPDATE`
  const reply = rows.length ? await tx.savedReply.findUnique({ where: { id: savedReplyId } }) : null
  const actor = await withFolderIds(tx, agent)
  if (!reply || !canSeeSavedReplies(actor, reply.folderId)) throw new NotFoundError('error.savedReplyNotFound')
  return { reply, actor }
}
