import { z } from 'zod'
import type { Visitor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { ConflictError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { ensureDefaultFolder } from '../folders/defaultFolder.ts'
import { transaction } from '../transaction.ts'
import { hashPassword, passwordSchema } from './passwords.ts'

export const firstAdminSchema = z.object({
  name: z.string().trim().min(1, 'validation.enterYourName').max(100),
  email: z.email('validation.enterValidEmail').trim().toLowerCase().max(254),
  password: passwordSchema,
})

export type FirstAdminInput = z.input<typeof firstAdminSchema>

export async function hasAnyAgent(ctx: QueryContext): Promise<boolean> {
  return (await ctx.prisma.agent.findFirst({ select: { id: true } })) !== null
}

/**
 * Creates the first administrator (and the default folder) on a fresh install. The empty install
 * is the authority: refused once any agent exists; a transaction-scoped advisory lock makes two
 * simultaneous first-run forms safe.
 */
export async function createFirstAdmin(ctx: DomainContext, _visitor: Visitor, input: FirstAdminInput) {
  const { name, email, password } = parseInput(firstAdminSchema, input)
  const passwordHash = await hashPassword(password)
  return transaction(ctx, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('suivi:first-admin'))`
    if (await tx.agent.findFirst({ select: { id: true } })) {
      throw new ConflictError('error.alreadySetUp')
    }
    await ensureDefaultFolder(tx)
    const agent = await tx.agent.create({ data: { name, email, passwordHash, role: 'admin' } })
    await recordAdminEvent(tx, {
      type: 'agent.created',
      agentId: agent.id,
      at: ctx.clock(),
      target: { type: 'agent', id: String(agent.id) },
      data: { role: 'admin', firstRun: true },
    })
    return agent
  })
}
