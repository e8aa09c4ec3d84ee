import { z } from 'zod'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import type { Prisma as P, WebhookEndpoint } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, ValidationError, parseInput } from '../errors.ts'
import { recordAdminEvent } from '../events/record.ts'
import { CONVERSATION_EVENTS } from '../events/types.ts'
import { parseId } from '../input.ts'
import { authorize, INSTANCE } from '../policy.ts'
import { loadSettings } from '../settings/settings.ts'
import { transaction } from '../transaction.ts'
import { addressesOf, hostOf } from './addresses.ts'
import { newWebhookSecret } from './signing.ts'

// Webhook endpoints (issue 20): URLs an administrator registers to receive the help desk's
// conversation events, signed with the endpoint's secret. Managed by administrators only; every
// change is in the audit (never the secret).

/** The event an administrator sends from the endpoint's page to try it. */
export const TEST_EVENT = 'webhook.test'

/** The events an endpoint can subscribe to; none chosen means every one. */
export const WEBHOOK_EVENTS: readonly string[] = CONVERSATION_EVENTS

const NO_ENDPOINT = 'error.webhookEndpointNotFound'
export const endpointIdOf = (input: { endpointId: unknown }) => parseId(input.endpointId, NO_ENDPOINT)

const url = z
  .string()
  .trim()
  .min(1, 'validation.webhookUrl')
  .max(2000, schemaMessage('validation.useAtMost', { max: 2000 }))
  .transform((value, issue) => {
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      issue.addIssue({ code: 'custom', message: 'validation.webhookUrl' })
      return z.NEVER
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      issue.addIssue({ code: 'custom', message: 'validation.webhookUrl' })
      return z.NEVER
    }
    // Credentials in a URL would be shown on pages and kept in the delivery log: the signature authenticates.
    if (parsed.username || parsed.password) {
      issue.addIssue({ code: 'custom', message: 'validation.webhookNoCredentials' })
      return z.NEVER
    }
    parsed.hash = ''
    return parsed.toString()
  })

const listOf = (v: unknown) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v])

export const endpointInput = z.object({
  url,
  description: z
    .string()
    .trim()
    .max(200, schemaMessage('validation.useAtMost', { max: 200 }))
    .default(''),
  events: z.preprocess(
    listOf,
    z
      .array(z.string())
      .refine((list) => list.every((e) => WEBHOOK_EVENTS.includes(e)), 'validation.webhookEvent')
      .transform((list) => [...new Set(list)].sort()),
  ),
})

/** An endpoint as a form or a caller gives it; no events chosen means every one. */
export type EndpointInput = { url: string; description?: string; events?: string | string[] }

/**
 * Refuses a URL whose host is (or resolves to) an internal address, unless the setting allows
 * them; a name that does not resolve is refused too (most often a typo).
 */
export async function checkEndpointUrl(db: QueryContext['prisma'], value: string): Promise<void> {
  const target = new URL(value)
  const { webhooksAllowPrivateAddresses } = await loadSettings(db)
  let found: Awaited<ReturnType<typeof addressesOf>>
  try {
    found = await addressesOf(target)
  } catch {
    throw new ValidationError('validation.checkFields', { url: { key: 'validation.webhookHostUnknown', values: { host: hostOf(target) } } })
  }
  const refused = found.find((a) => a.refused)
  if (refused && !webhooksAllowPrivateAddresses)
    throw new ValidationError('validation.checkFields', {
      url: { key: 'validation.webhookAddressRefused', values: { host: hostOf(target), address: refused.address } },
    })
}

/** What the audit keeps of an endpoint: never its secret. */
const auditable = (e: { url: string; description: string; events: string[] }) => ({ url: e.url, description: e.description, events: e.events.join(', ') })

async function lockEndpoint(tx: P.TransactionClient, id: number): Promise<WebhookEndpoint> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM webhook_endpoints WHERE id = ${id} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError(NO_ENDPOINT)
  return tx.webhookEndpoint.findUniqueOrThrow({ where: { id } })
}

export async function createWebhookEndpoint(ctx: DomainContext, admin: Actor, input: EndpointInput): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const data = parseInput(endpointInput, input)
  await checkEndpointUrl(ctx.prisma, data.url)
  return transaction(ctx, async (tx) => {
    const created = await tx.webhookEndpoint.create({ data: { ...data, secret: newWebhookSecret(), createdById: admin.id } })
    await recordAdminEvent(tx, {
      type: 'webhook.created',
      agentId: admin.id,
      at: ctx.clock(),
      target: { type: 'webhook', id: created.id },
      data: auditable(data),
    })
    return created
  })
}

export async function updateWebhookEndpoint(ctx: DomainContext, admin: Actor, input: { endpointId: unknown } & EndpointInput): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const id = endpointIdOf(input)
  const data = parseInput(endpointInput, input)
  await checkEndpointUrl(ctx.prisma, data.url)
  return transaction(ctx, async (tx) => {
    const before = await lockEndpoint(tx, id)
    const [old, next] = [auditable(before), auditable(data)]
    const changes: Record<string, P.InputJsonValue> = {}
    for (const key of Object.keys(next) as (keyof typeof next)[]) if (old[key] !== next[key]) changes[key] = { from: old[key], to: next[key] }
    if (Object.keys(changes).length === 0) return before
    const updated = await tx.webhookEndpoint.update({ where: { id }, data })
    await recordAdminEvent(tx, { type: 'webhook.updated', agentId: admin.id, at: ctx.clock(), target: { type: 'webhook', id }, data: changes })
    return updated
  })
}

/** Deletes an endpoint with its deliveries and their log. */
export async function deleteWebhookEndpoint(ctx: DomainContext, admin: Actor, input: { endpointId: unknown }): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const id = endpointIdOf(input)
  return transaction(ctx, async (tx) => {
    const endpoint = await lockEndpoint(tx, id)
    await tx.webhookEndpoint.delete({ where: { id } })
    await recordAdminEvent(tx, { type: 'webhook.deleted', agentId: admin.id, at: ctx.clock(), target: { type: 'webhook', id }, data: { url: endpoint.url } })
    return endpoint
  })
}

/**
 * Turns an endpoint on or off. Off, nothing is sent to it and no new event is queued for it;
 * what was queued waits and goes out, in order, once it is on again.
 */
export async function setWebhookEndpointEnabled(ctx: DomainContext, admin: Actor, input: { endpointId: unknown; enabled: boolean }): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const id = endpointIdOf(input)
  const before = await ctx.prisma.webhookEndpoint.findUnique({ where: { id } })
  if (!before) throw new NotFoundError(NO_ENDPOINT)
  // Turning on again is a new decision to send there: the address is checked as when it was saved.
  if (input.enabled && !before.active) await checkEndpointUrl(ctx.prisma, before.url)
  return transaction(ctx, async (tx) => {
    const endpoint = await lockEndpoint(tx, id)
    if (endpoint.active === input.enabled) return endpoint
    const now = ctx.clock()
    const updated = await tx.webhookEndpoint.update({
      where: { id },
      data: input.enabled ? { active: true, disabledAt: null, disabledReason: null } : { active: false, disabledAt: now, disabledReason: 'admin' },
    })
    if (input.enabled) {
      // What waited is due now rather than at the end of its back-off.
      await tx.webhookDelivery.updateMany({ where: { endpointId: id, status: 'pending' }, data: { nextAttemptAt: now } })
    }
    await recordAdminEvent(tx, {
      type: input.enabled ? 'webhook.enabled' : 'webhook.disabled',
      agentId: admin.id,
      at: now,
      target: { type: 'webhook', id },
      data: { url: endpoint.url },
    })
    return updated
  })
}

/** A new secret; the old one stops working at once (receivers must be given the new one). */
export async function rotateWebhookSecret(ctx: DomainContext, admin: Actor, input: { endpointId: unknown }): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const id = endpointIdOf(input)
  return transaction(ctx, async (tx) => {
    await lockEndpoint(tx, id)
    const updated = await tx.webhookEndpoint.update({ where: { id }, data: { secret: newWebhookSecret() } })
    await recordAdminEvent(tx, { type: 'webhook.rotated', agentId: admin.id, at: ctx.clock(), target: { type: 'webhook', id }, data: { url: updated.url } })
    return updated
  })
}

/**
 * Sends a `webhook.test` event to one endpoint (even a disabled one, to try it before turning it
 * on again). It is an event of the log like any other, so it travels the way real ones do.
 */
export async function sendWebhookTest(ctx: DomainContext, admin: Actor, input: { endpointId: unknown }): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const id = endpointIdOf(input)
  return transaction(ctx, async (tx) => {
    const endpoint = await lockEndpoint(tx, id)
    await recordAdminEvent(tx, { type: TEST_EVENT, agentId: admin.id, at: ctx.clock(), target: { type: 'webhook', id }, data: { url: endpoint.url } })
    return endpoint
  })
}

export async function getWebhookEndpoint(ctx: QueryContext, admin: Actor, input: { endpointId: unknown }): Promise<WebhookEndpoint> {
  authorize(admin, 'administer', INSTANCE)
  const endpoint = await ctx.prisma.webhookEndpoint.findUnique({ where: { id: endpointIdOf(input) } })
  if (!endpoint) throw new NotFoundError(NO_ENDPOINT)
  return endpoint
}

export interface EndpointSummary extends WebhookEndpoint {
  /** The last delivery tried: its status, answer and time; null when none was tried yet. */
  last: { status: 'pending' | 'delivered' | 'failed'; statusCode: number | null; error: string | null; at: Date } | null
  pending: number
}

/** Every endpoint, oldest first, with its last delivery's result and what waits (two indexed reads per endpoint at most). */
export async function listWebhookEndpoints(ctx: QueryContext, admin: Actor): Promise<EndpointSummary[]> {
  authorize(admin, 'administer', INSTANCE)
  const endpoints = await ctx.prisma.webhookEndpoint.findMany({ orderBy: { id: 'asc' } })
  if (!endpoints.length) return []
  const ids = endpoints.map((e) => e.id)
  const [lasts, pendings] = await Promise.all([
    ctx.prisma.$queryRaw<{ endpointId: number; status: 'pending' | 'delivered' | 'failed'; statusCode: number | null; error: string | null; at: Date }[]>`
      SELECT e.id AS "endpointId", a.status::text AS status, a."statusCode", a.error, a.at
      FROM unnest(${ids}::int[]) AS e(id)
      JOIN LATERAL (
        SELECT d.status, t."statusCode", t.error, t.at FROM webhook_deliveries d
        JOIN LATERAL (SELECT * FROM webhook_attempts x WHERE x."deliveryId" = d.id ORDER BY x.at DESC LIMIT 1) t ON true
        WHERE d."endpointId" = e.id AND d.attempts > 0
        ORDER BY d.id DESC LIMIT 1
      ) a ON true`,
    ctx.prisma.webhookDelivery.groupBy({ by: ['endpointId'], where: { endpointId: { in: ids }, status: 'pending' }, _count: { _all: true } }),
  ])
  const lastOf = new Map(lasts.map((l) => [l.endpointId, l]))
  const pendingOf = new Map(pendings.map((p) => [p.endpointId, p._count._all]))
  return endpoints.map((e) => {
    const l = lastOf.get(e.id)
    return { ...e, last: l ? { status: l.status, statusCode: l.statusCode, error: l.error, at: l.at } : null, pending: pendingOf.get(e.id) ?? 0 }
  })
}
