import type { Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { DomainContext } from '../context.ts'
import { loadSettings, type Settings } from '../settings/settings.ts'
import { newMessageId } from '../../mail/outbound/outbox.ts'
import { threadSubject } from '../../mail/outbound/conversationEmails.ts'
import { renderMail } from '../../mail/outbound/templates.ts'
import { replyAddressFor } from '../../mail/replyAddress.ts'
import { answerUrl, statusPageUrl } from '../../mail/customerLinks.ts'

const DAY_MS = 24 * 60 * 60 * 1000

// A batch of a few hundred rows on a busy database can take longer than Prisma's 5 s default.
const LONG_TRANSACTION = { maxWait: 10_000, timeout: 120_000 }

export interface SweepResult {
  reminded: number
  closed: number
}

interface DueRow {
  id: number
  number: number
  subject: string
  folderId: number
  email: string
  name: string
  undeliverable: boolean
  folderAddress: string | null
  lastAgentMessageId: string | null
}

/** When a pending conversation gets its reminder: that many days before it would close. */
export function reminderOffsetDays(s: Settings): number | null {
  if (s.pendingCloseDays <= 0 || s.reminderBeforeCloseDays <= 0) return null
  return Math.max(0, s.pendingCloseDays - s.reminderBeforeCloseDays)
}

/**
 * The scheduled job of SPEC §2, as of `now`: reminds customers silent for
 * pendingCloseDays − reminderBeforeCloseDays, and closes what stayed silent pendingCloseDays and
 * at least reminderBeforeCloseDays after its reminder (so after downtime the customer still gets
 * the full warning). Works in bounded batches until nothing is due. Each batch claims its rows
 * with FOR UPDATE SKIP LOCKED (materialised, so the planner cannot re-run it past the batch size)
 * and a condition that the claim itself falsifies, so overlapping
 * sweeps on several instances never remind or close anything twice.
 */
export async function runLifecycleSweep(ctx: DomainContext, options: { batchSize?: number; onProgress?: (r: SweepResult) => void } = {}): Promise<SweepResult> {
  const settings = await loadSettings(ctx.prisma)
  const batchSize = options.batchSize ?? 500
  const result: SweepResult = { reminded: 0, closed: 0 }
  const offset = reminderOffsetDays(settings)
  if (offset !== null) {
    for (;;) {
      const n = await remindBatch(ctx, settings, offset, batchSize)
      result.reminded += n
      options.onProgress?.(result)
      if (n < batchSize) break
    }
  }
  if (settings.pendingCloseDays > 0) {
    for (;;) {
      const n = await closeBatch(ctx, settings, batchSize)
      result.closed += n
      options.onProgress?.(result)
      if (n < batchSize) break
    }
  }
  return result
}

/** Customer, folder address and the last agent e-mail of each claimed conversation, in one query. */
async function describe(tx: Tx, ids: number[]): Promise<DueRow[]> {
  if (ids.length === 0) return []
  return tx.$queryRaw<DueRow[]>`
    SELECT c.id, c.number, c.subject, c."folderId", cu.email, cu.name, cu."undeliverableAt" IS NOT NULL AS undeliverable, f."inboundAddress" AS "folderAddress",
           (SELECT m."emailMessageId" FROM messages m WHERE m."conversationId" = c.id AND m.kind = 'agent' AND m."emailMessageId" IS NOT NULL
            ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1) AS "lastAgentMessageId"
    FROM conversations c JOIN customers cu ON cu.id = c."customerId" JOIN folders f ON f.id = c."folderId"
    WHERE c.id IN (${P.join(ids)})`
}

function mailHeaders(ctx: DomainContext, row: DueRow) {
  return {
    'Auto-Submitted': 'auto-generated',
    'Reply-To': replyAddressFor(row.folderAddress || ctx.mail.supportAddress, ctx.mail.secret, row.id),
    ...(row.lastAgentMessageId ? { 'In-Reply-To': row.lastAgentMessageId, References: row.lastAgentMessageId } : {}),
  }
}

async function remindBatch(ctx: DomainContext, settings: Settings, offsetDays: number, batchSize: number): Promise<number> {
  const claimed = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const cutoff = new Date(now.getTime() - offsetDays * DAY_MS)
    const ids = await tx.$queryRaw<{ id: number }[]>`
      WITH due AS MATERIALIZED (
        SELECT id FROM conversations
        WHERE status = 'pending' AND "reminderSentAt" IS NULL AND "pendingSince" <= ${cutoff}
        ORDER BY "pendingSince", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      UPDATE conversations c SET "reminderSentAt" = ${now}
      FROM due
      WHERE c.id = due.id AND c.status = 'pending' AND c."reminderSentAt" IS NULL
      RETURNING c.id`
    const rows = await describe(tx, ids.map((r) => r.id))
    const emails = []
    for (const row of rows) {
      if (row.undeliverable) continue
      const content = await renderMail('reminder', {
        name: row.name,
        text: settings.reminderText.replaceAll('{days}', String(settings.reminderBeforeCloseDays)),
        solvedUrl: answerUrl(ctx.mail, row.id, 'solved'),
        notSolvedUrl: answerUrl(ctx.mail, row.id, 'not-solved'),
        statusUrl: statusPageUrl(ctx.mail, row.id),
        number: row.number,
      })
      emails.push({
        kind: 'reminder' as const,
        messageId: newMessageId(ctx.mail.mailDomain),
        conversationId: row.id,
        toAddress: row.email,
        subject: `Is your problem solved? ${threadSubject(row, true)}`.slice(0, 500),
        headers: mailHeaders(ctx, row),
        createdAt: now,
        nextAttemptAt: now,
        ...content,
      })
    }
    if (emails.length) await tx.outboxEmail.createMany({ data: emails })
    if (rows.length) {
      await tx.historyEvent.createMany({
        data: rows.map((r) => ({ conversationId: r.id, actorKind: 'system' as const, type: 'reminder_sent', data: r.undeliverable ? { skipped: 'the address is undeliverable' } : {}, createdAt: now })),
      })
    }
    return rows
  }, LONG_TRANSACTION)
  return claimed.length
}

async function closeBatch(ctx: DomainContext, settings: Settings, batchSize: number): Promise<number> {
  const closed = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const closeCutoff = new Date(now.getTime() - settings.pendingCloseDays * DAY_MS)
    const remindersOn = reminderOffsetDays(settings) !== null
    const reminderCutoff = new Date(now.getTime() - settings.reminderBeforeCloseDays * DAY_MS)
    const reminded = remindersOn ? P.sql`"reminderSentAt" IS NOT NULL AND "reminderSentAt" <= ${reminderCutoff}` : P.sql`TRUE`
    const ids = await tx.$queryRaw<{ id: number; folderId: number }[]>`
      WITH due AS MATERIALIZED (
        SELECT id FROM conversations
        WHERE status = 'pending' AND "pendingSince" <= ${closeCutoff} AND ${reminded}
        ORDER BY "pendingSince", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      UPDATE conversations c
      SET status = 'closed', "closedAt" = ${now}, "closedByKind" = 'system', "closedById" = NULL, "pendingSince" = NULL, "reminderSentAt" = NULL
      FROM due
      WHERE c.id = due.id AND c.status = 'pending'
      RETURNING c.id, c."folderId"`
    if (ids.length === 0) return ids
    await tx.historyEvent.createMany({
      data: ids.flatMap((r) => [
        { conversationId: r.id, actorKind: 'system' as const, type: 'auto_closed', data: { afterDays: settings.pendingCloseDays }, createdAt: now },
        { conversationId: r.id, actorKind: 'system' as const, type: 'status_changed', data: { from: 'pending', to: 'closed' }, createdAt: now },
      ]),
    })
    if (settings.closingEmailEnabled) {
      const rows = await describe(tx, ids.map((r) => r.id))
      const emails = []
      for (const row of rows.filter((r) => !r.undeliverable)) {
        const content = await renderMail('closing', { name: row.name, text: settings.closingText, statusUrl: statusPageUrl(ctx.mail, row.id), number: row.number })
        emails.push({
          kind: 'closing' as const,
          messageId: newMessageId(ctx.mail.mailDomain),
          conversationId: row.id,
          toAddress: row.email,
          subject: `Closed: ${threadSubject(row, true)}`.slice(0, 500),
          headers: mailHeaders(ctx, row),
          createdAt: now,
          nextAttemptAt: now,
          ...content,
        })
      }
      if (emails.length) await tx.outboxEmail.createMany({ data: emails })
    }
    return ids
  }, LONG_TRANSACTION)
  for (const c of closed) ctx.events.publish({ type: 'conversation.updated', conversationId: c.id, folderId: c.folderId })
  return closed.length
}
