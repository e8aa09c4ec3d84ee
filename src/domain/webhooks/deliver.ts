import type { Logger } from 'pino'
import type { Tx } from '../../db/database.ts'
import { translate } from '../../i18n/translate.ts'
import { enqueueEmail } from '../../mail/outbound/outbox.ts'
import { agentLanguage } from '../../mail/outbound/language.ts'
import { renderMail } from '../../mail/outbound/templates.ts'
import type { DomainContext } from '../context.ts'
import { recordAdminEvent } from '../events/record.ts'
import { loadSettings } from '../settings/settings.ts'
import { transaction } from '../transaction.ts'
import { TEST_EVENT } from './endpoints.ts'
import { postWebhook, type PostResult } from './post.ts'
import { signedHeaders } from './signing.ts'

/**
 * Back-off after the n-th failed attempt of a round; past the last step it repeats. A round lasts
 * RETRY_WINDOW_MS from its first attempt: the last retry is made at its end, then the delivery
 * has failed. Attempts: at once, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h, and at 24 h.
 */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000] as const
export const RETRY_WINDOW_MS = 24 * 3_600_000
/** Beyond the sending itself, before a claimed delivery is another instance's to retry (a crash mid-send). */
const LEASE_MARGIN_MS = 30_000
export const TIMEOUT_MS = 10_000
const USER_AGENT = 'Suivi-Webhooks/1.0'

/** When to try again after `attempts` failed attempts of a round that began at `firstAt`; null: the round is over. */
export function nextAttemptAt(firstAt: Date, at: Date, attempts: number): Date | null {
  const end = firstAt.getTime() + RETRY_WINDOW_MS
  if (at.getTime() >= end) return null
  const delay = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]
  return new Date(Math.min(at.getTime() + delay, end))
}

interface Claimed {
  id: bigint
  messageId: string
  payload: unknown
  attempts: number
  eventType: string
  endpointId: number
  url: string
  secret: string
  /** The lease this pass holds: the delivery is this pass's while it is unchanged. */
  lockedUntil: Date
}

export interface PassResult {
  delivered: number
  retried: number
  failed: number
}

/**
 * Takes the due deliveries (a lease, so that several instances share the work and a crashed one's
 * are taken over), sends them, and records each attempt. Only the oldest waiting delivery of an
 * endpoint and conversation is ever due: a conversation's events arrive in the order they happened,
 * even when one of them needs retries.
 */
export async function deliverDueWebhooks(
  ctx: DomainContext,
  options: { logger: Logger; batchSize?: number; concurrency?: number; timeoutMs?: number },
): Promise<PassResult> {
  const now = ctx.clock()
  const batch = options.batchSize ?? 20
  const concurrency = options.concurrency ?? 8
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS
  // Long enough for the whole batch, sent `concurrency` at a time, each to its timeout at worst.
  const leaseMs = Math.ceil(batch / concurrency) * timeoutMs + LEASE_MARGIN_MS
  const claimed = await ctx.prisma.$queryRaw<Claimed[]>`
    UPDATE webhook_deliveries d SET "lockedUntil" = ${new Date(now.getTime() + leaseMs)}
    FROM webhook_endpoints e
    WHERE e.id = d."endpointId" AND d.id IN (
      SELECT c.id FROM webhook_deliveries c JOIN webhook_endpoints ce ON ce.id = c."endpointId"
      WHERE c.status = 'pending' AND c."nextAttemptAt" <= ${now} AND (c."lockedUntil" IS NULL OR c."lockedUntil" <= ${now})
        AND (ce.active OR c."eventType" = ${TEST_EVENT})
        AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p."endpointId" = c."endpointId" AND p."conversationId" = c."conversationId" AND p.status = 'pending' AND p.id < c.id)
      ORDER BY c."nextAttemptAt", c.id
      LIMIT ${batch}
      FOR UPDATE OF c SKIP LOCKED)
    RETURNING d.id, d."messageId", d.payload, d.attempts, d."eventType", e.id AS "endpointId", e.url, e.secret, d."lockedUntil"`
  const result: PassResult = { delivered: 0, retried: 0, failed: 0 }
  if (!claimed.length) return result
  const { webhooksAllowPrivateAddresses: allowPrivate } = await loadSettings(ctx.prisma)
  const queue = [...claimed]
  const work = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      try {
        result[await deliverOne(ctx, d, { allowPrivate, timeoutMs })]++
      } catch (err) {
        // Its lease runs out and it is tried again: nothing is lost.
        options.logger.warn({ err, webhookId: d.messageId }, 'recording a webhook attempt failed')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, work))
  return result
}

async function deliverOne(ctx: DomainContext, d: Claimed, options: { allowPrivate: boolean; timeoutMs: number }): Promise<keyof PassResult> {
  const body = JSON.stringify(d.payload)
  const at = ctx.clock()
  const headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...signedHeaders(d.secret, d.messageId, at, body) }
  const answer = await postWebhook(d.url, headers, body, options)
  return recordAttempt(ctx, d, at, headers, answer)
}

const succeeded = (a: PostResult) => a.error === null && a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300

/** The attempt in the log, and what follows: delivered, a retry, or failed (and the endpoint off when nothing got through all day). */
async function recordAttempt(ctx: DomainContext, d: Claimed, at: Date, headers: Record<string, string>, answer: PostResult): Promise<keyof PassResult> {
  const error = answer.error ?? (succeeded(answer) ? null : `HTTP ${answer.statusCode}`)
  return transaction(ctx, async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        deliveryId: d.id,
        at,
        request: { url: d.url, headers },
        statusCode: answer.statusCode,
        responseBody: answer.body.replace(/\u0000/g, ''),
        error: answer.error,
        durationMs: answer.durationMs,
      },
    })
    // Still this pass's? A redelivery asked meanwhile, or a lease that ran out and another worker,
    // has taken it over: the attempt stays in the log, the delivery's course is theirs.
    const [held] = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM webhook_deliveries WHERE id = ${d.id} AND "lockedUntil" = ${d.lockedUntil} FOR UPDATE`
    if (!held) return succeeded(answer) ? 'delivered' : 'retried'
    const attempts = d.attempts + 1
    const common = { attempts, lockedUntil: null, lastStatusCode: answer.statusCode, lastError: error }
    if (succeeded(answer)) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...common, status: 'delivered', deliveredAt: at } })
      return 'delivered'
    }
    // The round's first attempt: the oldest of its `attempts` most recent ones (a redelivery starts a round).
    const [first] = await tx.$queryRaw<{ at: Date }[]>`
      SELECT at FROM webhook_attempts WHERE "deliveryId" = ${d.id} ORDER BY at DESC, id DESC OFFSET ${attempts - 1} LIMIT 1`
    const retryAt = nextAttemptAt(first?.at ?? at, at, attempts)
    if (retryAt) {
      await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...common, nextAttemptAt: retryAt } })
      return 'retried'
    }
    await tx.webhookDelivery.update({ where: { id: d.id }, data: { ...common, status: 'failed' } })
    await disableIfFailing(ctx, tx, d, first?.at ?? at, at)
    return 'failed'
  })
}

/**
 * A delivery that failed for a whole day turns its endpoint off, unless another delivery got
 * through meanwhile (a receiver that refuses one event is not down). Active admins are told by
 * e-mail. Queued deliveries stay and go out, in order, when an admin turns it on again.
 */
async function disableIfFailing(ctx: DomainContext, tx: Tx, d: Claimed, since: Date, now: Date) {
  const [endpoint] = await tx.$queryRaw<{ active: boolean; url: string }[]>`SELECT active, url FROM webhook_endpoints WHERE id = ${d.endpointId} FOR UPDATE`
  if (!endpoint?.active) return
  const gotThrough = await tx.webhookDelivery.count({ where: { endpointId: d.endpointId, status: 'delivered', deliveredAt: { gte: since } } })
  if (gotThrough > 0) return
  await tx.webhookEndpoint.update({ where: { id: d.endpointId }, data: { active: false, disabledAt: now, disabledReason: 'failures' } })
  await recordAdminEvent(tx, {
    type: 'webhook.disabled',
    agentId: null,
    at: now,
    target: { type: 'webhook', id: d.endpointId },
    data: { url: endpoint.url, reason: 'failures', messageId: d.messageId },
  })
  const admins = await tx.agent.findMany({ where: { role: 'admin', active: true }, select: { email: true, name: true, locale: true, timeZone: true } })
  const link = `${ctx.mail.publicUrl}/settings/webhooks/${d.endpointId}`
  for (const admin of admins) {
    const language = agentLanguage(admin)
    const { html, text } = await renderMail('webhook-disabled', { name: admin.name, url: endpoint.url, link, since, ...language })
    await enqueueEmail(tx, ctx.mail.mailDomain, {
      kind: 'notification',
      to: admin.email,
      toName: admin.name,
      subject: translate(language.locale, 'mail.webhookDisabled.subject', { url: endpoint.url }),
      headers: { 'Auto-Submitted': 'auto-generated' },
      html,
      text,
    })
  }
}
