import type { Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { DomainContext } from '../context.ts'
import { loadSettings, type Settings } from '../settings/settings.ts'
import { composeClosingNotes, composeReminders, type EmailBatch, type SweptConversation } from '../../mail/outbound/conversationEmails.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Conversations per transaction. A batch writes its e-mails and history with one statement, so a
 * bigger batch costs fewer round trips; 1,000 keeps a transaction well under a second and what a
 * batch hands the driver (~0.5 MB of e-mail values) small.
 */
export const DEFAULT_BATCH_SIZE = 1_000

// A batch on a busy database can take longer than Prisma's 5 s default.
const LONG_TRANSACTION = { maxWait: 10_000, timeout: 120_000 }

export interface SweepResult {
  reminded: number
  closed: number
}

interface DueRow extends SweptConversation {
  folderId: number
  undeliverable: boolean
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
 *
 * A batch is one transaction of two statements: the claim, which returns what the e-mails need,
 * and one INSERT of its outbox e-mails and history events. Nothing is kept from one batch to the
 * next but the counts.
 */
export async function runLifecycleSweep(ctx: DomainContext, options: { batchSize?: number; onProgress?: (r: SweepResult) => void } = {}): Promise<SweepResult> {
  const settings = await loadSettings(ctx.prisma)
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
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

/**
 * The claimed conversations (the UPDATE … RETURNING in `claimed`) with their customer, folder
 * address and last agent e-mail, in one statement with the claim.
 */
function describeClaimed(claim: P.Sql): P.Sql {
  return P.sql`
    WITH claimed AS (${claim})
    SELECT c.id, c.number, c.subject, c."folderId", cu.email, cu.name, cu."undeliverableAt" IS NOT NULL AS undeliverable, f."inboundAddress" AS "folderAddress",
           (SELECT m."emailMessageId" FROM messages m WHERE m."conversationId" = c.id AND m.kind = 'agent' AND m."emailMessageId" IS NOT NULL
            ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1) AS "lastAgentMessageId"
    FROM claimed c JOIN customers cu ON cu.id = c."customerId" JOIN folders f ON f.id = c."folderId"
    ORDER BY c.id`
}

interface HistoryRows {
  conversationIds: number[]
  types: string[]
  /** JSON text of each event's data. */
  data: string[]
}

/**
 * The batch's e-mails and history events in one statement, instead of an ORM createMany per
 * table. History events keep the order given (ids follow it).
 *
 * The e-mails travel as their template's fixed parts (once) and, per e-mail, one JSON record of
 * its own values; PostgreSQL's format() puts them together. A batch thus hands the driver a few
 * hundred bytes per e-mail in one string instead of its whole HTML and text in a dozen arrays:
 * those bytes and their copies in the driver are most of what a batch allocates.
 */
async function writeBatch(tx: Tx, now: Date, kind: 'reminder' | 'closing', batch: EmailBatch | null, history: HistoryRows): Promise<void> {
  const historyInsert = P.sql`
    INSERT INTO history_events ("conversationId", "actorKind", type, data, "createdAt")
    SELECT h."conversationId", 'system'::"ActorKind", h.type, h.data::jsonb, ${now}::timestamptz
    FROM unnest(${history.conversationIds}::int[], ${history.types}::text[], ${history.data}::text[]) WITH ORDINALITY AS h("conversationId", type, data, n)
    ORDER BY h.n`
  if (!batch?.emails.length) {
    await tx.$executeRaw(historyInsert)
    return
  }
  const records = JSON.stringify(
    batch.emails.map((e) => ({
      messageId: e.messageId,
      conversationId: e.conversationId,
      toAddress: e.toAddress,
      subject: wellFormed(e.subject),
      headers: e.headers,
      // format() takes shape n from a 1-based array; null: the e-mail was rendered whole.
      shape: e.shape === null ? null : e.shape + 1,
      wholeHtml: e.whole?.html ?? null,
      wholeText: e.whole?.text ?? null,
      // The values as the text part prints them, and as the HTML part does when any differs.
      t: e.textValues,
      h: e.htmlValues.some((v, i) => v !== e.textValues[i]) ? e.htmlValues : null,
    })),
  )
  const htmlFormats = batch.shapes.map((s) => formatString(s.html))
  const textFormats = batch.shapes.map((s) => formatString(s.text))
  // Outbox rows take the database's real time (the columns' defaults), not `now`, as enqueueEmail's
  // do: mail queued by a sweep run as of a simulated later moment (`jobs:lifecycle --now`) is due
  // for the worker at once, and the hourly loop limit sees it as written now.
  await tx.$executeRaw`
    WITH queued AS (
      INSERT INTO outbox_emails (kind, "messageId", "conversationId", "toAddress", subject, html, text, headers)
      SELECT ${kind}::"OutboxKind", e."messageId", e."conversationId", e."toAddress", e.subject,
             coalesce(e."wholeHtml", format((${htmlFormats}::text[])[e.shape], VARIADIC coalesce(e.h, e.t))),
             coalesce(e."wholeText", format((${textFormats}::text[])[e.shape], VARIADIC e.t)),
             e.headers
      FROM ROWS FROM (json_to_recordset(${records}::json)
             AS ("messageId" text, "conversationId" int, "toAddress" text, subject text, headers jsonb, shape int, "wholeHtml" text, "wholeText" text, t text[], h text[]))
           WITH ORDINALITY AS e("messageId", "conversationId", "toAddress", subject, headers, shape, "wholeHtml", "wholeText", t, h, n)
      ORDER BY e.n
      RETURNING 1)
    ${historyInsert}`
}

/** Template pieces as a format() string: %n$s for value n, a literal % doubled. */
function formatString(pieces: readonly (string | number)[]): string {
  return pieces.map((p) => (typeof p === 'number' ? `%${p + 1}$s` : p.replaceAll('%', '%%'))).join('')
}

/**
 * Half a surrogate pair (a subject cut at 500 UTF-16 units can end in one) as U+FFFD: JSON cannot
 * carry it to PostgreSQL, and U+FFFD is what a text parameter would have been stored as. Every
 * other string of a record comes from the database or is ASCII, so it is well-formed already.
 */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

const EMPTY_DATA = '{}'
const UNDELIVERABLE_DATA = JSON.stringify({ skipped: 'the address is undeliverable' })

async function remindBatch(ctx: DomainContext, settings: Settings, offsetDays: number, batchSize: number): Promise<number> {
  return ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const cutoff = new Date(now.getTime() - offsetDays * DAY_MS)
    const rows = await tx.$queryRaw<DueRow[]>(
      describeClaimed(P.sql`
        WITH due AS MATERIALIZED (
          SELECT id FROM conversations
          WHERE status = 'pending' AND "reminderSentAt" IS NULL AND "pendingSince" <= ${cutoff}
          ORDER BY "pendingSince", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
        UPDATE conversations c SET "reminderSentAt" = ${now}
        FROM due
        WHERE c.id = due.id AND c.status = 'pending' AND c."reminderSentAt" IS NULL
        RETURNING c.id, c.number, c.subject, c."folderId", c."customerId"`),
    )
    if (rows.length === 0) return 0
    const text = settings.reminderText.replaceAll('{days}', String(settings.reminderBeforeCloseDays))
    const reminders = await composeReminders(ctx.mail, text, rows.filter((r) => !r.undeliverable))
    await writeBatch(tx, now, 'reminder', reminders, {
      conversationIds: rows.map((r) => r.id),
      types: rows.map(() => 'reminder_sent'),
      data: rows.map((r) => (r.undeliverable ? UNDELIVERABLE_DATA : EMPTY_DATA)),
    })
    return rows.length
  }, LONG_TRANSACTION)
}

async function closeBatch(ctx: DomainContext, settings: Settings, batchSize: number): Promise<number> {
  const closed = await ctx.prisma.$transaction(async (tx) => {
    const now = ctx.clock()
    const closeCutoff = new Date(now.getTime() - settings.pendingCloseDays * DAY_MS)
    const remindersOn = reminderOffsetDays(settings) !== null
    const reminderCutoff = new Date(now.getTime() - settings.reminderBeforeCloseDays * DAY_MS)
    const reminded = remindersOn ? P.sql`"reminderSentAt" IS NOT NULL AND "reminderSentAt" <= ${reminderCutoff}` : P.sql`TRUE`
    const claim = P.sql`
      WITH due AS MATERIALIZED (
        SELECT id FROM conversations
        WHERE status = 'pending' AND "pendingSince" <= ${closeCutoff} AND ${reminded}
        ORDER BY "pendingSince", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
      UPDATE conversations c
      SET status = 'closed', "closedAt" = ${now}, "closedByKind" = 'system', "closedById" = NULL, "pendingSince" = NULL, "reminderSentAt" = NULL
      FROM due
      WHERE c.id = due.id AND c.status = 'pending'
      RETURNING c.id, c.number, c.subject, c."folderId", c."customerId"`
    // Without a closing e-mail only the ids matter.
    const rows = settings.closingEmailEnabled ? await tx.$queryRaw<DueRow[]>(describeClaimed(claim)) : await tx.$queryRaw<{ id: number; folderId: number }[]>(claim)
    if (rows.length === 0) return rows
    const deliverable = settings.closingEmailEnabled ? (rows as DueRow[]).filter((r) => !r.undeliverable) : []
    const notes = deliverable.length ? await composeClosingNotes(ctx.mail, settings.closingText, deliverable) : null
    const autoClosed = JSON.stringify({ afterDays: settings.pendingCloseDays })
    const statusChanged = JSON.stringify({ from: 'pending', to: 'closed' })
    await writeBatch(tx, now, 'closing', notes, {
      conversationIds: rows.flatMap((r) => [r.id, r.id]),
      types: rows.flatMap(() => ['auto_closed', 'status_changed']),
      data: rows.flatMap(() => [autoClosed, statusChanged]),
    })
    return rows.map((r) => ({ id: r.id, folderId: r.folderId }))
  }, LONG_TRANSACTION)
  for (const c of closed) ctx.events.publish({ type: 'conversation.updated', conversationId: c.id, folderId: c.folderId })
  return closed.length
}
