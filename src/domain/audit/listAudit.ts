import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, INSTANCE } from '../policy.ts'

export const AUDIT_PAGE_SIZE = 100

export interface AuditEntry {
  id: bigint
  action: string
  targetType: string
  targetId: string | null
  data: unknown
  createdAt: Date
  actorAgentId: number | null
  /** The acting agent's current name; null for the system or a deleted agent. */
  actorName: string | null
}

export interface AuditPage {
  entries: AuditEntry[]
  /** Where the next (older) page starts; null on the last page. */
  olderBefore: bigint | null
  /** Current names of the agents, folders and tags the entries point at by id, by target type. */
  targetNames: Record<string, Map<string, string>>
}

/** The audit log, newest first, one keyset page before the entry `before`; for administrators. */
export async function listAudit(ctx: QueryContext, admin: Actor, input: { before?: number | bigint }): Promise<AuditPage> {
  authorize(admin, 'administer', INSTANCE)
  const { prisma } = ctx
  const rows = await prisma.auditEvent.findMany({
    where: input.before ? { id: { lt: input.before } } : {},
    orderBy: { id: 'desc' },
    take: AUDIT_PAGE_SIZE + 1,
    include: { actor: { select: { name: true } } },
  })
  const page = rows.slice(0, AUDIT_PAGE_SIZE)

  // Names of targets an entry does not name itself (older entries), looked up once per page.
  const idsOf = (type: string) => [
    ...new Set(page.filter((r) => r.targetType === type && r.targetId && /^\d+$/.test(r.targetId)).map((r) => Number(r.targetId))),
  ]
  const [agents, folders, tags] = await Promise.all([
    prisma.agent.findMany({ where: { id: { in: idsOf('agent') } }, select: { id: true, name: true } }),
    prisma.folder.findMany({ where: { id: { in: idsOf('folder') } }, select: { id: true, name: true } }),
    prisma.tag.findMany({ where: { id: { in: idsOf('tag') } }, select: { id: true, name: true } }),
  ])
  const names = (list: { id: number; name: string }[]) => new Map(list.map((x) => [String(x.id), x.name]))

  return {
    entries: page.map(({ actor, ...r }) => ({ ...r, actorName: actor?.name ?? null })),
    olderBefore: rows.length > AUDIT_PAGE_SIZE ? page.at(-1)!.id : null,
    targetNames: { agent: names(agents), folder: names(folders), tag: names(tags) },
  }
}
