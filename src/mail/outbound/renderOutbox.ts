import { z } from 'zod'
import type { Prisma, Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import { renderAgentNotification, renderAgentReply, type RenderedEmail } from './conversationEmails.ts'
import { OUTBOX_TEMPLATES, renderMail, type MailTemplate } from './templates.ts'
import { renderForward } from './forwardEmail.ts'

/** Rows rendered per transaction: each holds its rows' locks while it renders them. */
const BATCH = 10
/** Rendering a batch of long replies takes a while; the locks are the outbox rows' only. */
const BATCH_TIMEOUT_MS = 60_000

interface UnrenderedRow {
  id: number
  messageId: string
  template: string
  params: unknown
}

const simple =
  <S extends z.ZodType<Record<string, unknown>>>(name: MailTemplate, schema: S) =>
  (_tx: Tx, row: { params: unknown }): Promise<RenderedEmail> =>
    renderMail(name, schema.parse(row.params))

/**
 * The language an e-mail is written in and the zone of its dates, fixed when it was queued (the
 * recipient's: the conversation's for a customer, the agent's own); rows written before e-mails
 * had one are English.
 */
const language = { locale: z.string().default('en'), timeZone: z.string().default('UTC') }

/** How each template is rendered from its row: its parameters, and what it reads (never-changing rows). */
const RENDERERS: Record<MailTemplate, (tx: Tx, row: UnrenderedRow) => Promise<RenderedEmail>> = {
  'agent-reply': renderAgentReply,
  'agent-notification': renderAgentNotification,
  forward: renderForward,
  confirmation: simple('confirmation', z.object({ text: z.string(), number: z.number(), statusUrl: z.string(), ...language })),
  invitation: simple('invitation', z.object({ name: z.string(), inviter: z.string(), link: z.string(), days: z.number(), ...language })),
  'password-reset': simple('password-reset', z.object({ name: z.string(), link: z.string(), minutes: z.number(), ...language })),
}

export interface RenderResult {
  rendered: number
  /** Rows that cannot be rendered (a missing message, bad parameters): marked failed, for an admin to see. */
  failed: number
}

/**
 * Renders the outbox rows written as a template and its parameters: stores their HTML and text and
 * clears the template, which makes them deliverable. Runs after the commit of the change that
 * wrote them (so outside that change's locks) and in the delivery worker before it sends (a
 * crash between the two loses nothing). Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * callers running at once never render the same row twice; up to `limit` rows per call.
 */
export async function renderPendingEmails(prisma: Prisma, options: { limit?: number } = {}): Promise<RenderResult> {
  const limit = options.limit ?? 200
  const result: RenderResult = { rendered: 0, failed: 0 }
  // Most commits wrote no e-mail: one index probe says so without opening a transaction.
  const [pending] = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM outbox_emails WHERE template IS NOT NULL AND status = 'queued' LIMIT 1`
  if (!pending) return result
  while (result.rendered + result.failed < limit) {
    const size = Math.min(BATCH, limit - result.rendered - result.failed)
    const claimed = await prisma.$transaction((tx) => renderBatch(tx, size, result), { timeout: BATCH_TIMEOUT_MS })
    if (claimed < size) break
  }
  return result
}

async function renderBatch(tx: Tx, size: number, result: RenderResult): Promise<number> {
  const rows = await tx.$queryRaw<UnrenderedRow[]>`
    SELECT id, "messageId", template, params FROM outbox_emails
    WHERE template IS NOT NULL AND status = 'queued'
    ORDER BY id
    LIMIT ${size}
    FOR UPDATE SKIP LOCKED`
  for (const row of rows) {
    let content: RenderedEmail
    try {
      const render = (OUTBOX_TEMPLATES as readonly string[]).includes(row.template) ? RENDERERS[row.template as MailTemplate] : null
      if (!render) throw new Error(`unknown template ${row.template}`)
      content = await render(tx, row)
    } catch (err) {
      // A database error has aborted the transaction: this update fails too, and the whole batch
      // is rolled back for a later pass. Anything else is this row's own fault: an admin sees it
      // failed, and "Send again" renders it again.
      const reason = err instanceof z.ZodError ? 'bad template parameters' : err instanceof Error ? err.message : String(err)
      await tx.outboxEmail.update({ where: { id: row.id }, data: { status: 'failed', lastError: `The e-mail could not be written: ${reason}`.slice(0, 500) } })
      result.failed++
      continue
    }
    await tx.outboxEmail.update({
      where: { id: row.id },
      data: {
        html: content.html,
        text: content.text,
        ...(content.attachments ? { attachments: content.attachments as unknown as P.InputJsonValue } : {}),
        template: null,
        params: P.DbNull,
      },
    })
    result.rendered++
  }
  return rows.length
}

/**
 * The after-commit step that renders the outbox's templates: a change that wrote an e-mail as a
 * template asks for it by this name (afterCommitWanted), and only such changes pay for it.
 */
export const RENDER_EMAILS = 'renderEmails'
