import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { defaultFolderId, FOLDER_ORDER } from './manageFolders.ts'

/** Every folder's id and name in list order, for the admin forms' choices (optionally all but one). */
export async function listFolderChoices(ctx: QueryContext, admin: Actor, input: { except?: number } = {}) {
  authorize(admin, 'administer', INSTANCE)
  return ctx.prisma.folder.findMany({
    where: input.except === undefined ? {} : { id: { not: input.except } },
    orderBy: FOLDER_ORDER,
    select: { id: true, name: true },
  })
}

/** One folder for its settings page: what it holds, and whether it is the default folder. */
export async function getFolderForAdmin(ctx: QueryContext, admin: Actor, folderId: number) {
  authorize(admin, 'administer', INSTANCE)
  const [folder, defaultId] = await Promise.all([
    ctx.prisma.folder.findUnique({ where: { id: folderId }, include: { _count: { select: { conversations: true, members: true, imapAccounts: true } } } }),
    defaultFolderId(ctx.prisma),
  ])
  if (!folder) throw new NotFoundError()
  const { _count: counts, ...rest } = folder
  return { ...rest, isDefault: folder.id === defaultId, conversations: counts.conversations, members: counts.members, imapAccounts: counts.imapAccounts }
}
