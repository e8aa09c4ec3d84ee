import type { Tx } from '../../db/database.ts'
import type { Actor, ActorRef } from '../actor.ts'
import { NotFoundError } from '../errors.ts'
import { authorize, can, withFolderIds } from '../policy.ts'

/**
 * Locks the conversation row for the rest of the transaction and asks the policy whether the actor
 * may act on it. Concurrent commands on one conversation therefore apply one after the other. An
 * agent outside the folder gets the same NotFoundError as for a conversation that does not exist.
 */
export async function lockConversation(tx: Tx, actor: ActorRef, conversationId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM conversations WHERE id = ${conversationId} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError()
  const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId } })
  authorize(await withFolderIds(tx, actor), 'act', { type: 'conversation', folderId: conversation.folderId, customerId: conversation.customerId })
  return conversation
}

/** Whether an agent may be given conversations of a folder (a deactivated one may not). */
export async function canWorkInFolder(tx: Tx, agentId: number, folderId: number): Promise<boolean> {
  const agent = await tx.agent.findUnique({
    where: { id: agentId },
    select: { id: true, name: true, email: true, role: true, active: true, folders: { select: { folderId: true } } },
  })
  if (!agent) return false
  const { folders, ...rest } = agent
  const assignee: Actor = { ...rest, folderIds: folders.map((f) => f.folderId) }
  return can(assignee, 'act', { type: 'folder', id: folderId })
}

/** A folder the actor may put conversations in; NotFoundError otherwise. */
export async function assertFolderVisible(tx: Tx, actor: ActorRef, folderId: number) {
  const folder = await tx.folder.findUnique({ where: { id: folderId } })
  if (!folder) throw new NotFoundError('error.folderNotFound')
  authorize(await withFolderIds(tx, actor), 'act', { type: 'folder', id: folderId })
  return folder
}
