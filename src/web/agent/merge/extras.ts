import type { Request } from 'express'
import { findMergeOptions } from '../../../domain/conversations/mergeOptions.ts'
import { folderScope } from '../../../domain/policy.ts'
import type { AppContext } from '../../context.ts'

/** What views/partials/team/merge-header.ejs and merge-sidebar.ejs read as `extras.merge`. */
export async function loadMergeExtras(ctx: AppContext, req: Request, conversation: { id: number; customerId: number }) {
  const { prisma } = ctx.db
  const { mergedInto, candidates } = await findMergeOptions(prisma, await folderScope(prisma, req.agent!), conversation)
  return {
    mergedInto: mergedInto && { ...mergedInto, href: `/conversations/${mergedInto.number}` },
    candidates,
  }
}
