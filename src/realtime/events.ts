import { EventEmitter } from 'node:events'

/** What changed, published after the transaction that changed it has committed. */
export interface ConversationEvent {
  type: 'conversation.created' | 'conversation.updated' | 'message.created'
  conversationId: number
  folderId: number
  /** The thread's version after the change. */
  messageCount?: number
}

export interface EventBus {
  publish(event: ConversationEvent): void
  subscribe(listener: (event: ConversationEvent) => void): () => void
}

/** In-process bus: enough for one instance; the cross-instance bus keeps the same interface. */
export function createLocalEventBus(): EventBus {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    publish(event) {
      emitter.emit('event', event)
    },
    subscribe(listener) {
      emitter.on('event', listener)
      return () => emitter.off('event', listener)
    },
  }
}
