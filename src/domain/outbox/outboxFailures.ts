import { recentOutboxFailures } from '../../mail/outbound/outboxHealth.ts'
import type { Actor } from '../actor.ts'
import type { QueryContext } from '../context.ts'
import { authorize, INSTANCE } from '../policy.ts'

/** E-mails given up on lately, for the warning administrators see on every page (cached briefly). */
export async function countRecentOutboxFailures(ctx: QueryContext, admin: Actor): Promise<number> {
  authorize(admin, 'administer', INSTANCE)
  return recentOutboxFailures(ctx.prisma)
}
