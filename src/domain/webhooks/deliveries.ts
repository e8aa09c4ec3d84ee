import type { WebhookAttempt, WebhookDelivery } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { transaction } from '../transaction.ts'
import { endpointIdOf } from './endpoints.ts'
import { announceWebhookDeliveries } from './signal.ts'

// The delivery log of an endpoint: each event sent (or to send) there, its attempts, and the
// administrator's "send again".

export const DELIVERY_PAGE_SIZE = 50
const NO_DELIVERY = 'error.webhookDeliveryNotFound'

const deliveryIdOf = (value: unknown): bigint => {
  const text = String(value ?? '')
  if (!/^[1-9]\d{0,18}$/.test(text)) throw new NotFoundError(NO_DELIVERY)
  return BigInt(text)
}

export interface DeliveryRow extends Omit<WebhookDelivery, 'payload'> {
  /** The last attempt's time and duration, null before the first. */
  lastAttemptAt: Date | null
  lastDurationMs: number | null
}

export interface DeliveryPage {
  deliveries: DeliveryRow[]
  /** Where the next (older) page starts; null on the last page. */
  olderBefore: bigint | null
}

/** An endpoint's deliveries, newest first, one keyset page before the delivery `before`. */
export async function listWebhookDeliveries(ctx: QueryContext, admin: Actor, input: { endpointId: unknown; before?: unknown }): Promise<DeliveryPage> {
  authorize(admin, 'administer', INSTANCE)
  const endpointId = endpointIdOf(input)
  const before = input.before === undefined || input.before === '' ? null : deliveryIdOf(input.before)
  const rows = await ctx.prisma.$queryRaw<DeliveryRow[]>`
    SELECT d.id, d."endpointId", d."messageId", d."eventPosition", d."eventType", d."conversationId", d.status::text AS status, d.attempts,
           d."nextAttemptAt", d."lockedUntil", d."lastStatusCode", d."lastError", d."deliveredAt", d."createdAt",
           a.at AS "lastAttemptAt", a."durationMs" AS "lastDurationMs"
    FROM webhook_deliveries d
    LEFT JOIN LATERAL (SELECT x.at, x."durationMs" FROM webhook_attempts x WHERE x."deliveryId" = d.id ORDER BY x.at DESC, x.id DESC LIMIT 1) a ON true
    WHERE d."endpointId" = ${endpointId} AND (${before}::bigint IS NULL OR d.id < ${before}::bigint)
    ORDER BY d.id DESC
    LIMIT ${DELIVERY_PAGE_SIZE + 1}`
  const page = rows.slice(0, DELIVERY_PAGE_SIZE)
  return { deliveries: page, olderBefore: rows.length > DELIVERY_PAGE_SIZE ? page.at(-1)!.id : null }
}

/** One delivery of an endpoint with its payload and every attempt, newest first. */
export async function getWebhookDelivery(
  ctx: QueryContext,
  admin: Actor,
  input: { endpointId: unknown; deliveryId: unknown },
): Promise<WebhookDelivery & { log: WebhookAttempt[] }> {
  authorize(admin, 'administer', INSTANCE)
  const delivery = await ctx.prisma.webhookDelivery.findFirst({
    where: { id: deliveryIdOf(input.deliveryId), endpointId: endpointIdOf(input) },
    include: { log: { orderBy: [{ at: 'desc' }, { id: 'desc' }] } },
  })
  if (!delivery) throw new NotFoundError(NO_DELIVERY)
  return delivery
}

/**
 * Sends a delivery again (delivered, failed or waiting): at once, with a fresh day of retries,
 * under the same webhook-id so that a receiver can tell it already had it.
 */
export async function redeliverWebhook(ctx: DomainContext, admin: Actor, input: { endpointId: unknown; deliveryId: unknown }): Promise<WebhookDelivery> {
  authorize(admin, 'administer', INSTANCE)
  const endpointId = endpointIdOf(input)
  const id = deliveryIdOf(input.deliveryId)
  const delivery = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const found = await tx.webhookDelivery.updateMany({
      where: { id, endpointId },
      data: { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null, lastError: null },
    })
    if (found.count !== 1) throw new NotFoundError(NO_DELIVERY)
    const delivery = await tx.webhookDelivery.findUniqueOrThrow({ where: { id } })
    await recordAdminEvent(tx, {
      type: 'webhook.redelivered',
      agentId: admin.id,
      at: now,
      target: { type: 'webhook', id: endpointId },
      data: { messageId: delivery.messageId, eventType: delivery.eventType },
    })
    return delivery
  })
  announceWebhookDeliveries()
  return delivery
}
