import { compileErrors, validate } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, revokeApiToken } from '../../../src/domain/apiTokens/apiTokens.ts'
import { setAgentActive } from '../../../src/domain/agents/manageAgents.ts'
import { API_OPERATIONS } from '../../../src/web/api/operations.ts'
import { apiClient, buildApiToken, type ApiClient } from '../../helpers/apiClient.ts'
import { buildAgent, buildFolder } from '../../helpers/factories.ts'
import { startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the API: description, tokens, problems, rate limits', () => {
  let app: TestApp
  let api: ApiClient
  let agent: Awaited<ReturnType<typeof buildAgent>>

  beforeAll(async () => {
    app = await startTestApp({ API_RATE_LIMIT: '25' })
    const folder = await buildFolder(app.ctx.db.prisma, 'Billing')
    agent = await buildAgent(app.ctx.db.prisma, { folderIds: [folder.id], name: 'Bea Token' })
    api = await apiClient(app.url, await buildApiToken(app.ctx.domain, agent, 'read'))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('serves an OpenAPI 3.1 document that validates and describes every operation', async () => {
    const doc = api.checker.document
    expect(doc.openapi).toBe('3.1.0')
    const result = await validate(structuredClone(doc) as never)
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    )
    expect(described.sort()).toEqual(API_OPERATIONS.map((o) => `${o.method} ${o.path}`).sort())
    // Every operation names its scope and says what it needs.
    for (const item of Object.values(doc.paths as Record<string, Record<string, { security: unknown; 'x-scope': string }>>)) {
      for (const op of Object.values(item)) expect(['read', 'write', 'admin']).toContain(op['x-scope'])
    }
  })

  it('answers the token’s own agent, with the scopes it has', async () => {
    const res = await api.get('/me')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: agent.id, name: 'Bea Token', role: 'agent', scopes: ['read'] })
  })

  it('refuses calls without a token, with a cookie instead of a token, and with a bad, revoked or expired token, as problem details', async () => {
    const anonymous = api.as(null)
    const none = await anonymous.get('/me')
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(none.body).toMatchObject({ type: '/api/v1/reference#problem-unauthorized', status: 401, title: 'Authentication required', instance: '/api/v1/me' })

    // A browser's session cookie opens nothing here (and so no CSRF is possible).
    const withCookie = await anonymous.get('/me', { Cookie: 'suivi.sid=s%3Aanything' })
    expect(withCookie.status).toBe(401)
    expect(withCookie.body.detail).toContain('cookies')

    expect((await api.as('suivi_not-a-real-token').get('/me')).status).toBe(401)
    expect((await api.as('Basic abc').get('/me')).status).toBe(401)

    const { token, summary } = await createApiToken(app.ctx.domain, agent, { name: 'short-lived', level: 'read' })
    expect((await api.as(token).get('/me')).status).toBe(200)
    await revokeApiToken(app.ctx.domain, agent, { tokenId: summary.id })
    expect((await api.as(token).get('/me')).status).toBe(401)

    const expiring = await createApiToken(app.ctx.domain, agent, { name: 'expiring', level: 'read', expiresInDays: 1 })
    await app.ctx.db.prisma.apiToken.update({ where: { id: expiring.summary.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect((await api.as(expiring.token).get('/me')).status).toBe(401)
  })

  it('keeps only a hash of the secret, and records when a token was last used', async () => {
    const { token, summary } = await createApiToken(app.ctx.domain, agent, { name: 'hashed', level: 'read' })
    const row = await app.ctx.db.prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })
    expect(JSON.stringify(row)).not.toContain(token.slice(10))
    expect(row.prefix).toBe(token.slice(0, 12))
    await api.as(token).get('/me')
    await expect.poll(async () => (await app.ctx.db.prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt).not.toBeNull()
  })

  it('speaks the caller’s language in details, and answers unknown routes and unreadable bodies as problems', async () => {
    const fr = await api.as(null).get('/me', { 'Accept-Language': 'fr-FR,fr;q=0.9' })
    expect(fr.body.detail).toContain('jeton')
    const missing = await api.call('GET', '/no-such-thing', { check: false })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const broken = await api.call('POST', '/me', { body: '{"not json', check: false })
    expect(broken.status).toBe(400)
    expect(broken.body.type).toBe('/api/v1/reference#problem-bad-request')
  })

  it('stops a deactivated agent’s tokens at once', async () => {
    const admin = await buildAgent(app.ctx.db.prisma, { role: 'admin' })
    const leaving = await buildAgent(app.ctx.db.prisma, { name: 'Leaving' })
    const token = await buildApiToken(app.ctx.domain, leaving, 'read')
    expect((await api.as(token).get('/me')).status).toBe(200)
    await setAgentActive(app.ctx.domain, admin, { agentId: leaving.id, active: false })
    expect((await api.as(token).get('/me')).status).toBe(401)
  })

  it('acts once for two copies of a POST sent at the same moment with one Idempotency-Key', async () => {
    const folder = await app.ctx.db.prisma.folder.findFirstOrThrow({ where: { name: 'Billing' } })
    const writer = api.as(await buildApiToken(app.ctx.domain, agent, 'write', 'racing'))
    const body = { customerEmail: 'twice@example.com', subject: 'Sent twice at once', text: 'Hello', folderId: folder.id }
    const headers = { 'Idempotency-Key': 'race-1' }
    const answers = await Promise.all([writer.post('/conversations', body, headers), writer.post('/conversations', body, headers)])
    const statuses = answers.map((a) => a.status).sort()
    // The first acts; the second either waits its turn and gets the same answer, or is told to retry.
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses)
    expect(await app.ctx.db.prisma.conversation.count({ where: { subject: 'Sent twice at once' } })).toBe(1)
    const retried = await writer.post('/conversations', body, headers)
    expect(retried.status).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBe('true')
    expect(retried.body.number).toBe(answers.find((a) => a.status === 201)!.body.number)
    // Another token's key of the same name is its own.
    const other = api.as(await buildApiToken(app.ctx.domain, agent, 'write', 'other'))
    const separate = await other.post('/conversations', { ...body, subject: 'Sent twice at once' }, headers)
    expect(separate.headers.get('idempotent-replayed')).toBeNull()
    expect(await app.ctx.db.prisma.conversation.count({ where: { subject: 'Sent twice at once' } })).toBe(2)
  })

  it('limits calls per token and says so with the standard RateLimit headers', async () => {
    const busy = api.as(await buildApiToken(app.ctx.domain, agent, 'read', 'busy'))
    const first = await busy.get('/me')
    expect(first.headers.get('ratelimit-policy')).toMatch(/q=25; w=60/)
    expect(first.headers.get('ratelimit')).toMatch(/r=24/)
    let last = first
    for (let i = 0; i < 25 && last.status !== 429; i++) last = await busy.get('/me')
    expect(last.status).toBe(429)
    expect(last.body.type).toBe('/api/v1/reference#problem-rate-limited')
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0)
    // Another token of the same agent has its own allowance.
    expect((await api.as(await buildApiToken(app.ctx.domain, agent, 'read', 'calm')).get('/me')).status).toBe(200)
  })
})
