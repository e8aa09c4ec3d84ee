import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/domain/actor.ts'
import { hashApiToken } from '../../../src/domain/apiTokens/apiTokens.ts'
import { apiClient } from '../../helpers/apiClient.ts'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

describe('personal API tokens on the profile page', () => {
  let app: TestApp
  let admin: Actor
  let agent: Actor
  let adminClient: Client
  let agentClient: Client
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await buildAgent(prisma(), { role: 'admin', name: 'Ada Admin' })
    agent = await buildAgent(prisma(), { name: 'Rita Ramos' })
    adminClient = (await signIn(app, admin.email, PASSWORD)).client
    agentClient = (await signIn(app, agent.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  const secretOf = (html: string) => /id="api-token-secret"[^>]*value="(suivi_[^"]+)"/.exec(html)?.[1]

  it('creates a token whose secret is shown once, on the answer to the POST, and only its hash is kept', async () => {
    const page = await agentClient.get('/profile')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Personal API tokens')
    expect(page.text).toContain('You have no token yet.')
    expect(page.text).toContain('href="/api/v1/reference"')
    // An agent is not offered the admin level.
    expect(page.text).toContain('value="write"')
    expect(page.text).not.toContain('value="admin"')
    const res = await agentClient
      .post('/profile/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Shop sync', level: 'write', expiresInDays: '90' })
    expect(res.status).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers.location).toBeUndefined()
    const secret = secretOf(res.text)!
    expect(secret).toMatch(/^suivi_[A-Za-z0-9_-]{43}$/)
    expect(res.text).toContain('Copy it now and keep it somewhere safe: it will not be shown again.')
    expect(res.text).toContain('Token “Shop sync” created')
    // Without a script the token is a read-only field to select; the Copy button waits for public/js/api-tokens.js.
    expect(res.text).toMatch(/<input id="api-token-secret"[^>]* readonly /)
    expect(res.text).toMatch(/<button [^>]*id="api-token-copy"[^>]* hidden>/)
    expect(res.text).toContain('<script src="/public/js/api-tokens.js" defer></script>')

    const rows = await prisma().apiToken.findMany({ where: { agentId: agent.id } })
    expect(rows).toHaveLength(1)
    expect(rows[0]!.tokenHash).toBe(hashApiToken(secret))
    expect(JSON.stringify(rows)).not.toContain(secret)
    expect(JSON.stringify(rows)).not.toContain(secret.slice(12))
    expect(rows[0]!.scopes).toEqual(['read', 'write'])
    expect(Math.round((rows[0]!.expiresAt!.getTime() - rows[0]!.createdAt.getTime()) / 86_400_000)).toBe(90)

    // The list shows it, never again its secret.
    const again = await agentClient.get('/profile')
    expect(again.text).not.toContain(secret)
    expect(secretOf(again.text)).toBeUndefined()
    const row = again.text.slice(again.text.indexOf(`id="api-token-${rows[0]!.id}"`))
    expect(row).toContain('Shop sync')
    expect(row).toContain(`<code>${rows[0]!.prefix}…</code>`)
    expect(row).toContain('Read and write')
    expect(row).toMatch(/Last used<\/th>|data-label="Last used">Never/)

    // It works on the API as the agent, with the access chosen.
    const api = await apiClient(app.url, secret)
    const me = await api.get('/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ id: agent.id, scopes: ['read', 'write'] })
  })

  it('keeps what was typed and says what is wrong when the form is refused', async () => {
    const page = await agentClient.get('/profile')
    const res = await agentClient
      .post('/profile/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '   ', level: 'read', expiresInDays: '30' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('aria-invalid="true"')
    expect(res.text).toContain('id="api-token-name-error"')
    expect(res.text).toMatch(/<option value="30"\s+selected>/)
    expect(await prisma().apiToken.count({ where: { agentId: agent.id } })).toBe(1)
  })

  it('lets an admin make an admin token, and refuses one to an agent even when asked by hand', async () => {
    const page = await adminClient.get('/profile')
    expect(page.text).toContain('value="admin"')
    const made = await adminClient
      .post('/profile/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Provisioning', level: 'admin', expiresInDays: '' })
    expect(made.status).toBe(201)
    const row = await prisma().apiToken.findFirstOrThrow({ where: { agentId: admin.id } })
    expect(row.scopes).toEqual(['read', 'write', 'admin'])
    expect(row.expiresAt).toBeNull()

    const mine = await agentClient.get('/profile')
    const refused = await agentClient
      .post('/profile/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(mine.text), name: 'Sneaky', level: 'admin', expiresInDays: '' })
    expect(refused.status).toBe(403)
    expect(secretOf(refused.text)).toBeUndefined()
    expect(await prisma().apiToken.count({ where: { agentId: agent.id, name: 'Sneaky' } })).toBe(0)
  })

  it('refuses a form without its CSRF token', async () => {
    const before = await prisma().apiToken.count()
    const res = await agentClient.post('/profile/api-tokens').type('form').send({ name: 'No CSRF', level: 'read', expiresInDays: '' })
    expect(res.status).toBe(403)
    expect(secretOf(res.text)).toBeUndefined()
    const row = await prisma().apiToken.findFirstOrThrow({ where: { agentId: agent.id } })
    const revoke = await agentClient.post(`/profile/api-tokens/${row.id}/revoke`).type('form').send({})
    expect(revoke.status).toBe(403)
    expect(await prisma().apiToken.count()).toBe(before)
    expect((await prisma().apiToken.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).toBeNull()
  })

  it('revokes a token: gone from the list, and the API refuses it at once', async () => {
    const page = await agentClient.get('/profile')
    const made = await agentClient
      .post('/profile/api-tokens')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Short lived', level: 'read', expiresInDays: '' })
    const secret = secretOf(made.text)!
    const api = await apiClient(app.url, secret)
    expect((await api.get('/me')).status).toBe(200)
    const row = await prisma().apiToken.findFirstOrThrow({ where: { agentId: agent.id, name: 'Short lived' } })

    // Another agent cannot revoke it, nor see it.
    const adminPage = await adminClient.get('/profile')
    expect(adminPage.text).not.toContain('Short lived')
    const foreign = await adminClient
      .post(`/profile/api-tokens/${row.id}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(adminPage.text) })
    expect(foreign.status).toBe(404)
    expect((await api.get('/me')).status).toBe(200)

    const res = await agentClient
      .post(`/profile/api-tokens/${row.id}/revoke`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile#api-tokens')
    const after = await agentClient.get('/profile')
    expect(after.text).toContain('Token “Short lived” revoked.')
    expect(after.text).not.toContain(`id="api-token-${row.id}"`)
    const refused = await api.get('/me')
    expect(refused.status).toBe(401)
    expect(refused.body.type).toBe('/api/v1/reference#problem-unauthorized')
    const event = await prisma().event.findFirst({ where: { type: 'agent.api_token_revoked' }, orderBy: { position: 'desc' }, select: { actorAgentId: true } })
    expect(event).toEqual({ actorAgentId: agent.id })
  })

  it('speaks French to a French agent', async () => {
    await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'fr' } })
    try {
      const page = await agentClient.get('/profile')
      expect(page.text).toContain('Jetons d’API personnels')
      expect(page.text).toContain('Lecture et écriture')
      expect(page.text).toContain('Créer le jeton')
      const made = await agentClient
        .post('/profile/api-tokens')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name: 'Synchro', level: 'read', expiresInDays: '365' })
      expect(made.text).toContain('il ne sera plus affiché')
    } finally {
      await prisma().agent.update({ where: { id: agent.id }, data: { locale: 'en' } })
    }
  })
})
