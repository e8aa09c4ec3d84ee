import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, INSTANCE } from '../policy.ts'

/** Every tag, by name: tags belong to the whole help desk, whatever the agent's folders. */
export async function listTags(ctx: QueryContext, agent: Actor) {
  authorize(agent, 'read', INSTANCE)
  return ctx.prisma.tag.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }], select: { id: true, name: true, colour: true } })
}
