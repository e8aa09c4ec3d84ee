import { recordAdminEvent } from '../events/record.ts'
import { z } from 'zod'
import type { Prisma } from '../../db/database.ts'
import { ConflictError, fromZodError } from '../errors.ts'
import { ensureDefaultFolder } from '../folders/defaultFolder.ts'
import { hashPassword, passwordSchema } from './passwords.ts'

export const firstAdminSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100),
  email: z.email('Enter a valid e-mail address').trim().toLowerCase().max(254),
  password: passwordSchema,
})

export type FirstAdminInput = z.input<typeof firstAdminSchema>

export async function hasAnyAgent(prisma: Prisma): Promise<boolean> {
  return (await prisma.agent.findFirst({ select: { id: true } })) !== null
}

/**
 * Creates the first administrator (and the default folder) on a fresh install. Refused once any
 * agent exists; a transaction-scoped advisory lock makes two simultaneous first-run forms safe.
 */
export async function createFirstAdmin(prisma: Prisma, input: FirstAdminInput) {
  const parsed = firstAdminSchema.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { name, email, password } = parsed.data
  const passwordHash = await hashPassword(password)
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('suivi:first-admin'))`
    if (await tx.agent.findFirst({ select: { id: true } })) {
      throw new ConflictError('The help desk is already set up; sign in instead')
    }
    await ensureDefaultFolder(tx)
    const agent = await tx.agent.create({ data: { name, email, passwordHash, role: 'admin' } })
    await recordAdminEvent(tx, { type: 'agent.created', agentId: agent.id, at: new Date(), target: { type: 'agent', id: String(agent.id) }, data: { role: 'admin', firstRun: true } })
    return agent
  })
}
