import { afterCommitWanted } from '../transaction.ts'
import { RENDER_EMAILS } from '../../mail/outbound/renderOutbox.ts'
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Tx } from '../../db/database.ts'
import { enqueueEmail } from '../../mail/outbound/outbox.ts'
import { isLocale } from '../../i18n/catalogues.ts'
import { translate } from '../../i18n/translate.ts'
import { loadSettings } from '../settings/settings.ts'
import { asAgent, type Actor, type Visitor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { ConflictError, NotFoundError, ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent, recordEvents } from '../events/record.ts'
import { parseId } from '../input.ts'
import { authorize, can, INSTANCE, scopeOf } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { hashPassword, passwordSchema } from './passwords.ts'
import { prefsFormSchema, prefsWithForm } from '../notifications/preferences.ts'

const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

const folderIds = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive().max(2_147_483_647)).max(500),
)
const checkbox = z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean())

export const inviteSchema = z.object({
  name: z.string().trim().min(1, 'validation.enterName').max(100),
  email: z.email('validation.enterValidEmail').trim().toLowerCase().max(254),
  role: z.enum(['admin', 'agent']).default('agent'),
  folderIds,
})

export const agentUpdateSchema = z.object({
  name: z.string().trim().min(1, 'validation.enterName').max(100),
  role: z.enum(['admin', 'agent']),
  folderIds,
  notifyOnNewInFolder: checkbox,
  // How each kind of news reaches the agent (a kind left out keeps its choice).
  ...prefsFormSchema.shape,
})

export const notificationSchema = agentUpdateSchema.pick({ notifyOnNewInFolder: true })

/** The help desk must always keep an active administrator who can sign in. */
async function assertAnotherActiveAdmin(tx: Tx, agentId: number) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('suivi:admins'))`
  const others = await tx.agent.count({ where: { role: 'admin', active: true, id: { not: agentId } } })
  if (others === 0) throw new ConflictError('error.lastAdmin')
}

async function setFolders(tx: Tx, agentId: number, ids: number[]) {
  const existing = await tx.folder.findMany({ where: { id: { in: ids } }, select: { id: true } })
  await tx.folderMember.deleteMany({ where: { agentId } })
  if (existing.length) await tx.folderMember.createMany({ data: existing.map((f) => ({ agentId, folderId: f.id })) })
  return existing.map((f) => f.id)
}

/**
 * An agent taken out of a folder (or no longer an admin) keeps no conversation there: each is
 * unassigned, with its history line, in the transaction that changed the folders, so that nothing
 * of those conversations reaches them afterwards.
 */
async function unassignOutsideFolders(ctx: DomainContext, tx: Tx, admin: Actor, agentId: number, folderIds: number[]) {
  const lost = await tx.conversation.findMany({ where: { assigneeId: agentId, folderId: { notIn: folderIds } }, select: { id: true, folderId: true } })
  if (!lost.length) return
  await tx.conversation.updateMany({ where: { id: { in: lost.map((c) => c.id) } }, data: { assigneeId: null } })
  const at = ctx.clock()
  await recordEvents(
    ctx,
    tx,
    lost.map((c) => ({
      type: 'conversation.assigned',
      actor: asAgent(admin),
      at,
      conversation: c,
      data: { from: agentId, to: null, reason: 'removed from the folder' },
    })),
  )
}

/**
 * Adds an agent who sets their own password from an e-mailed, single-use link. The e-mail is
 * written here, not by a reaction: its link is a secret the event log must not hold. It is
 * rendered after commit, as every e-mail is.
 */
export async function inviteAgent(ctx: DomainContext, admin: Actor, input: Record<string, unknown>) {
  authorize(admin, 'administer', INSTANCE)
  const { name, email, role, folderIds: ids } = parseInput(inviteSchema, input)
  const token = randomBytes(32).toString('base64url')
  const link = `${ctx.mail.publicUrl}/invite/${token}`
  return transaction(ctx, async (tx) => {
    if (await tx.agent.findUnique({ where: { email } })) throw new ValidationError('error.agentExists', { email: { key: 'validation.agentEmailTaken' } })
    const now = ctx.clock()
    // Until they accept (and their browser tells theirs), a new agent reads the help desk's default language.
    const { defaultLocale: locale, defaultTimeZone: timeZone } = await loadSettings(tx)
    const agent = await tx.agent.create({ data: { name, email, role, passwordHash: null, locale, timeZone } })
    const folders = await setFolders(tx, agent.id, ids)
    await tx.agentToken.create({
      data: { agentId: agent.id, purpose: 'invitation', tokenHash: tokenHash(token), expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS) },
    })
    // Auto-Submitted: written by the system, so vacation responders and mail robots do not answer it.
    afterCommitWanted(RENDER_EMAILS)

    await enqueueEmail(tx, ctx.mail.mailDomain, {
      kind: 'invitation',
      to: email,
      toName: name,
      subject: translate(locale, 'mail.invitation.subject', { inviter: admin.name }),
      headers: { 'Auto-Submitted': 'auto-generated' },
      template: 'invitation',
      params: { name, inviter: admin.name, link, days: INVITATION_LIFETIME_MS / 86_400_000, locale, timeZone },
    })
    await recordAdminEvent(tx, {
      type: 'agent.invited',
      agentId: admin.id,
      at: now,
      target: { type: 'agent', id: String(agent.id) },
      data: { email, role, folders },
    })
    return agent
  })
}

/** The agent a command acts on, and the form fields that come with it. */
export type AgentInput = { agentId: unknown } & Record<string, unknown>

/** Name, role, folders and notification preferences of an agent. */
export async function updateAgent(ctx: DomainContext, admin: Actor, input: AgentInput) {
  authorize(admin, 'administer', INSTANCE)
  const agentId = parseId(input.agentId)
  const { folderIds: ids, name, role, notifyOnNewInFolder, ...prefs } = parseInput(agentUpdateSchema, input)
  const fields = { name, role, notifyOnNewInFolder }
  return transaction(ctx, async (tx) => {
    const before = await tx.agent.findUnique({ where: { id: agentId }, include: { folders: true } })
    if (!before) throw new NotFoundError()
    if (can(before, 'administer', INSTANCE) && !can({ ...before, ...fields }, 'administer', INSTANCE)) await assertAnotherActiveAdmin(tx, agentId)
    const agent = await tx.agent.update({ where: { id: agentId }, data: { ...fields, notificationPrefs: prefsWithForm(before.notificationPrefs, prefs) } })
    const folders = await setFolders(tx, agentId, ids)
    // Assignments follow the policy: what the agent may no longer act on is unassigned. Judged as
    // if active, because a deactivated agent's assignments are kept for an admin to hand over.
    const scope = scopeOf({ ...agent, active: true, folderIds: folders }, 'act')
    if (scope !== null) await unassignOutsideFolders(ctx, tx, admin, agentId, scope)
    await recordAdminEvent(tx, {
      type: 'agent.updated',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'agent', id: String(agentId) },
      data: { role: { from: before.role, to: fields.role }, folders: { from: before.folders.map((f) => f.folderId), to: folders }, name: fields.name },
    })
    return agent
  })
}

const activeSchema = z.object({ active: z.boolean() })

/**
 * Deactivated agents cannot sign in and their sessions end now; their history and authorship
 * stay. The conversations still assigned to them are returned so they can be reassigned.
 */
export async function setAgentActive(ctx: DomainContext, admin: Actor, input: { agentId: unknown; active: boolean }) {
  authorize(admin, 'administer', INSTANCE)
  const agentId = parseId(input.agentId)
  const { active } = parseInput(activeSchema, input)
  return transaction(ctx, async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id: agentId } })
    if (!agent) throw new NotFoundError()
    if (agent.active === active) return { agent, openAssignments: 0 }
    if (!active && can(agent, 'administer', INSTANCE)) await assertAnotherActiveAdmin(tx, agentId)
    const now = ctx.clock()
    const updated = await tx.agent.update({ where: { id: agentId }, data: { active, deactivatedAt: active ? null : now } })
    if (!active) await tx.$executeRaw`DELETE FROM sessions WHERE (sess -> 'agentId')::text = ${String(agentId)}`
    await recordAdminEvent(tx, {
      type: active ? 'agent.reactivated' : 'agent.deactivated',
      agentId: admin.id,
      at: now,
      target: { type: 'agent', id: String(agentId) },
      data: { email: agent.email },
    })
    const openAssignments = await tx.conversation.count({ where: { assigneeId: agentId, status: { not: 'closed' } } })
    return { agent: updated, openAssignments }
  })
}

const INVITATION_GONE = 'error.invitationGone'

/** The agent an invitation link belongs to, while it is valid. */
export async function findInvitation(ctx: QueryContext & Pick<DomainContext, 'clock'>, input: { token: string }) {
  const row = await ctx.prisma.agentToken.findUnique({ where: { tokenHash: tokenHash(String(input.token)) }, include: { agent: true } })
  if (!row || row.purpose !== 'invitation' || row.usedAt || row.expiresAt <= ctx.clock() || !row.agent.active) throw new NotFoundError(INVITATION_GONE)
  return row
}

const acceptSchema = z.object({ token: z.string(), password: passwordSchema })

/**
 * The invited agent chooses a password; the link is spent in the same step. The link is the
 * authority: the visitor holds no other. `locale`: the language their browser asks for, when it
 * names one offered; else they keep the help desk's default. Their time zone is the help desk's.
 */
export async function acceptInvitation(ctx: DomainContext, _visitor: Visitor, input: { token: string; password: string; locale?: string }): Promise<number> {
  const { token, password } = parseInput(acceptSchema, input)
  const passwordHash = await hashPassword(password)
  return transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const spent = await tx.agentToken.updateMany({
      where: { tokenHash: tokenHash(token), purpose: 'invitation', usedAt: null, expiresAt: { gt: now }, agent: { active: true } },
      data: { usedAt: now },
    })
    if (spent.count !== 1) throw new NotFoundError(INVITATION_GONE)
    const { agentId } = await tx.agentToken.findUniqueOrThrow({ where: { tokenHash: tokenHash(token) } })
    const settings = await loadSettings(tx)
    const locale = isLocale(input.locale) ? input.locale : settings.defaultLocale
    await tx.agent.update({ where: { id: agentId }, data: { passwordHash, locale, timeZone: settings.defaultTimeZone } })
    await recordAdminEvent(tx, { type: 'agent.joined', agentId, at: now, target: { type: 'agent', id: String(agentId) } })
    return agentId
  })
}
