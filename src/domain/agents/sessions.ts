import type { QueryContext } from '../context.ts'

/**
 * Whether a sign-in session still exists and has not expired. Signing out, a password reset or a
 * deactivation deletes the row, on whichever instance it happens.
 */
export async function isSessionActive(ctx: QueryContext, input: { sid: string; now: Date }): Promise<boolean> {
  return (await ctx.prisma.session.count({ where: { sid: input.sid, expire: { gt: input.now } } })) > 0
}
