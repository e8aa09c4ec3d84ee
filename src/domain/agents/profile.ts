import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'

/** The signed-in agent's own name, address and notification choices. */
export async function getOwnProfile(ctx: QueryContext, agent: Actor) {
  const me = await ctx.prisma.agent.findUnique({
    where: { id: agent.id },
    select: { name: true, email: true, notifyOnAssign: true, notifyOnCustomerReply: true, notifyOnNewInFolder: true },
  })
  // Signed-in agents exist; one deleted meanwhile has no page.
  if (!me) throw new NotFoundError()
  return me
}
