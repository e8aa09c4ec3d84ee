import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { ForbiddenError, ValidationError } from '../../../src/domain/errors.ts'
import { updateSettings } from '../../../src/domain/settings/updateSettings.ts'
import { refusedRange } from '../../../src/domain/webhooks/addresses.ts'
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
  updateWebhookEndpoint,
} from '../../../src/domain/webhooks/endpoints.ts'
import { postWebhook } from '../../../src/domain/webhooks/post.ts'
import { buildAgent } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'
import { startReceiver } from './receiver.ts'

describe('which addresses webhooks may go to', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::', 'loopback'],
    ['64:ff9b:1:a9fe:a9:fe00:808:808', 'nat64Local'],
    ['::7f00:1', 'ipv4Compatible'],
    ['::808:808', 'ipv4Compatible'],
    ['not an address', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(address)).toBe(range)
  })

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows the public address %s', (address) => {
    expect(refusedRange(address)).toBeNull()
  })
})

describe('webhook endpoints (admin commands)', () => {
  let app: TestApp
  let admin: Actor

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
  })
  afterAll(async () => {
    await app?.close()
  })

  const refusal = async (url: string) => {
    const err = await createWebhookEndpoint(app.ctx.domain, admin, { url }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err, url).toBeInstanceOf(ValidationError)
    return (err as ValidationError).fields.url
  }

  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://localhost/',
    'https://100.64.1.1:8443/x',
  ])('refuses %s while internal addresses are not allowed', async (url) => {
    expect(await refusal(url)).toMatchObject({ key: 'validation.webhookAddressRefused' })
  })

  it('refuses what is not an http(s) URL, credentials in it, unknown events and names that do not resolve', async () => {
    expect(await refusal('ftp://example.com/x')).toMatchObject({ key: 'validation.webhookUrl' })
    expect(await refusal('example.com/hook')).toMatchObject({ key: 'validation.webhookUrl' })
    expect(await refusal('https://user:secret@example.com/hook')).toMatchObject({ key: 'validation.webhookNoCredentials' })
    expect(await refusal('https://no-such-host.invalid/hook')).toMatchObject({ key: 'validation.webhookHostUnknown', values: { host: 'no-such-host.invalid' } })
    const err = await createWebhookEndpoint(app.ctx.domain, admin, { url: 'https://93.184.216.34/x', events: ['conversation.created', 'nope'] }).catch((e) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect(Object.keys((err as ValidationError).fields)).toEqual(['events'])
  })

  it('allows internal addresses once the setting says so, and manages an endpoint with its audit', async () => {
    await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: true })
    try {
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://[::1]:9/',
        'http://[::ffff:127.0.0.1]/',
        'http://localhost:9/',
        'http://10.0.0.1/',
        'http://169.254.169.254/',
      ]) {
        const e = await createWebhookEndpoint(app.ctx.domain, admin, { url })
        await deleteWebhookEndpoint(app.ctx.domain, admin, { endpointId: e.id })
      }
      const e = await createWebhookEndpoint(app.ctx.domain, admin, {
        url: 'http://127.0.0.1:9/hook#frag',
        description: 'CRM',
        events: ['status.changed', 'conversation.created', 'status.changed'],
      })
      expect(e).toMatchObject({ url: 'http://127.0.0.1:9/hook', description: 'CRM', events: ['conversation.created', 'status.changed'], active: true })
      const updated = await updateWebhookEndpoint(app.ctx.domain, admin, { endpointId: e.id, url: e.url, description: 'CRM sync', events: [] })
      expect(updated.events).toEqual([])
      const rotated = await rotateWebhookSecret(app.ctx.domain, admin, { endpointId: e.id })
      expect(rotated.secret).not.toBe(e.secret)
      expect((await setWebhookEndpointEnabled(app.ctx.domain, admin, { endpointId: e.id, enabled: false })).disabledReason).toBe('admin')
      expect((await listWebhookEndpoints(app.ctx.domain, admin)).find((x) => x.id === e.id)).toMatchObject({ active: false, last: null, pending: 0 })
      // Turned on again after the setting went off: the address is checked again.
      await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: false })
      await expect(setWebhookEndpointEnabled(app.ctx.domain, admin, { endpointId: e.id, enabled: true })).rejects.toBeInstanceOf(ValidationError)
      await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: true })
      expect((await setWebhookEndpointEnabled(app.ctx.domain, admin, { endpointId: e.id, enabled: true })).active).toBe(true)
      const audit = await app.ctx.db.prisma.event.findMany({ where: { targetType: 'webhook', targetId: String(e.id) }, orderBy: { position: 'asc' } })
      expect(audit.map((a) => a.type)).toEqual(['webhook.created', 'webhook.updated', 'webhook.rotated', 'webhook.disabled', 'webhook.enabled'])
      expect(JSON.stringify(audit.map((a) => a.data))).not.toContain(rotated.secret)
    } finally {
      await updateSettings(app.ctx.domain, admin, { webhooksAllowPrivateAddresses: false })
    }
  })

  it('is for administrators only', async () => {
    const agent = await buildAgent(app.ctx.db.prisma)
    await expect(createWebhookEndpoint(app.ctx.domain, agent, { url: 'https://93.184.216.34/' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(listWebhookEndpoints(app.ctx.domain, agent)).rejects.toBeInstanceOf(ForbiddenError)
  })
})

describe('sending to a webhook URL', () => {
  it('checks the address connected to: a name resolving to loopback is refused unless allowed', async () => {
    const r = await startReceiver()
    try {
      const url = `http://localhost:${r.port}/hook`
      const refused = await postWebhook(url, {}, '{}', { timeoutMs: 5000, allowPrivate: false })
      expect(refused).toMatchObject({ statusCode: null })
      expect(refused.error).toMatch(/is a loopback address/)
      for (const literal of [`http://127.0.0.1:${r.port}/`, `http://[::ffff:127.0.0.1]:${r.port}/`]) {
        expect((await postWebhook(literal, {}, '{}', { timeoutMs: 5000, allowPrivate: false })).error).toMatch(/loopback/)
      }
      expect(r.received).toHaveLength(0)
      const allowed = await postWebhook(url.replace('localhost', '127.0.0.1'), { 'content-type': 'application/json' }, '{"a":1}', {
        timeoutMs: 5000,
        allowPrivate: true,
      })
      expect(allowed).toMatchObject({ statusCode: 204, error: null })
      expect(r.received[0]!.body).toBe('{"a":1}')
    } finally {
      await r.close()
    }
  })

  it('gives up on a receiver that does not answer in time', async () => {
    const r = await startReceiver()
    r.answer = () => ({ status: 200, delayMs: 3000 })
    try {
      const slow = await postWebhook(r.url, {}, '{}', { timeoutMs: 300, allowPrivate: true })
      expect(slow.statusCode).toBeNull()
      expect(slow.error).toMatch(/no complete answer within 0.3 s/)
      expect(slow.durationMs).toBeLessThan(2000)
    } finally {
      await r.close()
    }
  })
})
