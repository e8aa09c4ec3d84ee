import type { Prisma, Tx } from '../db/database.ts'
import type { Actor, ActorRef, Visitor } from './actor.ts'
import { Prisma as P } from '../generated/prisma/client.ts'
import { ForbiddenError, NotFoundError } from './errors.ts'

/**
 * Who may see and do what, as one table of rules (after Outline's `allow(Model, actions, condition)`).
 * Every check in the app goes through `can`/`authorize`; the folder scope that queries filter by in
 * SQL is derived from the same rules, so a list never shows what `authorize` would refuse.
 */

/** Settings, agents, folders and tags admin, mail accounts, audit, outbox: the instance as a whole. */
export const INSTANCE = { type: 'instance' } as const

export type Subject =
  | typeof INSTANCE
  | { type: 'folder'; id: number }
  /** customerId lets the customer rule match; agents are decided by the folder alone. */
  | { type: 'conversation'; folderId: number; customerId?: number }

export type SubjectType = Subject['type']

/**
 * - `read`: instance: use the agent app; folder: see it and its conversations; conversation: open it.
 * - `act`: folder: file conversations in it or be assigned them; conversation: reply, comment,
 *   assign, tag, move, change its status.
 * - `administer`: instance: settings, agents, folders, tags, mail accounts, audit, outbox.
 *   On a folder or a conversation only admins and the system hold it (nothing asks for it yet).
 */
export type Action = 'read' | 'act' | 'administer'

/** Anyone who can ask: a signed-in agent, the history reference (agent, customer, system), or a visitor. */
export type Principal = Actor | ActorRef | Visitor

/** A principal's part in the rules; an inactive agent has none, so no rule lets them do anything. */
export type Role = 'admin' | 'agent' | 'customer' | 'system' | 'visitor'

/** Conditions are named, not arbitrary functions, so the SQL scope can be derived from them. */
export type Condition = 'always' | 'memberOfFolder' | 'ownConversation'

export interface Rule {
  role: Role
  actions: readonly Action[]
  subjects: readonly SubjectType[]
  when: Condition
}

const ALL_ACTIONS: readonly Action[] = ['read', 'act', 'administer']
const ALL_SUBJECTS: readonly SubjectType[] = ['instance', 'folder', 'conversation']

const allow = (role: Role, actions: readonly Action[], subjects: readonly SubjectType[], when: Condition = 'always'): Rule => ({
  role,
  actions,
  subjects,
  when,
})

export const RULES: readonly Rule[] = [
  // Jobs and inbound mail act for the instance itself (auto-close, bounces, customer answers).
  allow('system', ALL_ACTIONS, ALL_SUBJECTS),
  allow('admin', ALL_ACTIONS, ALL_SUBJECTS),
  allow('agent', ['read'], ['instance']),
  allow('agent', ['read', 'act'], ['folder', 'conversation'], 'memberOfFolder'),
  // The status page (a signed link) shows a conversation to its own customer only.
  allow('customer', ['read'], ['conversation'], 'ownConversation'),
  // Writing in needs the conversation's signed link or mail thread, verified before any command;
  // whoever holds the thread may answer (a colleague in Cc), as with any e-mail conversation.
  allow('customer', ['act'], ['conversation']),
  // No rule for 'visitor': signed out, one may only use a secret link or set up an empty install.
]

const isRef = (p: Principal): p is ActorRef | Visitor => 'kind' in p

function roleOf(p: Principal): Role | null {
  if (isRef(p)) return p.kind === 'agent' ? roleOf(p.agent) : p.kind
  return p.active === false ? null : p.role
}

function agentOf(p: Principal): Actor | null {
  if (!isRef(p)) return p
  return p.kind === 'agent' ? p.agent : null
}

function folderIdsOf(p: Principal): number[] {
  const ids = agentOf(p)?.folderIds
  // Deciding without them would silently refuse (or allow): load them at the edge instead.
  if (!ids) throw new Error('The agent’s folders are not loaded; use withFolderIds first')
  return ids
}

const CONDITIONS: Record<Condition, (p: Principal, s: Subject) => boolean> = {
  always: () => true,
  memberOfFolder: (p, s) => {
    const folderId = s.type === 'folder' ? s.id : s.type === 'conversation' ? s.folderId : null
    return folderId !== null && folderIdsOf(p).includes(folderId)
  },
  ownConversation: (p, s) => s.type === 'conversation' && isRef(p) && p.kind === 'customer' && s.customerId !== undefined && s.customerId === p.customerId,
}

function rulesFor(p: Principal, action: Action, type: SubjectType): Rule[] {
  const role = roleOf(p)
  if (role === null) return []
  return RULES.filter((r) => r.role === role && r.actions.includes(action) && r.subjects.includes(type))
}

/** Whether the principal may do `action` on `subject`. Synchronous: agents need their folderIds loaded. */
export function can(actor: Principal, action: Action, subject: Subject): boolean {
  return rulesFor(actor, action, subject.type).some((r) => CONDITIONS[r.when](actor, subject))
}

/**
 * Throws unless `can`. Folders and conversations the actor may not even read answer NotFoundError,
 * so their existence does not leak; everything else is a ForbiddenError.
 */
export function authorize(actor: Principal, action: Action, subject: Subject): void {
  if (can(actor, action, subject)) return
  if (subject.type !== 'instance' && !can(actor, 'read', subject)) {
    throw new NotFoundError(subject.type === 'folder' ? 'error.folderNotFound' : 'error.notFound')
  }
  throw new ForbiddenError()
}

/** Whether deciding for this principal needs the agent's folder memberships. */
function needsFolderIds(p: Principal): boolean {
  const role = roleOf(p)
  return agentOf(p)?.folderIds === undefined && RULES.some((r) => r.role === role && r.when === 'memberOfFolder')
}

/** The principal with its agent's folderIds loaded (one query, only when the rules need them). */
export async function withFolderIds<T extends Principal>(db: Prisma | Tx, actor: T): Promise<T> {
  if (!needsFolderIds(actor)) return actor
  const agent = agentOf(actor)!
  const rows = await db.folderMember.findMany({ where: { agentId: agent.id }, select: { folderId: true } })
  const loaded: Actor = { ...agent, folderIds: rows.map((r) => r.folderId) }
  return (isRef(actor) ? { kind: 'agent', agent: loaded } : loaded) as T
}

/**
 * The folders whose conversations the actor may read: null for all of them, else the list.
 * Every conversation query takes this and filters in SQL, never after loading.
 */
export type FolderScope = number[] | null

/** The scope the rules give for `action` on conversations, from a loaded actor. */
export function scopeOf(actor: Principal, action: Action = 'read'): FolderScope {
  const rules = rulesFor(actor, action, 'conversation')
  if (rules.some((r) => r.when === 'always')) return null
  if (rules.some((r) => r.when === 'memberOfFolder')) return folderIdsOf(actor)
  // A customer's scope is their own conversation, not a set of folders.
  return []
}

export async function folderScope(prisma: Prisma | Tx, actor: Principal): Promise<FolderScope> {
  return scopeOf(await withFolderIds(prisma, actor))
}

/** The SQL condition that `column` (a folder id) is in the scope, for raw queries. */
export function scopeSql(column: P.Sql, scope: FolderScope): P.Sql {
  if (scope === null) return P.sql`TRUE`
  if (scope.length === 0) return P.sql`FALSE`
  return P.sql`${column} IN (${P.join(scope)})`
}

/** A Prisma `where` fragment restricting conversations to the scope. */
export function conversationScopeWhere(scope: FolderScope) {
  return scope === null ? {} : { folderId: { in: scope } }
}

type AgentRole = Extract<Role, 'admin' | 'agent'>
const AGENT_ROLES: readonly AgentRole[] = ['admin', 'agent']

/** The rules that let agents (of some role) do `action` on a folder's conversations. */
function agentRules(action: Action): (Rule & { role: AgentRole })[] {
  return RULES.filter(
    (r): r is Rule & { role: AgentRole } =>
      (AGENT_ROLES as readonly Role[]).includes(r.role) && r.actions.includes(action) && r.subjects.includes('conversation'),
  )
}

/** Active agents who may do `action` on conversations of the folder, as a Prisma `where` on agents. */
export function agentsAllowedWhere(folderId: number, action: Action = 'act') {
  const OR = agentRules(action).flatMap((r) => {
    if (r.when === 'always') return [{ role: r.role }]
    if (r.when === 'memberOfFolder') return [{ role: r.role, folders: { some: { folderId } } }]
    return []
  })
  return { active: true, OR }
}

/** The same for raw queries: agents table alias `a` (a plain identifier), folder id column `folderId`. */
export function agentsAllowedSql(a: string, folderId: P.Sql, action: Action = 'act'): P.Sql {
  if (!/^[a-z_]+$/.test(a)) throw new Error(`Not a table alias: ${a}`)
  const t = P.raw(a)
  const parts = agentRules(action).flatMap((r) => {
    if (r.when === 'always') return [P.sql`${t}.role::text = ${r.role}`]
    if (r.when === 'memberOfFolder') {
      return [P.sql`(${t}.role::text = ${r.role} AND EXISTS (SELECT 1 FROM folder_members fm WHERE fm."agentId" = ${t}.id AND fm."folderId" = ${folderId}))`]
    }
    return []
  })
  return parts.length ? P.sql`${t}.active AND (${P.join(parts, ' OR ')})` : P.sql`FALSE`
}
