import type { Tx } from '../db/database.ts'
import type { DomainContext } from './context.ts'

/**
 * The one way a command changes rows: its writes and the events it records commit together;
 * then the reactions' after-commit work runs (outside every lock), and listeners on other
 * instances are woken to read the new events.
 */
export async function transaction<T>(ctx: DomainContext, work: (tx: Tx) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T> {
  const result = await ctx.prisma.$transaction(work, options)
  await afterCommit(ctx)
  return result
}

/** What follows a commit; also for commands that commit in several transactions (the sweep). */
export async function afterCommit(ctx: DomainContext): Promise<void> {
  for (const reaction of ctx.reactions) await reaction.afterCommit?.()
  ctx.events.wake()
}
