import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { until } from '../../helpers/childProcess.ts'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { startReceiver, type Receiver } from '../../domain/webhooks/receiver.ts'

describe('Settings › Webhooks', () => {
  let app: TestApp
  let admin: Actor
  let client: Awaited<ReturnType<typeof signIn>>['client']
  let receiver: Receiver

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin', name: 'Wanda Webhook' })
    client = (await signIn(app, admin.email, PASSWORD)).client
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
    await app?.close()
  })

  const token = async (path = '/settings/webhooks') => csrfFrom((await client.get(path)).text)
  const post = async (path: string, fields: Record<string, string | string[]> = {}) =>
    client
      .post(path)
      .type('form')
      .send({ _csrf: await token(), ...fields })

  it('is for administrators only', async () => {
    const agent = await buildAgent(app.ctx.db.prisma)
    const { client: other } = await signIn(app, agent.email, PASSWORD)
    expect((await other.get('/settings/webhooks')).status).toBe(403)
    expect((await other.get('/settings/webhooks/new')).status).toBe(403)
  })

  it('refuses an internal address until the setting allows it, then adds the endpoint and shows its secret', async () => {
    const list = await client.get('/settings/webhooks')
    expect(list.status).toBe(200)
    expect(list.text).toContain('Allow endpoints on private or loopback addresses')
    expect(list.text).toContain('No endpoint yet')

    const form = await client.get('/settings/webhooks/new')
    expect(form.text).toContain('value="conversation.created"')
    const refused = await post('/settings/webhooks/new', { url: `${receiver.url}/hook`, description: 'CRM' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('127.0.0.1 is an internal address (127.0.0.1)')
    expect(refused.text).toContain('aria-invalid="true"')
    expect(refused.text).toContain('value="CRM"')

    expect((await post('/settings/webhooks/addresses', { allowPrivate: 'on' })).status).toBe(303)
    const created = await post('/settings/webhooks/new', {
      url: `${receiver.url}/hook`,
      description: 'CRM',
      events: ['conversation.created', 'status.changed'],
    })
    expect(created.status).toBe(303)
    expect(created.headers.location).toMatch(/^\/settings\/webhooks\/\d+$/)
    const endpoint = await app.ctx.db.prisma.webhookEndpoint.findFirstOrThrow({ where: { description: 'CRM' } })
    expect(endpoint.events).toEqual(['conversation.created', 'status.changed'])
    const page = await client.get(created.headers.location!)
    expect(page.text).toContain(endpoint.secret)
    expect(page.text).toContain('Endpoint http://127.0.0.1')
    expect(page.text).toContain('Nothing sent to this endpoint yet')
  })

  it('sends a test event, shows it in the delivery log with its attempt, and sends it again under the same webhook-id', async () => {
    const endpoint = await app.ctx.db.prisma.webhookEndpoint.findFirstOrThrow({ where: { description: 'CRM' } })
    receiver.secret = endpoint.secret
    const base = `/settings/webhooks/${endpoint.id}`
    expect((await post(`${base}/test`)).headers.location).toBe(base)
    await until('the test event', async () => receiver.received.length === 1)
    expect(receiver.received[0]!.verified).toBe(true)
    expect(receiver.received[0]!.payload).toMatchObject({ type: 'webhook.test', data: { actor: { type: 'agent', id: admin.id }, conversation: null } })
    const delivery = await until('the attempt recorded', async () =>
      app.ctx.db.prisma.webhookDelivery.findFirst({ where: { endpointId: endpoint.id, status: 'delivered' } }),
    )
    const log = await client.get(base)
    expect(log.text).toContain('webhook.test')
    expect(log.text).toContain(delivery.messageId)
    expect(log.text).toContain('Delivered (204)')
    expect(log.text).toContain('1 attempt')

    const detail = await client.get(`${base}/deliveries/${delivery.id}`)
    expect(detail.status).toBe(200)
    expect(detail.text).toContain('webhook-signature: v1,')
    expect(detail.text).toContain('&#34;type&#34;: &#34;webhook.test&#34;')
    expect(detail.text).not.toContain(endpoint.secret)

    const again = await post(`${base}/deliveries/${delivery.id}/redeliver`)
    expect(again.status).toBe(303)
    await until('the second request', async () => receiver.received.length === 2)
    expect(receiver.received[1]!.headers['webhook-id']).toBe(delivery.messageId)
    await until('the second attempt recorded', async () => (await app.ctx.db.prisma.webhookAttempt.count({ where: { deliveryId: delivery.id } })) === 2)
    expect((await client.get(`${base}/deliveries/${delivery.id}`)).text.match(/HTTP 204/g)).toHaveLength(2)
    // Someone else's endpoint's delivery is not found under this one.
    expect((await client.get(`/settings/webhooks/999999/deliveries/${delivery.id}`)).status).toBe(404)
    expect((await client.get(`${base}/deliveries/nope`)).status).toBe(404)
  })

  it('edits, rotates the secret, turns off and on, and deletes', async () => {
    const endpoint = await app.ctx.db.prisma.webhookEndpoint.findFirstOrThrow({ where: { description: 'CRM' } })
    const base = `/settings/webhooks/${endpoint.id}`
    expect((await client.get(`${base}/edit`)).text).toContain('value="CRM"')
    const saved = await post(base, { url: endpoint.url, description: 'CRM sync' })
    expect(saved.status).toBe(303)
    expect(await app.ctx.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({ description: 'CRM sync', events: [] })
    expect((await post(base, { url: 'gopher://x', description: '' })).status).toBe(400)

    await post(`${base}/rotate`)
    const rotated = await app.ctx.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })
    expect(rotated.secret).not.toBe(endpoint.secret)

    await post(`${base}/disable`)
    expect((await client.get('/settings/webhooks')).text).toMatch(/class="inactive"/)
    expect((await app.ctx.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).active).toBe(false)
    await post(`${base}/enable`)
    expect((await app.ctx.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).active).toBe(true)

    const list = await client.get('/settings/webhooks')
    expect(list.text).toContain('Delivered (204)')
    expect(list.text).toContain('Every event')

    // Without the form's token, nothing changes.
    expect((await client.post(`${base}/delete`).type('form').send({})).status).toBe(403)
    expect((await post(`${base}/delete`)).headers.location).toBe('/settings/webhooks')
    expect(await app.ctx.db.prisma.webhookEndpoint.count({ where: { id: endpoint.id } })).toBe(0)
    expect(await app.ctx.db.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(0)
    expect((await client.get(base)).status).toBe(404)

    // The audit names each change and the endpoint by its address, never its secret.
    const audit = (await client.get('/settings/audit')).text
    for (const line of [
      'Added a webhook endpoint',
      'Changed a webhook endpoint',
      'Replaced a webhook endpoint’s secret',
      'Turned a webhook endpoint off',
      'Deleted a webhook endpoint',
    ]) {
      expect(audit).toContain(line)
    }
    expect(audit).not.toContain('whsec_')
  })

  it('speaks French to a French-speaking admin', async () => {
    await app.ctx.db.prisma.agent.update({ where: { id: admin.id }, data: { locale: 'fr' } })
    const { client: fr } = await signIn(app, admin.email, PASSWORD)
    const page = await fr.get('/settings/webhooks')
    expect(page.text).toContain('Points de terminaison')
    expect(page.text).toContain('Autoriser les points de terminaison sur des adresses privées ou locales')
    expect((await fr.get('/settings/webhooks/new')).text).toContain('Ne cochez rien pour recevoir tous les événements.')
  })
})
