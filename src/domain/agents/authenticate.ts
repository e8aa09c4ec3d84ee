import type { Prisma } from '../../db/database.ts'
import { verifyPassword } from './passwords.ts'
import { PREPARED_MARKER } from '../../db/preparedStatements.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'

import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'

/** Returns the agent when the e-mail and password match an active account, else null. */
export async function authenticate(ctx: QueryContext, input: { email: string; password: string }): Promise<Actor | null> {
  const agent = await ctx.prisma.agent.findUnique({ where: { email: input.email.trim().toLowerCase() } })
  const ok = await verifyPassword(agent?.passwordHash ?? null, input.password)
  if (!agent || !ok || !agent.active) return null
  return toActor(agent)
}

/** Loads the agent behind a session; null when it was removed or deactivated since. */
export async function findActiveAgent(prisma: Prisma, id: number): Promise<Actor | null> {
  // Every signed-in request starts here: the agent and their folders in one round trip.
  const [agent] = await prisma.$queryRaw<
    {
      id: number
      name: string
      email: string
      role: 'admin' | 'agent'
      locale: string
      timeZone: string
      afterSend: 'stay' | 'next' | 'list'
      folderIds: number[]
    }[]
  >`${P.raw(PREPARED_MARKER)}
    SELECT a.id, a.name, a.email, a.role::text AS role, a.locale, a."timeZone", a."afterSend"::text AS "afterSend",
           ARRAY(SELECT m."folderId" FROM folder_members m WHERE m."agentId" = a.id ORDER BY m."folderId") AS "folderIds"
    FROM agents a WHERE a.id = ${id} AND a.active`
  if (!agent) return null
  return { ...toActor(agent), locale: agent.locale, timeZone: agent.timeZone, afterSend: agent.afterSend, folderIds: agent.folderIds }
}

function toActor(a: { id: number; name: string; email: string; role: 'admin' | 'agent' }): Actor {
  return { id: a.id, name: a.name, email: a.email, role: a.role }
}
