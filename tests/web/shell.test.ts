import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import request from 'supertest'
import { csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('the app shell', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  it('reports health with a database check', async () => {
    const res = await request(app.url).get('/healthz')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('ok')
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('sends a content security policy without inline scripts, and the usual hardening headers', async () => {
    const res = await request(app.url).get('/login')
    const csp = res.headers['content-security-policy'] as string
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-powered-by']).toBeUndefined()
    expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/)
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';')
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
  })

  it('answers an unknown page with a 404 page that leaks nothing', async () => {
    const res = await admin.get('/no/such/page').set('Accept', 'text/html')
    expect(res.status).toBe(404)
    expect(res.text).toContain('Page not found')
    expect(res.text).not.toMatch(/at .*\.ts:\d+/)
  })

  it('answers a malformed JSON body with 400 and an unreadable form with a clear error', async () => {
    const page = await admin.get('/conversations')
    const res = await admin
      .post('/logout')
      .set('Content-Type', 'application/json')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrfFrom(page.text))
      .send('{"broken":')
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('The request could not be read.')
  })

  it('refuses an oversized form with 413', async () => {
    const res = await request(app.url)
      .post('/login')
      .type('form')
      .send({ email: 'x'.repeat(2_000_000) })
    expect(res.status).toBe(413)
  })

  it('shows the dashboard with every tab and its count, and the settings landing page', async () => {
    const list = await admin.get('/conversations?tab=all')
    for (const label of ['New', 'Open', 'Pending', 'Closed', 'All', 'Mine', 'Unassigned']) expect(list.text).toContain(`>${label} <span class="count"`)
    const settings = await admin.get('/settings')
    expect(settings.status).toBe(200)
    expect(settings.text).toContain('Ada Admin')
    expect(settings.text).toContain('General')
  })

  it('serves the stylesheet', async () => {
    const res = await request(app.url).get('/public/css/app.css')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('text/css')
  })
})

describe('when the database is gone', () => {
  it('answers 503 with Retry-After and a page that leaks nothing, and health says 503', async () => {
    const app = await startTestApp()
    try {
      const admin = await setUpAndSignIn(app)
      await app.ctx.db.pool.end()
      const res = await admin.get('/conversations').set('Accept', 'text/html')
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('30')
      expect(res.text).toContain('cannot reach its database for the moment')
      expect(res.text).not.toMatch(/Error:|at .*:\d+:\d+|pool/i)
      expect((await request(app.url).get('/healthz')).status).toBe(503)
    } finally {
      await app.close()
    }
  })
})
