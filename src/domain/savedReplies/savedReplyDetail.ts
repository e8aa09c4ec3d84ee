import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { parseId } from '../input.ts'
import { withFolderIds } from '../policy.ts'
import { canManageSavedReplies, canSeeSavedReplies } from './savedReplyAccess.ts'

/** One saved reply the agent may use, with its text (variables as typed) and its folder. */
export async function getSavedReply(ctx: QueryContext, agent: Actor, input: { savedReplyId: unknown }) {
  const id = parseId(input.savedReplyId, 'error.savedReplyNotFound')
  const actor = await withFolderIds(ctx.prisma, agent)
  const reply = await ctx.prisma.savedReply.findUnique({
    where: { id },
    select: { id: true, name: true, bodyHtml: true, folderId: true, useCount: true, lastUsedAt: true, folder: { select: { name: true } } },
  })
  if (!reply || !canSeeSavedReplies(actor, reply.folderId)) throw new NotFoundError('error.savedReplyNotFound')
  return { ...reply, canManage: canManageSavedReplies(actor, reply.folderId) }
}
