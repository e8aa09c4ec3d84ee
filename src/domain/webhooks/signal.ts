import { EventEmitter } from 'node:events'

/**
 * Tells this process's delivery worker that deliveries were queued, so they go out at once rather
 * than at its next poll (workers of other instances find them at theirs).
 */
const queued = new EventEmitter()
queued.setMaxListeners(0)

export const announceWebhookDeliveries = () => void queued.emit('queued')

export function onWebhookDeliveries(listener: () => void): () => void {
  queued.on('queued', listener)
  return () => void queued.off('queued', listener)
}
