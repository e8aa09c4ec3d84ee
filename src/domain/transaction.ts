import { AsyncLocalStorage } from 'node:async_hooks'
import type { Tx } from '../db/database.ts'
import type { DomainContext } from './context.ts'

/** What the transaction in progress asked to do once it has committed. */
interface Unit {
  reactions: Set<string>
  recorded: boolean
  tx: Tx | null
}
const current = new AsyncLocalStorage<Unit>()
/** Counts the transactions that committed during a piece of work (see commitsDuring). */
const commitWatch = new AsyncLocalStorage<{ commits: number }>()

/**
 * Runs `work` and says how many changes committed while it ran (whether it then failed or not):
 * an API call that fails after its change committed must not be run again as if nothing happened.
 */
export async function commitsDuring<T>(work: () => Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; commits: number }> {
  const watch = { commits: 0 }
  const [outcome] = await commitWatch.run(watch, () => Promise.allSettled([work()]))
  return { outcome: outcome!, commits: watch.commits }
}

function committed() {
  const watch = commitWatch.getStore()
  if (watch) watch.commits++
}

/**
 * The one way a command changes rows: its writes and the events it records commit together;
 * then the after-commit work that the transaction asked for runs (outside every lock), and
 * listeners on other instances are woken when it recorded events.
 */
export async function transaction<T>(ctx: DomainContext, work: (tx: Tx) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T> {
  // Inside `together`, a command joins the transaction in progress: all its commands commit or none.
  const outer = current.getStore()
  if (outer?.tx) return work(outer.tx)
  const unit: Unit = { reactions: new Set(), recorded: false, tx: null }
  const result = await ctx.prisma.$transaction((tx) => current.run(unit, () => work(tx)), options)
  committed()
  await afterCommit(ctx, unit)
  return result
}

/**
 * Runs several commands as one change: each joins one transaction, so a refusal of the last rolls
 * back the first (an API call that moves, assigns and sets the status at once). Only for commands
 * that read through their transaction alone: a read on another connection would not see the
 * change in progress (and the embedded database, one connection at a time, would wait for it).
 */
export async function together<T>(ctx: DomainContext, work: () => Promise<T>): Promise<T> {
  const unit: Unit = { reactions: new Set(), recorded: false, tx: null }
  const result = await ctx.prisma.$transaction((tx) => {
    unit.tx = tx
    return current.run(unit, work)
  })
  committed()
  await afterCommit(ctx, unit)
  return result
}

/** Called in a transaction: the named reaction's afterCommit runs once the transaction has committed. */
export function afterCommitWanted(reaction: string): void {
  current.getStore()?.reactions.add(reaction)
}

/** Called in a transaction by recordEvents: the listeners will have something to read. */
export function eventsWereRecorded(): void {
  const unit = current.getStore()
  if (unit) unit.recorded = true
}

/**
 * What follows a commit. Without a unit (work committed some other way), every reaction's
 * after-commit work runs and the listeners are woken.
 */
export async function afterCommit(ctx: DomainContext, unit?: Unit): Promise<void> {
  for (const reaction of ctx.reactions) if (!unit || unit.reactions.has(reaction.name)) await reaction.afterCommit?.()
  if (!unit || unit.recorded) ctx.events.wake()
}
