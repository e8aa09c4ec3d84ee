import { afterCommitWanted } from '../transaction.ts'
import { RENDER_EMAILS } from '../../mail/outbound/renderOutbox.ts'
import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { enqueueEmail } from '../../mail/outbound/outbox.ts'
import { agentLanguage } from '../../mail/outbound/language.ts'
import { translate } from '../../i18n/translate.ts'
import type { Visitor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { transaction } from '../transaction.ts'
import { hashPassword, passwordSchema } from './passwords.ts'

const RESET_LINK_LIFETIME_MS = 60 * 60 * 1000
const LINK_GONE = 'auth.reset.linkGone'

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Sends a single-use password reset link to an active agent, in the agent's language. Says nothing
 * about whether the address exists (nor whether it is one): the caller shows the same answer
 * either way. The e-mail is written here (its link is a secret no event may hold) and rendered
 * after commit, as every e-mail is.
 */
export async function requestPasswordReset(ctx: DomainContext, _visitor: Visitor, input: { email: string }): Promise<void> {
  const email = z.email().safeParse(
    String(input.email ?? '')
      .trim()
      .toLowerCase(),
  )
  if (!email.success) return
  const agent = await ctx.prisma.agent.findUnique({ where: { email: email.data } })
  if (!agent || !agent.active) return
  const token = randomBytes(32).toString('base64url')
  const now = ctx.clock()
  const link = `${ctx.mail.publicUrl}/reset-password/${token}`
  await transaction(ctx, async (tx) => {
    await tx.agentToken.create({
      data: { agentId: agent.id, purpose: 'password_reset', tokenHash: tokenHash(token), expiresAt: new Date(now.getTime() + RESET_LINK_LIFETIME_MS) },
    })
    // Auto-Submitted: written by the system, so vacation responders and mail robots do not answer it.
    afterCommitWanted(RENDER_EMAILS)

    const language = agentLanguage(agent)
    await enqueueEmail(tx, ctx.mail.mailDomain, {
      kind: 'password_reset',
      to: agent.email,
      toName: agent.name,
      subject: translate(language.locale, 'mail.passwordReset.subject'),
      headers: { 'Auto-Submitted': 'auto-generated' },
      template: 'password-reset',
      params: { name: agent.name, link, minutes: RESET_LINK_LIFETIME_MS / 60000, ...language },
    })
  })
}

/** The agent a still-valid link belongs to, or NotFoundError. */
export async function findResetToken(ctx: QueryContext & Pick<DomainContext, 'clock'>, input: { token: string }) {
  const row = await ctx.prisma.agentToken.findUnique({ where: { tokenHash: tokenHash(String(input.token)) }, include: { agent: true } })
  if (!row || row.purpose !== 'password_reset' || row.usedAt || row.expiresAt <= ctx.clock() || !row.agent.active) throw new NotFoundError(LINK_GONE)
  return row
}

const resetSchema = z.object({ token: z.string(), password: passwordSchema })

/**
 * Sets the new password, spends the link (and every other outstanding reset link of the agent)
 * and ends every session of that agent, in one transaction: whoever knew the old password is
 * signed out. The link is the authority: the visitor holds no other.
 */
export async function resetPassword(ctx: DomainContext, _visitor: Visitor, input: { token: string; password: string }): Promise<number> {
  const { token, password } = parseInput(resetSchema, input)
  const passwordHash = await hashPassword(password)
  return transaction(ctx, async (tx) => {
    const now = ctx.clock()
    // The conditional update is the single-use check: of two concurrent submissions, one wins.
    const spent = await tx.agentToken.updateMany({
      where: { tokenHash: tokenHash(token), purpose: 'password_reset', usedAt: null, expiresAt: { gt: now }, agent: { active: true } },
      data: { usedAt: now },
    })
    if (spent.count !== 1) throw new NotFoundError(LINK_GONE)
    const { agentId } = await tx.agentToken.findUniqueOrThrow({ where: { tokenHash: tokenHash(token) } })
    // Every other reset link of this agent is spent too: an older e-mail read later must not set a password.
    await tx.agentToken.updateMany({ where: { agentId, purpose: 'password_reset', usedAt: null }, data: { usedAt: now } })
    await tx.agent.update({ where: { id: agentId }, data: { passwordHash } })
    await tx.$executeRaw`DELETE FROM sessions WHERE (sess -> 'agentId')::text = ${String(agentId)}`
    await recordAdminEvent(tx, { type: 'agent.password_reset', agentId, at: now, target: { type: 'agent', id: String(agentId) } })
    return agentId
  })
}
