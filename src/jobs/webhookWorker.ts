import type { Logger } from 'pino'
import { repeatingPasses } from './passes.ts'
import type { DomainContext } from '../domain/context.ts'
import { deliverDueWebhooks } from '../domain/webhooks/deliver.ts'
import { onWebhookDeliveries } from '../domain/webhooks/signal.ts'

export interface WebhookWorkerOptions {
  domain: DomainContext
  logger: Logger
  /** How often due deliveries (retries, other instances' queues) are looked for; kick() looks sooner. */
  intervalMs?: number
  batchSize?: number
  timeoutMs?: number
}

export interface WebhookWorker {
  /** Stops polling and waits for the pass in flight. */
  stop(): Promise<void>
  /** Asks for a pass soon (deliveries were queued). */
  kick(): void
}

/**
 * Sends webhook deliveries in the background: one pass at a time, on an interval, and as soon as
 * this instance's listener queued some. Several instances may run it: deliveries are leased.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { domain, logger } = options
  const batchSize = options.batchSize ?? 20
  const passes = repeatingPasses(
    async () => {
      const r = await deliverDueWebhooks(domain, { logger, batchSize, timeoutMs: options.timeoutMs })
      // A full batch means more may be due now: go on without waiting for the interval.
      return r.delivered + r.retried + r.failed >= batchSize
    },
    { intervalMs: options.intervalMs ?? 2000, onError: (err) => logger.warn({ err }, 'webhook pass failed; will try again') },
  )
  const unsubscribe = onWebhookDeliveries(passes.pass)

  return {
    kick: passes.pass,
    async stop() {
      unsubscribe()
      await passes.stop()
    },
  }
}
