import type { Logger } from 'pino'
import type { DomainContext } from '../../domain/context.ts'
import { leaseEnded, processInboundMessage } from './intake.ts'

export interface IntakeQueue {
  /**
   * A worker for a message its receiver is about to store and process at once (claimed by its
   * insert, so that nobody else takes it), or null when every worker is busy: the message then waits
   * in line (push). Call the function returned when done.
   */
  reserveWorker(): (() => void) | null
  /** Processes a stored message soon, a few at a time, outside the request that stored it. */
  push(id: number): void
  /** Stored messages nobody is processing (the process died after the commit): process them now, oldest first. */
  recover(): Promise<number>
  /** Resolves once every message in line or in a worker's hands is processed. */
  drain(): Promise<void>
}

export function createIntakeQueue(ctx: DomainContext, logger: Logger, concurrency = 2): IntakeQueue {
  const waiting: number[] = []
  const queued = new Set<number>()
  let running = 0
  let idle: (() => void)[] = []

  function next() {
    while (running < concurrency && waiting.length) {
      const id = waiting.shift()!
      running++
      processInboundMessage(ctx, id, logger)
        .catch((err) => logger.error({ err, inboundId: id }, 'inbound processing crashed'))
        .finally(() => {
          running--
          queued.delete(id)
          next()
        })
    }
    if (running === 0 && waiting.length === 0) {
      for (const resolve of idle) resolve()
      idle = []
    }
  }

  const queue: IntakeQueue = {
    reserveWorker() {
      // next() starts waiting messages first, so a free worker means nobody is in line to overtake.
      if (running >= concurrency) return null
      running++
      let released = false
      return () => {
        if (released) return
        released = true
        running--
        next()
      }
    },
    push(id) {
      if (queued.has(id)) return
      queued.add(id)
      waiting.push(id)
      next()
    },
    async recover() {
      // Every waiting row nobody holds (a claim whose lease ran out belonged to a worker that died),
      // in order of receipt: a message before the replies to it. Claims keep two instances from
      // taking the same row, so there is no need to wait for rows to age.
      const rows = await ctx.prisma.inboundMessage.findMany({
        where: { status: 'received', OR: [{ claimedAt: null }, { claimedAt: { lt: leaseEnded(ctx.clock()) } }] },
        orderBy: { id: 'asc' },
        take: 500,
        select: { id: true },
      })
      for (const r of rows) queue.push(r.id)
      return rows.length
    },
    drain() {
      if (running === 0 && waiting.length === 0) return Promise.resolve()
      return new Promise<void>((resolve) => idle.push(resolve))
    },
  }
  return queue
}
