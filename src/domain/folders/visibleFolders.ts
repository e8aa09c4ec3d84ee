import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, folderScope, INSTANCE } from '../policy.ts'
import { FOLDER_ORDER } from './manageFolders.ts'

/** The folders the agent may read (admins: all), in their configured order. */
export async function listVisibleFolders(ctx: QueryContext, agent: Actor) {
  authorize(agent, 'read', INSTANCE)
  const scope = await folderScope(ctx.prisma, agent)
  return ctx.prisma.folder.findMany({
    where: scope === null ? {} : { id: { in: scope } },
    orderBy: FOLDER_ORDER,
    select: { id: true, name: true, inboundAddress: true, locale: true, timeZone: true },
  })
}
