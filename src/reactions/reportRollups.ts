import { COUNTED_EVENTS, refreshConversations } from '../domain/reports/rollups.ts'
import type { Consumer } from './consumer.ts'

const COUNTED = new Set<string>(COUNTED_EVENTS)

/**
 * Keeps the report rollups (src/domain/reports/rollups.ts) from the event log: every conversation
 * an event names is counted again. It starts from the beginning of the log, so an existing help
 * desk gets its past counted without anyone asking (`npm run reports:rebuild` does it at once).
 */
export function reportRollups(): Consumer {
  return {
    name: 'report-rollups',
    from: 'start',
    async handle(tx, events) {
      const ids = new Set<number>()
      for (const e of events) if (e.conversationId !== null && COUNTED.has(e.type)) ids.add(e.conversationId)
      await refreshConversations(tx, [...ids])
    },
  }
}
