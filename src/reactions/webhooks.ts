import { queueWebhookDeliveries } from '../domain/webhooks/queue.ts'
import { announceWebhookDeliveries } from '../domain/webhooks/signal.ts'
import type { Consumer } from './consumer.ts'

/**
 * Webhooks from the event log: each conversation event becomes one delivery per subscribed
 * endpoint, written in the transaction that moves this listener's position (exactly once across
 * instances, src/reactions/consumer.ts). The delivery worker (src/jobs/webhookWorker.ts) sends
 * them, at least once. A help desk that adds webhooks does not send its past.
 */
export function webhookDeliveries(): Consumer {
  let queued = 0
  return {
    name: 'webhooks',
    from: 'end',
    async handle(tx, events) {
      queued = await queueWebhookDeliveries(tx, events)
    },
    afterCommit() {
      if (queued > 0) announceWebhookDeliveries()
      queued = 0
    },
  }
}
