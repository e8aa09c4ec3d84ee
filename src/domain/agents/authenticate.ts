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
  // The agent and their folders in one round trip (when the session did not bring them).
  const [row] = await prisma.$queryRaw<{ agent: unknown }[]>`${P.raw(PREPARED_MARKER)}
    SELECT ${P.raw(AGENT_JSON)} AS agent FROM agents a WHERE a.id = ${id} AND a.active`
  return row ? signedInAgentFrom(row.agent) : null
}

/** The signed-in agent as JSON, with their folders, from the agents row `a`. */
const AGENT_JSON = `json_build_object('id', a.id, 'name', a.name, 'email', a.email, 'role', a.role, 'locale', a.locale, 'timeZone', a."timeZone",
  'afterSend', a."afterSend", 'folderIds', ARRAY(SELECT m."folderId" FROM folder_members m WHERE m."agentId" = a.id ORDER BY m."folderId"))`

/**
 * The same agent read beside the session, in the session's own statement (every signed-in request
 * needs both: src/db/sessionStore.ts reads it over the session row `s`); null without an active one.
 */
export const SIGNED_IN_AGENT_SQL = `(SELECT ${AGENT_JSON} FROM agents a
  WHERE a.id = CASE WHEN s.sess->>'agentId' ~ '^[0-9]{1,9}$' THEN (s.sess->>'agentId')::int END AND a.active)`

/** An agent read by either statement above. */
export function signedInAgentFrom(value: unknown): Actor | null {
  if (value === null || value === undefined) return null
  const a = (typeof value === 'string' ? JSON.parse(value) : value) as {
    id: number
    name: string
    email: string
    role: 'admin' | 'agent'
    locale: string
    timeZone: string
    afterSend: 'stay' | 'next' | 'list'
    folderIds: number[]
  }
  return { ...toActor(a), locale: a.locale, timeZone: a.timeZone, afterSend: a.afterSend, folderIds: a.folderIds }
}

function toActor(a: { id: number; name: string; email: string; role: 'admin' | 'agent' }): Actor {
  return { id: a.id, name: a.name, email: a.email, role: a.role }
}
