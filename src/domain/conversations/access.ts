import type { Tx } from '../../db/database.ts'
import type { ActorRef } from '../actor.ts'
import { NotFoundError } from '../errors.ts'

/**
 * Locks the conversation row for the rest of the transaction and checks the actor may act on it.
 * Concurrent commands on one conversation therefore apply one after the other. An agent outside
 * the folder gets the same NotFoundError as for a conversation that does not exist.
 */
export async function lockConversation(tx: Tx, actor: ActorRef, conversationId: number) {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM conversations WHERE id = ${conversationId} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError()
  const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId } })
  if (actor.kind === 'agent' && actor.agent.role !== 'admin') {
    const member = await tx.folderMember.findUnique({ where: { agentId_folderId: { agentId: actor.agent.id, folderId: conversation.folderId } } })
    if (!member) throw new NotFoundError()
  }
  return conversation
}

/** Whether an agent may be given conversations of a folder (admins may be given any). */
export async function canWorkInFolder(tx: Tx, agentId: number, folderId: number): Promise<boolean> {
  const agent = await tx.agent.findUnique({ where: { id: agentId }, select: { role: true, active: true } })
  if (!agent?.active) return false
  if (agent.role === 'admin') return true
  return (await tx.folderMember.findUnique({ where: { agentId_folderId: { agentId, folderId } } })) !== null
}

/** A folder the agent may put conversations in; NotFoundError otherwise. */
export async function assertFolderVisible(tx: Tx, actor: ActorRef, folderId: number) {
  const folder = await tx.folder.findUnique({ where: { id: folderId } })
  if (!folder) throw new NotFoundError('That folder does not exist')
  if (actor.kind === 'agent' && actor.agent.role !== 'admin') {
    const member = await tx.folderMember.findUnique({ where: { agentId_folderId: { agentId: actor.agent.id, folderId } } })
    if (!member) throw new NotFoundError('That folder does not exist')
  }
  return folder
}
