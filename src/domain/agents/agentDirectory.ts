import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { rowId } from '../input.ts'
import { authorize, can, INSTANCE } from '../policy.ts'

/**
 * The team as the API shows it. Every agent sees their active colleagues (whom they assign and
 * mention); admins also see deactivated and invited agents and who belongs to which folder.
 */

export interface DirectoryAgent {
  id: number
  name: string
  email: string
  role: 'admin' | 'agent'
  active: boolean
  /** Admins only: not signed in yet (has not chosen a password). */
  invited?: boolean
  /** Admins only: the folders the agent belongs to. */
  folderIds?: number[]
}

const SELECT = { id: true, name: true, email: true, role: true, active: true, passwordHash: true, folders: { select: { folderId: true } } } as const

type Row = { id: number; name: string; email: string; role: 'admin' | 'agent'; active: boolean; passwordHash: string | null; folders: { folderId: number }[] }

function present(row: Row, admin: boolean): DirectoryAgent {
  const base = { id: row.id, name: row.name, email: row.email, role: row.role, active: row.active }
  return admin ? { ...base, invited: row.passwordHash === null, folderIds: row.folders.map((f) => f.folderId).sort((a, b) => a - b) } : base
}

export async function listAgentDirectory(ctx: QueryContext, actor: Actor): Promise<DirectoryAgent[]> {
  authorize(actor, 'read', INSTANCE)
  const admin = can(actor, 'administer', INSTANCE)
  const rows = await ctx.prisma.agent.findMany({
    where: admin ? {} : { active: true },
    orderBy: [{ active: 'desc' }, { name: 'asc' }, { id: 'asc' }],
    select: SELECT,
  })
  return rows.map((r) => present(r, admin))
}

export async function getAgentInDirectory(ctx: QueryContext, actor: Actor, input: { agentId: unknown }): Promise<DirectoryAgent> {
  authorize(actor, 'read', INSTANCE)
  const admin = can(actor, 'administer', INSTANCE)
  const parsed = rowId.safeParse(input.agentId)
  if (!parsed.success) throw new NotFoundError()
  const row = await ctx.prisma.agent.findFirst({ where: { id: parsed.data, ...(admin ? {} : { active: true }) }, select: SELECT })
  if (!row) throw new NotFoundError()
  return present(row, admin)
}
