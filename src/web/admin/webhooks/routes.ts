import { Router, type Request, type Response } from 'express'
import { ValidationError } from '../../../domain/errors.ts'
import { loadSettings } from '../../../domain/settings/settings.ts'
import { updateSettings } from '../../../domain/settings/updateSettings.ts'
import { getWebhookDelivery, listWebhookDeliveries, redeliverWebhook } from '../../../domain/webhooks/deliveries.ts'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  sendWebhookTest,
  setWebhookEndpointEnabled,
  updateWebhookEndpoint,
  WEBHOOK_EVENTS,
} from '../../../domain/webhooks/endpoints.ts'
import { RETRY_WINDOW_MS } from '../../../domain/webhooks/deliver.ts'
import type { Formats } from '../../../i18n/format.ts'
import type { Translate } from '../../../i18n/translate.ts'
import type { AppContext } from '../../context.ts'
import { requireAdmin, requireAgent } from '../../middleware/auth.ts'
import { flash } from '../../middleware/flash.ts'
import { fieldMessages } from '../../messages.ts'

const BASE = '/settings/webhooks'
const text = (v: unknown) => (typeof v === 'string' ? v : '')
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : [])

interface FormValues {
  url: string
  description: string
  events: string[]
}

const fromBody = (body: Record<string, unknown> | undefined): FormValues => ({
  url: text(body?.url),
  description: text(body?.description),
  events: list(body?.events),
})

/** A moment as the pages show it: relative, with the full date on hover. */
const when = (at: Date | null, now: Date, fmt: Formats) => (at ? { iso: at.toISOString(), full: fmt.full(at), relative: fmt.relative(at, now) } : null)

/** How an endpoint's state reads: on, or off and why. */
function stateOf(t: Translate, e: { active: boolean; disabledReason: string | null }) {
  if (e.active) return { active: true, label: t('admin.webhooks.state.active') }
  return { active: false, label: t(e.disabledReason === 'failures' ? 'admin.webhooks.state.offFailures' : 'admin.webhooks.state.offAdmin') }
}

/** A delivery's result in words: delivered, waiting for a retry, failed. */
function resultOf(t: Translate, d: { status: string; statusCode: number | null; attempts?: number }) {
  const code = d.statusCode === null ? t('admin.webhooks.noAnswer') : String(d.statusCode)
  if (d.status === 'delivered') return { kind: 'delivered', label: t('admin.webhooks.result.delivered', { code }) }
  if (d.status === 'failed') return { kind: 'failed', label: t('admin.webhooks.result.failed', { code }) }
  if (d.attempts === 0) return { kind: 'pending', label: t('admin.webhooks.result.queued') }
  return { kind: 'pending', label: t('admin.webhooks.result.retrying', { code }) }
}

/**
 * Settings › Webhooks: endpoints that receive the conversation events, signed (Standard
 * Webhooks); their delivery log with "send again", a test button, and the setting that lets them
 * point at internal addresses.
 */
export function webhooksAdminRouter(ctx: AppContext): Router {
  const router = Router()
  router.use(BASE, requireAgent, requireAdmin)

  const eventChoices = (chosen: string[]) => WEBHOOK_EVENTS.map((name) => ({ name, checked: chosen.includes(name) }))

  router.get(BASE, async (req, res) => {
    const now = ctx.clock()
    const [endpoints, settings] = await Promise.all([listWebhookEndpoints(ctx.domain, req.agent!), loadSettings(ctx.db.prisma)])
    res.render('admin/webhooks/list', {
      title: req.t('admin.webhooks.title'),
      nav: 'settings',
      allowPrivate: settings.webhooksAllowPrivateAddresses,
      endpoints: endpoints.map((e) => ({
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.events,
        state: stateOf(req.t, e),
        pending: e.pending,
        last: e.last ? { ...resultOf(req.t, { ...e.last, attempts: 1 }), at: when(e.last.at, now, req.formats) } : null,
      })),
    })
  })

  router.post(`${BASE}/addresses`, async (req, res) => {
    const allow = req.body?.allowPrivate === 'on'
    await updateSettings(ctx.domain, req.agent!, { webhooksAllowPrivateAddresses: allow })
    flash(req, 'success', allow ? 'admin.webhooks.private.allowed' : 'admin.webhooks.private.refused')
    res.redirect(303, BASE)
  })

  async function renderForm(req: Request, res: Response, status: number, values: FormValues, errors: Record<string, string> = {}, endpointId?: number) {
    res.status(status).render('admin/webhooks/form', {
      title: req.t(endpointId ? 'admin.webhooks.edit' : 'admin.webhooks.add'),
      nav: 'settings',
      endpointId: endpointId ?? null,
      values,
      errors,
      events: eventChoices(values.events),
    })
  }

  router.get(`${BASE}/new`, (req, res) => renderForm(req, res, 200, { url: '', description: '', events: [] }))

  router.post(`${BASE}/new`, async (req, res) => {
    const values = fromBody(req.body)
    try {
      const endpoint = await createWebhookEndpoint(ctx.domain, req.agent!, values)
      flash(req, 'success', 'admin.webhooks.created', { url: endpoint.url })
      res.redirect(303, `${BASE}/${endpoint.id}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderForm(req, res, 400, values, fieldMessages(req.t, err.fields))
    }
  })

  router.get(`${BASE}/:endpointId`, async (req, res) => {
    const now = ctx.clock()
    const input = { endpointId: req.params.endpointId, before: typeof req.query.before === 'string' ? req.query.before : undefined }
    const endpoint = await getWebhookEndpoint(ctx.domain, req.agent!, input)
    const page = await listWebhookDeliveries(ctx.domain, req.agent!, input)
    res.render('admin/webhooks/endpoint', {
      title: req.t('admin.webhooks.endpointTitle', { url: endpoint.url }),
      nav: 'settings',
      endpoint: {
        id: endpoint.id,
        url: endpoint.url,
        description: endpoint.description,
        events: endpoint.events,
        secret: endpoint.secret,
        state: stateOf(req.t, endpoint),
        disabledAt: when(endpoint.disabledAt, now, req.formats),
      },
      deliveries: page.deliveries.map((d) => ({
        id: String(d.id),
        messageId: d.messageId,
        eventType: d.eventType,
        attempts: d.attempts,
        result: resultOf(req.t, { status: d.status, statusCode: d.lastStatusCode, attempts: d.attempts }),
        lastError: d.lastError,
        createdAt: when(d.createdAt, now, req.formats),
        lastAttemptAt: when(d.lastAttemptAt, now, req.formats),
        nextAttemptAt: d.status === 'pending' && d.attempts > 0 ? when(d.nextAttemptAt, now, req.formats) : null,
        durationMs: d.lastDurationMs,
      })),
      olderHref: page.olderBefore ? `${BASE}/${endpoint.id}?before=${page.olderBefore}` : null,
      newestHref: input.before ? `${BASE}/${endpoint.id}` : null,
      retryHours: RETRY_WINDOW_MS / 3_600_000,
    })
  })

  router.get(`${BASE}/:endpointId/edit`, async (req, res) => {
    const endpoint = await getWebhookEndpoint(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    await renderForm(req, res, 200, { url: endpoint.url, description: endpoint.description, events: endpoint.events }, {}, endpoint.id)
  })

  router.post(`${BASE}/:endpointId`, async (req, res) => {
    const values = fromBody(req.body)
    const existing = await getWebhookEndpoint(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    try {
      const endpoint = await updateWebhookEndpoint(ctx.domain, req.agent!, { ...values, endpointId: existing.id })
      flash(req, 'success', 'admin.webhooks.saved', { url: endpoint.url })
      res.redirect(303, `${BASE}/${endpoint.id}`)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      await renderForm(req, res, 400, values, fieldMessages(req.t, err.fields), existing.id)
    }
  })

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`${BASE}/:endpointId/${action}`, async (req, res) => {
      try {
        const endpoint = await setWebhookEndpointEnabled(ctx.domain, req.agent!, { endpointId: req.params.endpointId, enabled })
        flash(req, 'success', enabled ? 'admin.webhooks.enabled' : 'admin.webhooks.disabled', { url: endpoint.url })
      } catch (err) {
        // Turning on an endpoint whose address is no longer allowed: said on its page.
        if (!(err instanceof ValidationError)) throw err
        const first = Object.values(err.fields)[0]
        if (first) flash(req, 'error', first.key, first.values)
        else flash(req, 'error', err.key, err.values)
      }
      res.redirect(303, `${BASE}/${text(req.params.endpointId)}`)
    })
  }

  router.post(`${BASE}/:endpointId/rotate`, async (req, res) => {
    const endpoint = await rotateWebhookSecret(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    flash(req, 'success', 'admin.webhooks.rotated', { url: endpoint.url })
    res.redirect(303, `${BASE}/${endpoint.id}#secret`)
  })

  router.post(`${BASE}/:endpointId/test`, async (req, res) => {
    const endpoint = await sendWebhookTest(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    flash(req, 'success', 'admin.webhooks.testSent', { url: endpoint.url })
    res.redirect(303, `${BASE}/${endpoint.id}`)
  })

  router.post(`${BASE}/:endpointId/delete`, async (req, res) => {
    const endpoint = await deleteWebhookEndpoint(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    flash(req, 'success', 'admin.webhooks.deleted', { url: endpoint.url })
    res.redirect(303, BASE)
  })

  router.get(`${BASE}/:endpointId/deliveries/:deliveryId`, async (req, res) => {
    const now = ctx.clock()
    const endpoint = await getWebhookEndpoint(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    const d = await getWebhookDelivery(ctx.domain, req.agent!, { endpointId: endpoint.id, deliveryId: req.params.deliveryId })
    res.render('admin/webhooks/delivery', {
      title: req.t('admin.webhooks.deliveryTitle', { id: d.messageId }),
      nav: 'settings',
      endpoint: { id: endpoint.id, url: endpoint.url },
      delivery: {
        id: String(d.id),
        messageId: d.messageId,
        eventType: d.eventType,
        attempts: d.attempts,
        result: resultOf(req.t, { status: d.status, statusCode: d.lastStatusCode, attempts: d.attempts }),
        payload: JSON.stringify(d.payload, null, 2),
        nextAttemptAt: d.status === 'pending' && d.attempts > 0 ? when(d.nextAttemptAt, now, req.formats) : null,
      },
      log: d.log.map((a) => ({
        at: when(a.at, now, req.formats),
        statusCode: a.statusCode,
        error: a.error,
        durationMs: a.durationMs,
        headers: Object.entries(((a.request as { headers?: Record<string, string> }) ?? {}).headers ?? {})
          .map(([name, value]) => `${name}: ${value}`)
          .join('\n'),
        responseBody: a.responseBody,
      })),
    })
  })

  router.post(`${BASE}/:endpointId/deliveries/:deliveryId/redeliver`, async (req, res) => {
    const endpoint = await getWebhookEndpoint(ctx.domain, req.agent!, { endpointId: req.params.endpointId })
    const d = await redeliverWebhook(ctx.domain, req.agent!, { endpointId: endpoint.id, deliveryId: req.params.deliveryId })
    flash(req, 'success', endpoint.active ? 'admin.webhooks.redelivering' : 'admin.webhooks.redeliverLater', { id: d.messageId })
    res.redirect(303, `${BASE}/${endpoint.id}`)
  })

  return router
}
