import type { Logger } from 'pino'
import type { DomainContext } from '../../domain/context.ts'
import { processInboundMessage } from './intake.ts'

export interface IntakeQueue {
  /** Processes a stored message soon, a few at a time, outside the request that stored it. */
  push(id: number): void
  /** Stored messages nobody processed (the process died after the commit): process them now. */
  recover(): Promise<number>
  /** Resolves once every pushed message is processed. */
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
    push(id) {
      if (queued.has(id)) return
      queued.add(id)
      waiting.push(id)
      next()
    },
    async recover() {
      // A minute of grace: a row this young may still be in the hands of the instance that stored it.
      const before = new Date(ctx.clock().getTime() - 60_000)
      const rows = await ctx.prisma.inboundMessage.findMany({ where: { status: 'received', receivedAt: { lt: before } }, orderBy: { id: 'asc' }, take: 500, select: { id: true } })
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
