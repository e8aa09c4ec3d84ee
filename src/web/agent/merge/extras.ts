import { findMergeOptions } from '../../../domain/conversations/mergeOptions.ts'
import type { FolderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'

/** What views/partials/team/merge-header.ejs and merge-sidebar.ejs read as `extras.merge`. */
export async function loadMergeExtras(ctx: AppContext, conversation: { id: number; customerId: number; mergedIntoId: number | null }, scope: FolderScope) {
  const { mergedInto, candidates } = await findMergeOptions(ctx.db.prisma, scope, conversation)
  return {
    mergedInto: mergedInto && { ...mergedInto, href: `/conversations/${mergedInto.number}` },
    candidates,
  }
}
