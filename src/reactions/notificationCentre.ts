import type { DomainContext } from '../domain/context.ts'
import { channelsFor } from '../domain/notifications/preferences.ts'
import { whoIsTold } from '../domain/notifications/recipients.ts'
import type { Consumer } from './consumer.ts'

/**
 * The notification centre's rows: for each event of the log, one row per agent told of it (the
 * same decision as the e-mails, recipients.ts) who chose the app for that kind. It runs after
 * commit, exactly once across instances (consumer.ts); a row is unique per agent, kind and event,
 * so a batch handled again writes nothing twice. Once committed, the agents' open pages hear of
 * it through the live stream and their bell counts again.
 */
export function notificationCentre(ctx: Pick<DomainContext, 'events'>): Consumer {
  let told = new Set<number>()
  return {
    name: 'notifications',
    // A help desk that starts telling does not tell of its whole past.
    from: 'end',
    async handle(tx, events) {
      told = new Set()
      const rows = []
      for (const e of events) {
        for (const t of await whoIsTold(tx, e)) {
          if (!channelsFor(t.agent.notificationPrefs, t.kind).app) continue
          rows.push({
            agentId: t.agent.id,
            kind: t.kind,
            conversationId: t.conversationId,
            eventPosition: BigInt(e.position),
            actorAgentId: t.by?.id ?? null,
            data: t.messageId === null ? {} : { messageId: t.messageId },
            createdAt: e.createdAt,
          })
        }
      }
      if (!rows.length) return
      // A conversation deleted since (its rows cascade) is not told of.
      const ids = [...new Set(rows.map((r) => r.conversationId))]
      const existing = new Set((await tx.conversation.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((c) => c.id))
      const kept = rows.filter((r) => existing.has(r.conversationId))
      if (!kept.length) return
      await tx.notification.createMany({ data: kept, skipDuplicates: true })
      for (const r of kept) told.add(r.agentId)
    },
    afterCommit() {
      for (const agentId of told) ctx.events.tellAgent({ type: 'notifications.changed', agentId })
      told = new Set()
    },
  }
}
