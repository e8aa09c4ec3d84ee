import { createHash } from 'node:crypto'
import type { Response } from 'superagent'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueueEmail, type OutgoingEmail } from '../../../src/mail/outbound/outbox.ts'
import { forgetOutboxFailures } from '../../../src/mail/outbound/outboxHealth.ts'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

/** Reads a response body as bytes, whatever its type. */
function bytes(res: Response, callback: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => callback(null, Buffer.concat(chunks)))
}

/** The count the outbox page shows on one status filter. */
function filterCount(html: string, label: string): number {
  // "1 e-mail", "3 e-mails": the label follows the count's plural.
  const m = new RegExp(`>${label} <span class="count" aria-label="(\\d+) e-mails?">`).exec(html)
  if (!m) throw new Error(`no "${label}" filter on the page`)
  return Number(m[1])
}

/** The outbox ids a list page shows, in order. */
function listedIds(html: string): number[] {
  return [...html.matchAll(/data-outbox-id="(\d+)"/g)].map((m) => Number(m[1]))
}

describe('settings: the outbox', () => {
  let app: TestApp
  let admin: Client
  const prisma = () => app.ctx.db.prisma
  const emails: Record<'queued' | 'sent' | 'failed', { id: number; messageId: string }> = {} as never

  async function enqueue(email: Partial<OutgoingEmail>) {
    return prisma().$transaction((tx) =>
      enqueueEmail(tx, 'suivi.test', { kind: 'notification', to: 'casey@example.com', subject: 'Hello', html: '<p>Hello</p>', text: 'Hello', ...email }),
    )
  }

  async function storeBlob(data: Buffer) {
    const sha256 = createHash('sha256').update(data).digest('hex')
    await prisma().blob.upsert({ where: { sha256 }, create: { sha256, size: data.length, data: new Uint8Array(data) }, update: {} })
    return sha256
  }

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    const [png, pdf] = [await storeBlob(PNG), await storeBlob(PDF)]
    emails.sent = await enqueue({ subject: 'Welcome aboard', to: 'sam@example.com' })
    await prisma().outboxEmail.update({ where: { id: emails.sent.id }, data: { status: 'sent', attempts: 1, sentAt: new Date() } })
    emails.failed = await enqueue({ subject: 'Your invoice', to: 'nobody@example.com' })
    await prisma().outboxEmail.update({
      where: { id: emails.failed.id },
      data: { status: 'failed', attempts: 8, lastError: 'ECONNECTION: Connection closed unexpectedly' },
    })
    emails.queued = await enqueue({
      kind: 'agent_reply',
      to: 'Casey Customer <casey@example.com>',
      subject: '[#7] Where is my <parcel>?',
      text: 'Dear Casey,\nyour parcel left our warehouse.',
      html: '<p>Dear Casey,</p><script>parent.document.title = "owned"</script><img src="cid:att-1@suivi.test">',
      headers: { 'In-Reply-To': '<c1@customer.example>', References: '<c1@customer.example>', 'Auto-Submitted': 'auto-replied' },
      attachments: [
        { blobSha256: png, fileName: 'label.png', mimeType: 'image/png', contentId: 'att-1@suivi.test' },
        { blobSha256: pdf, fileName: 'facture déc.pdf', mimeType: 'application/pdf' },
      ],
    })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lists the e-mails newest first with counts per status, and filters by status', async () => {
    const page = await admin.get('/settings/outbox')
    expect(page.status).toBe(200)
    expect(listedIds(page.text)).toEqual([emails.queued.id, emails.failed.id, emails.sent.id])
    expect(page.text).toContain('[#7] Where is my &lt;parcel&gt;?')
    expect(filterCount(page.text, 'All')).toBe(3)
    expect(filterCount(page.text, 'Queued')).toBe(1)
    expect(filterCount(page.text, 'Sent')).toBe(1)
    expect(filterCount(page.text, 'Failed')).toBe(1)
    expect(filterCount(page.text, 'Sending')).toBe(0)
    expect(page.text).toContain('ECONNECTION: Connection closed unexpectedly')
    // The test app has no SMTP_URL: the page says that mail is kept, not sent.
    expect(page.text).toContain('No SMTP server is configured')

    const failed = await admin.get('/settings/outbox?status=failed')
    expect(listedIds(failed.text)).toEqual([emails.failed.id])
    const odd = await admin.get('/settings/outbox?status=bogus&before=abc')
    expect(odd.status).toBe(200)
    expect(listedIds(odd.text)).toHaveLength(3)
  })

  it('shows a message: headers, Message-ID, status, the text, the HTML in a sandboxed frame and the attachments', async () => {
    const page = await admin.get(`/settings/outbox/${emails.queued.id}`)
    expect(page.status).toBe(200)
    const html = page.text
    expect(html).toContain('Casey Customer &lt;casey@example.com&gt;')
    expect(html).toContain(`&lt;${emails.queued.messageId.slice(1, -1)}&gt;`)
    expect(html).toContain('In-Reply-To')
    expect(html).toContain('&lt;c1@customer.example&gt;')
    expect(html).toContain('Auto-Submitted')
    expect(html).toContain('>Queued<')
    expect(html).toMatch(/<pre>Dear Casey,\nyour parcel left our warehouse\.<\/pre>/)
    expect(html).toContain(`<iframe sandbox src="/settings/outbox/${emails.queued.id}/html" title="HTML version"`)
    // The e-mail's HTML never reaches the page itself.
    expect(html).not.toContain('<script>parent.document.title')
    expect(html).toContain(`href="/settings/outbox/${emails.queued.id}/attachments/1"`)
    expect(html).toContain('facture déc.pdf')
    expect((await admin.get('/settings/outbox/999999')).status).toBe(404)
    expect((await admin.get('/settings/outbox/abc')).status).toBe(404)
  })

  it('serves the HTML version alone, under a restrictive sandboxing CSP', async () => {
    const res = await admin.get(`/settings/outbox/${emails.queued.id}/html`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    const csp = res.headers['content-security-policy']!.split(';').map((d: string) => d.trim())
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", 'img-src data: cid:', "style-src 'unsafe-inline'", 'sandbox']))
    expect(res.text).toContain('<p>Dear Casey,</p>')
  })

  it('offers attachments as downloads only, byte for byte', async () => {
    const res = await admin.get(`/settings/outbox/${emails.queued.id}/attachments/1`).buffer(true).parse(bytes)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/octet-stream')
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="facture d_c\.pdf"; filename\*=UTF-8''facture%20d%C3%A9c\.pdf$/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0)
    const image = await admin.get(`/settings/outbox/${emails.queued.id}/attachments/0`).buffer(true).parse(bytes)
    expect(image.headers['content-disposition']).toMatch(/^attachment;/)
    expect(image.headers['content-type']).toBe('application/octet-stream')
    expect((await admin.get(`/settings/outbox/${emails.queued.id}/attachments/2`)).status).toBe(404)
    expect((await admin.get(`/settings/outbox/${emails.sent.id}/attachments/0`)).status).toBe(404)
  })

  it('sends a failed e-mail again: back to queued, due now, with a fresh series of attempts', async () => {
    const page = await admin.get(`/settings/outbox/${emails.failed.id}`)
    expect(page.text).toContain('action="/settings/outbox/' + emails.failed.id + '/retry"')
    const before = Date.now()
    const res = await admin
      .post(`/settings/outbox/${emails.failed.id}/retry`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/settings/outbox/${emails.failed.id}`)
    const row = await prisma().outboxEmail.findUniqueOrThrow({ where: { id: emails.failed.id } })
    expect(row).toMatchObject({ status: 'queued', attempts: 0, lockedUntil: null })
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000)
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
    expect((await admin.get(`/settings/outbox/${emails.failed.id}`)).text).toContain('will be sent')
    expect(await prisma().auditEvent.count({ where: { action: 'outbox.retried', targetId: String(emails.failed.id) } })).toBe(1)

    // A sent e-mail is never sent twice from here.
    const sent = await admin
      .post(`/settings/outbox/${emails.sent.id}/retry`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(sent.status).toBe(303)
    expect((await prisma().outboxEmail.findUniqueOrThrow({ where: { id: emails.sent.id } })).status).toBe('sent')
    expect((await admin.get(`/settings/outbox/${emails.sent.id}`)).text).toContain('This e-mail was already sent.')
  })

  it('sends every failed e-mail again at once', async () => {
    const a = await enqueue({ subject: 'Failed A' })
    const b = await enqueue({ subject: 'Failed B' })
    await prisma().outboxEmail.updateMany({ where: { id: { in: [a.id, b.id] } }, data: { status: 'failed', attempts: 8, lastError: 'boom' } })
    const page = await admin.get('/settings/outbox')
    expect(page.text).toContain('Send the 2 failed e-mails again')
    const res = await admin
      .post('/settings/outbox/retry-failed')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/settings/outbox')
    expect(await prisma().outboxEmail.count({ where: { status: 'failed' } })).toBe(0)
    expect(await prisma().outboxEmail.count({ where: { id: { in: [a.id, b.id] }, status: 'queued', attempts: 0 } })).toBe(2)
    expect((await admin.get('/settings/outbox')).text).toContain('2 failed e-mails will be sent again.')
  })

  it('warns admins on every page, and monitoring on /healthz, of e-mails given up on; agents are not bothered', async () => {
    const a = await enqueue({ subject: 'Given up A' })
    const b = await enqueue({ subject: 'Given up B' })
    await prisma().outboxEmail.updateMany({
      where: { id: { in: [a.id, b.id] } },
      data: { status: 'failed', attempts: 8, lastError: 'ESOCKET: connection refused' },
    })
    forgetOutboxFailures(prisma())
    for (const url of ['/conversations', '/settings', '/profile']) {
      const page = await admin.get(url)
      expect(page.text, url).toContain('2 e-mails were given up in the last 7 days')
      expect(page.text, url).toContain('href="/settings/outbox?status=failed"')
    }
    const health = await admin.get('/healthz')
    expect(health.body).toMatchObject({ status: 'ok', outbox: { failedLast7Days: 2 } })
    const agent = await buildAgent(prisma())
    const { client } = await signIn(app, agent.email, PASSWORD)
    expect((await client.get('/conversations')).text).not.toContain('given up')

    const page = await admin.get('/settings/outbox')
    await admin
      .post('/settings/outbox/retry-failed')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
    expect((await admin.get('/conversations')).text).not.toContain('given up')
    expect((await admin.get('/healthz')).body).toMatchObject({ outbox: { failedLast7Days: 0 } })
  })

  it('keeps agents out of every outbox page and action', async () => {
    const agent = await buildAgent(prisma())
    const { client } = await signIn(app, agent.email, PASSWORD)
    const token = csrfFrom((await client.get('/conversations')).text)
    await prisma().outboxEmail.update({ where: { id: emails.failed.id }, data: { status: 'failed' } })
    for (const url of [
      '/settings/outbox',
      '/settings/outbox?status=failed',
      `/settings/outbox/${emails.queued.id}`,
      `/settings/outbox/${emails.queued.id}/html`,
      `/settings/outbox/${emails.queued.id}/attachments/1`,
    ]) {
      const res = await client.get(url)
      expect(res.status, url).toBe(403)
      expect(res.text).not.toContain('Dear Casey')
    }
    expect((await client.post(`/settings/outbox/${emails.failed.id}/retry`).type('form').send({ _csrf: token })).status).toBe(403)
    expect((await client.post('/settings/outbox/retry-failed').type('form').send({ _csrf: token })).status).toBe(403)
    expect((await prisma().outboxEmail.findUniqueOrThrow({ where: { id: emails.failed.id } })).status).toBe('failed')
  })

  it('sends a signed-out visitor to the sign-in page', async () => {
    const { default: request } = await import('supertest')
    const res = await request(app.url).get('/settings/outbox').set('Accept', 'text/html')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Fsettings%2Foutbox')
  })
})
