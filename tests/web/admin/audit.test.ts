import { recordAdminEvent } from '../../../src/domain/events/record.ts'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAgent, PASSWORD } from '../../helpers/factories.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, signIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>

interface Row {
  id: number
  action: string
  when: string
  who: string
  what: string
  target: string
  details: string
}

/** The entries of an audit page, top to bottom. */
function rowsOf(html: string): Row[] {
  const re =
    /<tr data-audit-id="(\d+)" data-action="([^"]+)">\s*<td><time datetime="([^"]+)"[^>]*>[^<]*<\/time><br><span class="audit-who">([^<]*)<\/span><\/td>\s*<td><strong class="audit-action">([^<]*)<\/strong><br><span class="muted small audit-target">([^<]*)<\/span><\/td>\s*<td class="small">([^<]*)<\/td>/g
  return [...html.matchAll(re)].map((m) => ({ id: Number(m[1]), action: m[2]!, when: m[3]!, who: m[4]!, what: m[5]!, target: m[6]!, details: m[7]! }))
}

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

const IMAP_PASSWORD = 'Never-Show-Me-31337'

describe('settings: the audit log', () => {
  let app: TestApp
  let admin: Client
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  async function post(path: string, fields: Record<string, string> = {}) {
    const page = await admin.get('/settings/audit')
    const res = await admin
      .post(path)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields })
    expect(res.status, `POST ${path}`).toBe(303)
    return res
  }

  it('lists every administrative action with who, what, target and a short summary, newest first', async () => {
    // Folders
    await post('/settings/folders/new', { name: 'Billing' })
    await post('/settings/folders/new', { name: 'Spare' })
    const billing = await prisma().folder.findFirstOrThrow({ where: { name: 'Billing' } })
    const spare = await prisma().folder.findFirstOrThrow({ where: { name: 'Spare' } })
    await post(`/settings/folders/${billing.id}`, { name: 'Invoices', inboundAddress: 'invoices@example.com', signatureHtml: '<p>Bye</p>' })
    await post(`/settings/folders/${spare.id}/move`, { direction: 'up' })
    await post(`/settings/folders/${spare.id}/delete`)
    // Tags
    await post('/settings/tags/new', { name: 'refund', colour: 'red' })
    const tag = await prisma().tag.findFirstOrThrow({ where: { name: 'refund' } })
    await post(`/settings/tags/${tag.id}`, { name: 'refunds', colour: 'amber' })
    await post(`/settings/tags/${tag.id}/delete`)
    // IMAP accounts
    const port = String(await closedPort())
    const imapForm = { host: '127.0.0.1', port, username: 'help@example.test', mailbox: 'INBOX', moveToMailbox: '', folderId: '', enabled: 'on' }
    await post('/settings/imap/new', { ...imapForm, password: IMAP_PASSWORD })
    const account = await prisma().imapAccount.findFirstOrThrow()
    await post(`/settings/imap/${account.id}`, { ...imapForm, password: `${IMAP_PASSWORD}-2`, moveToMailbox: 'Done' })
    await post(`/settings/imap/${account.id}/test`)
    await post(`/settings/imap/${account.id}/disable`)
    await post(`/settings/imap/${account.id}/enable`)
    await post(`/settings/imap/${account.id}/delete`)

    const page = await admin.get('/settings/audit')
    expect(page.status).toBe(200)
    expect(page.text).not.toContain(IMAP_PASSWORD)
    const rows = rowsOf(page.text)
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => b - a))
    const mine = rows.filter((r) => r.action !== 'agent.created').reverse()
    expect(mine.map((r) => r.action)).toEqual([
      'folder.created',
      'folder.created',
      'folder.updated',
      'folder.moved',
      'folder.deleted',
      'tag.created',
      'tag.updated',
      'tag.deleted',
      'imap.created',
      'imap.updated',
      'imap.tested',
      'imap.disabled',
      'imap.enabled',
      'imap.deleted',
    ])
    for (const r of mine) expect(r.who).toBe(ADMIN.name)
    const byAction = (action: string) => mine.filter((r) => r.action === action)
    expect(byAction('folder.created').map((r) => [r.what, r.target])).toEqual([
      ['Created a folder', 'Folder “Billing”'],
      ['Created a folder', 'Folder “Spare”'],
    ])
    expect(byAction('folder.updated')[0]).toMatchObject({ what: 'Changed a folder', target: 'Folder “Invoices”' })
    expect(byAction('folder.updated')[0]!.details).toContain('name: Billing → Invoices')
    expect(byAction('folder.updated')[0]!.details).toContain('inbound address: none → invoices@example.com')
    expect(byAction('folder.updated')[0]!.details).toContain('signature: changed')
    expect(byAction('folder.moved')[0]).toMatchObject({ what: 'Reordered the folders', target: 'Folder “Spare”' })
    expect(byAction('folder.moved')[0]!.details).toContain('direction: up')
    expect(byAction('folder.deleted')[0]).toMatchObject({ what: 'Deleted a folder', target: 'Folder “Spare”' })
    expect(byAction('tag.updated')[0]).toMatchObject({ what: 'Changed a tag', target: 'Tag “refunds”', details: 'name: refund → refunds; colour: red → amber' })
    expect(byAction('tag.deleted')[0]).toMatchObject({ what: 'Deleted a tag', target: 'Tag “refunds”' })
    expect(byAction('imap.created')[0]).toMatchObject({ what: 'Added an IMAP account', target: 'IMAP account “help@example.test on 127.0.0.1”' })
    expect(byAction('imap.updated')[0]!.details).toContain('move to mailbox: none → Done')
    expect(byAction('imap.updated')[0]!.details).toContain('credentials: password replaced')
    expect(byAction('imap.tested')[0]!.details).toContain('result: failed')
    expect(byAction('imap.disabled')[0]!.what).toBe('Disabled an IMAP account')
    expect(byAction('imap.deleted')[0]!.what).toBe('Deleted an IMAP account')
  })

  it('shows "System" for entries without an agent and never shows secrets, whatever an entry holds', async () => {
    await prisma().$transaction((tx) =>
      recordAdminEvent(tx, {
        type: 'settings.updated',
        agentId: null,
        at: new Date(),
        target: { type: 'settings' },
        data: {
          password: 'pw-LEAK-1',
          apiToken: 'tok-LEAK-2',
          nested: { clientSecret: 'sec-LEAK-3', kept: 'visible' },
          pendingCloseDays: { from: 30, to: 14 },
        },
      }),
    )
    const page = await admin.get('/settings/audit')
    const [top] = rowsOf(page.text)
    expect(top).toMatchObject({ who: 'System', what: 'Changed settings', target: 'Settings' })
    expect(top!.details).toContain('pending close days: 30 → 14')
    expect(top!.details).toContain('visible')
    expect(page.text).not.toMatch(/LEAK|password:|token:|secret:/i)
  })

  it('pages by 100 with an "older" link', async () => {
    const before = await prisma().auditEvent.count()
    await prisma().$transaction(async (tx) => {
      for (let i = 0; i < 150; i++)
        await recordAdminEvent(tx, { type: 'outbox.retried', agentId: null, at: new Date(), target: { type: 'outbox', id: i + 1 }, data: { failed: i + 1 } })
    })
    const total = before + 150
    const first = await admin.get('/settings/audit')
    const firstRows = rowsOf(first.text)
    expect(firstRows).toHaveLength(100)
    const older = /href="(\/settings\/audit\?before=\d+)">Older entries</.exec(first.text)?.[1]
    expect(older).toBe(`/settings/audit?before=${firstRows.at(-1)!.id}`)
    const second = await admin.get(older!)
    const secondRows = rowsOf(second.text)
    expect(secondRows).toHaveLength(Math.min(100, total - 100))
    expect(secondRows[0]!.id).toBeLessThan(firstRows.at(-1)!.id)
    expect(second.text).toContain('href="/settings/audit">Newest entries<')
    expect(secondRows.at(-1)!.action).toBe('agent.created')
    expect(second.text).not.toContain('Older entries')
  })

  it('keeps agents out of every admin page and action (403), changing nothing', async () => {
    const agent = await buildAgent(prisma(), { name: 'Bob' })
    const { client } = await signIn(app, agent.email, PASSWORD)
    const token = csrfFrom((await client.get('/conversations')).text)
    const folder = await prisma().folder.findFirstOrThrow({ where: { name: 'Invoices' } })
    const tag = await prisma().tag.create({ data: { name: 'kept', colour: 'blue' } })
    const account = await prisma().imapAccount.create({
      data: { host: '127.0.0.1', port: 1, secure: false, username: 'x@example.test', password: IMAP_PASSWORD },
    })
    const audits = await prisma().auditEvent.count()

    for (const path of [
      '/settings/folders',
      `/settings/folders/${folder.id}`,
      '/settings/tags',
      '/settings/imap',
      `/settings/imap/${account.id}`,
      '/settings/audit',
    ]) {
      const res = await client.get(path)
      expect(res.status, `GET ${path}`).toBe(403)
      expect(res.text).not.toContain(IMAP_PASSWORD)
    }
    const posts: [string, Record<string, string>][] = [
      ['/settings/folders/new', { name: 'Sneaky' }],
      [`/settings/folders/${folder.id}`, { name: 'Hijacked', inboundAddress: '', signatureHtml: '' }],
      [`/settings/folders/${folder.id}/move`, { direction: 'up' }],
      [`/settings/folders/${folder.id}/delete`, {}],
      ['/settings/tags/new', { name: 'sneaky', colour: 'red' }],
      [`/settings/tags/${tag.id}`, { name: 'hijacked', colour: 'red' }],
      [`/settings/tags/${tag.id}/delete`, {}],
      ['/settings/imap/new', { host: 'evil.example', port: '993', username: 'u', password: 'p' }],
      [`/settings/imap/${account.id}`, { host: 'evil.example', port: '993', username: 'u', password: 'p' }],
      [`/settings/imap/${account.id}/test`, {}],
      [`/settings/imap/${account.id}/disable`, {}],
      [`/settings/imap/${account.id}/enable`, {}],
      [`/settings/imap/${account.id}/delete`, {}],
    ]
    for (const [path, fields] of posts) {
      const res = await client
        .post(path)
        .type('form')
        .send({ _csrf: token, ...fields })
      expect(res.status, `POST ${path}`).toBe(403)
    }
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: folder.id } })).toMatchObject({ name: 'Invoices' })
    expect(await prisma().folder.count({ where: { name: 'Sneaky' } })).toBe(0)
    expect(await prisma().tag.findUniqueOrThrow({ where: { id: tag.id } })).toMatchObject({ name: 'kept', colour: 'blue' })
    expect(await prisma().imapAccount.findUniqueOrThrow({ where: { id: account.id } })).toMatchObject({ host: '127.0.0.1', enabled: true })
    expect(await prisma().imapAccount.count()).toBe(1)
    expect(await prisma().auditEvent.count()).toBe(audits)
  })
})
