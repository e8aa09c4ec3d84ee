import type { Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import { SYSTEM } from '../actor.ts'
import type { DomainContext } from '../context.ts'
import { statusAssignments, transition, type Transition } from '../conversations/lifecycle.ts'
import { recordEvents } from '../events/record.ts'
import type { EventData, NewEvent } from '../events/types.ts'
import { closingTextFor, loadSettings, reminderTextFor, type Settings } from '../settings/settings.ts'
import { transaction } from '../transaction.ts'
import { SNOOZE_CLEARED_SQL } from '../conversations/snooze.ts'
import { composeClosingNotes, composeReminders, joinBatches, type EmailBatch, type SweptConversation } from '../../mail/outbound/conversationEmails.ts'
import { conversationLanguage, type MailLanguage } from '../../mail/outbound/language.ts'
import { AUTOMATIC_KINDS, AUTOMATIC_PER_ADDRESS_PER_HOUR } from '../../mail/outbound/outbox.ts'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Conversations per transaction. A batch writes its e-mails with one statement and its events
 * with another, so a bigger batch costs fewer round trips; 1,000 keeps a transaction well under a second and what a
 * batch hands the driver (~0.5 MB of e-mail values) small.
 */
export const DEFAULT_BATCH_SIZE = 1_000

// A batch on a busy database can take longer than Prisma's 5 s default.
const LONG_TRANSACTION = { maxWait: 10_000, timeout: 120_000 }

export interface SweepResult {
  reminded: number
  closed: number
}

/**
 * The sweep's rows of the transition table. It claims only pending conversations, so one
 * transition holds for a whole batch and one UPDATE writes it (statusAssignments).
 */
export const SWEEP_TRANSITIONS = {
  remind: transition('pending', 'reminderSent'),
  close: transition('pending', 'systemClose'),
} as const satisfies Record<string, Transition>

interface DueRow extends SweptConversation {
  folderId: number
  /** The conversation's language (its customer's, else its folder's) and its folder's time zone. */
  locale: string
  timeZone: string
  undeliverable: boolean
  /** Its address already had its share of automatic e-mail this hour (loop protection). */
  overLimit: boolean
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
 * A batch is one transaction of three statements: the claim, which writes the transition's
 * columns and returns what the e-mails need, one INSERT of its outbox e-mails and one of its
 * events. Nothing is kept from one batch to the next but the counts.
 *
 * Only the system runs it (the scheduler, an operator's tool): every change is recorded as its own.
 */
export async function runLifecycleSweep(
  ctx: DomainContext,
  _system: typeof SYSTEM,
  options: { batchSize?: number; onProgress?: (r: SweepResult) => void } = {},
): Promise<SweepResult> {
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
 * address, language and last agent e-mail, in one statement with the claim.
 *
 * `overLimit` is the hourly limit on automatic e-mail per address (enqueueAutomaticEmail's, over
 * the same rows and the same real time) for the whole batch at once: the e-mails the address had
 * in the last hour, plus this one's rank among the batch's e-mails to it.
 */
function describeClaimed(claim: P.Sql): P.Sql {
  return P.sql`
    WITH claimed AS (${claim}),
    described AS (
      SELECT c.id, c.number, c.subject, c."folderId", cu.email, cu.name, cu."undeliverableAt" IS NOT NULL AS undeliverable, f."inboundAddress" AS "folderAddress",
             f."ratingsEnabled" AS "ratingsEnabled", COALESCE(cu.locale, f.locale) AS locale, f."timeZone" AS "timeZone",
             (SELECT m."emailMessageId" FROM messages m WHERE m."conversationId" = c.id AND m.kind = 'agent' AND m."emailMessageId" IS NOT NULL
              ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1) AS "lastAgentMessageId"
      FROM claimed c JOIN customers cu ON cu.id = c."customerId" JOIN folders f ON f.id = c."folderId"),
    -- One index range per address: a join would read every e-mail of the last hour (a sweep
    -- queues thousands, and the planner's statistics do not know it yet).
    -- Materialized: once per address. The planner takes the claimed rows for one and would
    -- otherwise count an address's e-mails again for every conversation of the batch.
    recent AS MATERIALIZED (
      SELECT a.email, (SELECT count(*) FROM outbox_emails o
                       WHERE o."toAddress" = a.email AND o."createdAt" > now() - interval '1 hour'
                         AND o.kind::text IN (${P.join(AUTOMATIC_KINDS)}))::int AS n
      FROM (SELECT DISTINCT email FROM described WHERE NOT undeliverable) a)
    SELECT d.*, NOT d.undeliverable AND coalesce(r.n, 0) + row_number() OVER (PARTITION BY d.email ORDER BY d.id) > ${AUTOMATIC_PER_ADDRESS_PER_HOUR} AS "overLimit"
    FROM described d LEFT JOIN recent r ON r.email = d.email
    ORDER BY d.id`
}

const UNDELIVERABLE = 'the address is undeliverable'
const OVER_LIMIT = `the address had ${AUTOMATIC_PER_ADDRESS_PER_HOUR} automatic e-mails in the last hour`

/** Why a batch's e-mail to a conversation is not queued, for its event; null: it is queued. */
function skipped(row: Pick<DueRow, 'undeliverable' | 'overLimit'>): string | null {
  return row.undeliverable ? UNDELIVERABLE : row.overLimit ? OVER_LIMIT : null
}

/**
 * The batch's outbox e-mails in one statement, instead of an ORM createMany.
 *
 * The e-mails travel as their template's fixed parts (once) and, per e-mail, one JSON record of
 * its own values; PostgreSQL's format() puts them together. A batch thus hands the driver a few
 * hundred bytes per e-mail in one string instead of its whole HTML and text in a dozen arrays:
 * those bytes and their copies in the driver are most of what a batch allocates.
 */
async function queueEmails(tx: Tx, kind: 'reminder' | 'closing', batch: EmailBatch | null): Promise<void> {
  if (!batch?.emails.length) return
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
    INSERT INTO outbox_emails (kind, "messageId", "conversationId", "toAddress", subject, html, text, headers)
    SELECT ${kind}::"OutboxKind", e."messageId", e."conversationId", e."toAddress", e.subject,
           coalesce(e."wholeHtml", format((${htmlFormats}::text[])[e.shape], VARIADIC coalesce(e.h, e.t))),
           coalesce(e."wholeText", format((${textFormats}::text[])[e.shape], VARIADIC e.t)),
           e.headers
    FROM ROWS FROM (json_to_recordset(${records}::json)
           AS ("messageId" text, "conversationId" int, "toAddress" text, subject text, headers jsonb, shape int, "wholeHtml" text, "wholeText" text, t text[], h text[]))
         WITH ORDINALITY AS e("messageId", "conversationId", "toAddress", subject, headers, shape, "wholeHtml", "wholeText", t, h, n)
    ORDER BY e.n`
}

/**
 * The e-mails of a batch, each in its conversation's language: composed once per language and
 * zone (in practice one or two), in the batch's order.
 */
async function composeInLanguages(
  rows: readonly DueRow[],
  compose: (language: MailLanguage, rows: DueRow[]) => Promise<EmailBatch>,
): Promise<EmailBatch | null> {
  if (!rows.length) return null
  const groups = new Map<string, { language: MailLanguage; rows: DueRow[] }>()
  for (const row of rows) {
    const language = conversationLanguage({ customer: { locale: null }, folder: { locale: row.locale, timeZone: row.timeZone } })
    const id = `${language.locale}\u0000${language.timeZone}`
    const group = groups.get(id) ?? groups.set(id, { language, rows: [] }).get(id)!
    group.rows.push(row)
  }
  const parts: EmailBatch[] = []
  for (const { language, rows: own } of groups.values()) parts.push(await compose(language, own))
  return joinBatches(
    parts,
    rows.map((r) => r.id),
  )
}

/** A System event of a swept conversation, at the batch's time. */
function systemEvent(type: NewEvent['type'], now: Date, row: { id: number; folderId: number }, data: EventData): NewEvent {
  return { type, actor: SYSTEM, at: now, conversation: { id: row.id, folderId: row.folderId }, data }
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

async function remindBatch(ctx: DomainContext, settings: Settings, offsetDays: number, batchSize: number): Promise<number> {
  const t = SWEEP_TRANSITIONS.remind
  return transaction(
    ctx,
    async (tx) => {
      const now = ctx.clock()
      const cutoff = new Date(now.getTime() - offsetDays * DAY_MS)
      const rows = await tx.$queryRaw<DueRow[]>(
        describeClaimed(P.sql`
          WITH due AS MATERIALIZED (
            SELECT id FROM conversations
            WHERE status = 'pending' AND "reminderSentAt" IS NULL AND "pendingSince" <= ${cutoff}
            ORDER BY "pendingSince", id LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
          UPDATE conversations c SET ${statusAssignments(t, now, SYSTEM)}
          FROM due
          WHERE c.id = due.id AND c.status = 'pending' AND c."reminderSentAt" IS NULL
          RETURNING c.id, c.number, c.subject, c."folderId", c."customerId"`),
      )
      if (rows.length === 0) return 0
      const queued = rows.filter((r) => skipped(r) === null)
      await queueEmails(
        tx,
        'reminder',
        await composeInLanguages(queued, (language, own) => composeReminders(ctx.mail, reminderTextFor(settings, language.locale), own, language)),
      )
      await recordEvents(
        ctx,
        tx,
        rows.map((r) => {
          const reason = skipped(r)
          return systemEvent('reminder.sent', now, r, reason === null ? {} : { skipped: reason })
        }),
      )
      return rows.length
    },
    LONG_TRANSACTION,
  )
}

async function closeBatch(ctx: DomainContext, settings: Settings, batchSize: number): Promise<number> {
  const t = SWEEP_TRANSITIONS.close
  return transaction(
    ctx,
    async (tx) => {
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
        UPDATE conversations c SET ${statusAssignments(t, now, SYSTEM)}, ${SNOOZE_CLEARED_SQL}
        FROM due
        WHERE c.id = due.id AND c.status = 'pending'
        RETURNING c.id, c.number, c.subject, c."folderId", c."customerId"`
      // Without a closing e-mail only the ids matter.
      const rows: (Pick<DueRow, 'id' | 'folderId'> & Partial<DueRow>)[] = settings.closingEmailEnabled
        ? await tx.$queryRaw<DueRow[]>(describeClaimed(claim))
        : await tx.$queryRaw<{ id: number; folderId: number }[]>(claim)
      if (rows.length === 0) return 0
      const queued = settings.closingEmailEnabled ? (rows as DueRow[]).filter((r) => skipped(r) === null) : []
      await queueEmails(
        tx,
        'closing',
        await composeInLanguages(queued, (language, own) => composeClosingNotes(ctx.mail, closingTextFor(settings, language.locale), own, language)),
      )
      await recordEvents(
        ctx,
        tx,
        rows.flatMap((r) => {
          // A closing note held back by the limit is noted; one to an undeliverable address is not (the customer shows it).
          const closed = systemEvent('conversation.auto_closed', now, r, {
            afterDays: settings.pendingCloseDays,
            ...(r.overLimit ? { skipped: OVER_LIMIT } : {}),
          })
          return t.changed ? [closed, systemEvent('status.changed', now, r, { from: t.from, to: t.to })] : [closed]
        }),
      )
      return rows.length
    },
    LONG_TRANSACTION,
  )
}
