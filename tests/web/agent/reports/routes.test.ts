import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asCustomer, type Actor } from '../../../../src/domain/actor.ts'
import { recordRating } from '../../../../src/domain/ratings/recordRating.ts'
import { rebuildReports } from '../../../../src/domain/reports/rebuild.ts'
import { buildAgent, buildConversation, buildFolder, PASSWORD, testClock } from '../../../helpers/factories.ts'
import { signIn, startTestApp, type TestApp } from '../../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof signIn>>['client']

/** A CSV file's rows (no quoted line breaks in these). */
const csvRows = (text: string) =>
  text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((line) => line.split(','))

const sumColumn = (text: string, column: string) => {
  const [header, ...rows] = csvRows(text)
  const i = header!.indexOf(column)
  return rows.reduce((sum, row) => sum + Number(row[i]), 0)
}

describe('the reports page', () => {
  const time = testClock(new Date('2027-01-05T09:00:00Z'))
  let app: TestApp
  let admin: Actor
  let supportId: number
  let vaultId: number
  let adminClient: Client
  let agentClient: Client
  /** What only the hidden folder holds: none of it may reach an agent outside it. */
  const HIDDEN = ['Vault', 'Ingrid Insider', 'Zebulon Quartz', 'Quokka', 'Strongroom inventory']

  beforeAll(async () => {
    app = await startTestApp({}, { clock: time.clock })
    const prisma = app.ctx.db.prisma
    const ctx = app.ctx.domain
    const support = await buildFolder(prisma, 'Support')
    const vault = await buildFolder(prisma, 'Vault')
    supportId = support.id
    vaultId = vault.id
    await prisma.folder.updateMany({ data: { ratingsEnabled: true } })
    admin = await buildAgent(prisma, { role: 'admin', name: 'Alice Admin' })
    const bruno = await buildAgent(prisma, { folderIds: [support.id], name: 'Bruno Agent' })
    const ingrid = await buildAgent(prisma, { folderIds: [vault.id], name: 'Ingrid Insider' })
    // Three conversations in Support over three days, answered by Bruno; five in the Vault.
    for (let i = 0; i < 3; i++) {
      const c = await buildConversation(ctx, bruno, { folderId: support.id, mode: 'send', subject: `Printer jam ${i}`, assigneeId: bruno.id })
      if (i === 0) {
        time.advance(3600_000)
        await recordRating(ctx, asCustomer(c.customerId), {
          conversationId: c.id,
          value: 'bad',
          confirmed: true,
          comment: '=HYPERLINK("http://x.example","y"), slow',
        })
      }
      time.advanceDays(1)
    }
    for (let i = 0; i < 5; i++) {
      const c = await buildConversation(ctx, ingrid, {
        folderId: vault.id,
        mode: 'send',
        subject: `Strongroom inventory ${i}`,
        customerName: 'Zebulon Quartz',
        assigneeId: ingrid.id,
        status: i < 2 ? 'closed' : undefined,
      })
      if (i === 0) await recordRating(ctx, asCustomer(c.customerId), { conversationId: c.id, value: 'great', confirmed: true, comment: 'Quokka approves' })
    }
    time.advanceDays(2)
    // Counted at once rather than waiting for the rollup listener, which waits for every older
    // transaction on the database server to end (another database's long one included).
    await rebuildReports(app.ctx.db.pool)
    adminClient = (await signIn(app, admin.email, PASSWORD)).client
    agentClient = (await signIn(app, bruno.email, PASSWORD)).client
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is in the main navigation and asks to sign in first', async () => {
    const page = await adminClient.get('/conversations')
    expect(page.text).toContain('href="/reports"')
    const anonymous = await startAnonymous()
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Freports')
  })

  async function startAnonymous() {
    const { default: request } = await import('supertest')
    return request(app.url).get('/reports').set('Accept', 'text/html')
  }

  it('shows an admin every folder: the last 30 days with charts, tables and CSV links', async () => {
    const res = await adminClient.get('/reports')
    expect(res.status).toBe(200)
    expect(res.text).toContain('aria-current="page">Reports</a>')
    expect(res.text).toMatch(/<option value="\d+">Vault<\/option>/)
    expect(res.text).toContain('<th scope="row">Vault</th>')
    expect(res.text).toContain('Strongroom inventory 0')
    // The summary card of new conversations: all eight.
    expect(res.text).toMatch(/New conversations<\/p>\s*<p class="report-card-value">8<\/p>/)
    expect(res.text).toContain('role="img"')
    expect(res.text).toContain('<caption>Customer messages by weekday and hour (UTC)</caption>')
    for (const table of ['volume', 'times', 'busiest-hours', 'agents', 'tags', 'folders', 'satisfaction', 'comments', 'lifecycle']) {
      expect(res.text).toContain(`href="/reports/export/${table}.csv?from=2026-12-12&amp;to=2027-01-10&amp;interval=day"`)
    }
    const volume = await adminClient.get('/reports/export/volume.csv')
    expect(sumColumn(volume.text, 'New conversations')).toBe(8)
  })

  it('shows an agent their folders only: no name, subject, comment or figure of another folder', async () => {
    const res = await agentClient.get('/reports')
    expect(res.status).toBe(200)
    for (const word of HIDDEN) expect(res.text, word).not.toContain(word)
    expect(res.text).toMatch(/<option value="\d+">Support<\/option>/)
    expect(res.text).toMatch(/New conversations<\/p>\s*<p class="report-card-value">3<\/p>/)
    expect(res.text).toContain('Printer jam 0')
    for (const table of ['volume', 'times', 'busiest-hours', 'agents', 'tags', 'folders', 'satisfaction', 'comments', 'lifecycle']) {
      const csv = await agentClient.get(`/reports/export/${table}.csv`)
      expect(csv.status, table).toBe(200)
      for (const word of HIDDEN) expect(csv.text, `${table}: ${word}`).not.toContain(word)
    }
    const volume = await agentClient.get('/reports/export/volume.csv')
    expect(sumColumn(volume.text, 'New conversations')).toBe(3)
    const folders = await agentClient.get('/reports/export/folders.csv')
    expect(csvRows(folders.text).map((row) => row[0])).toEqual(['Folder', 'Support'])
  })

  it('answers an agent asking for another folder as for one that does not exist', async () => {
    const hidden = await agentClient.get(`/reports?folder=${vaultId}`)
    const missing = await agentClient.get('/reports?folder=999999')
    expect(hidden.status).toBe(400)
    expect(hidden.text).toContain('Choose a folder from the list.')
    for (const word of HIDDEN) expect(hidden.text).not.toContain(word)
    expect(missing.status).toBe(400)
    // The same page either way, but for the number asked for and the form's token.
    const same = (text: string) =>
      text
        .replace(/folder=\d+/g, '')
        .replace(/name="_csrf" value="[^"]*"/g, '')
        .replace(/content="[0-9a-f]{32,}"/g, '')
    expect(same(missing.text)).toBe(same(hidden.text))
    const csv = await agentClient.get(`/reports/export/volume.csv?folder=${vaultId}`)
    expect(csv.status).toBe(400)
    expect(csv.text).not.toContain('Vault')
  })

  it('exports a table as a CSV file, a customer’s formula made harmless', async () => {
    const res = await adminClient.get(`/reports/export/comments.csv?from=2026-12-12&to=2027-01-10&folder=${supportId}`)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toBe('attachment; filename=suivi-comments-2026-12-12-2027-01-10.csv')
    expect(res.text.startsWith('\uFEFFConversation,Subject,Customer,Rating,Comment,Rated on\r\n')).toBe(true)
    expect(res.text).toContain(`"'=HYPERLINK(""http://x.example"",""y""), slow"`)
    expect(res.text).not.toContain('Quokka')
    expect((await adminClient.get('/reports/export/secrets.csv')).status).toBe(404)
  })

  it('explains a refused range and keeps what was typed', async () => {
    const res = await adminClient.get('/reports?from=2027-01-07&to=2026-12-01')
    expect(res.status).toBe(400)
    expect(res.text).toContain('The end date is before the start date.')
    expect(res.text).toContain('value="2027-01-07"')
    expect(res.text).toContain('aria-invalid="true" aria-describedby="report-to-error"')
    expect(res.text).not.toContain('class="report-cards"')
    const long = await adminClient.get('/reports?from=2020-01-01&to=2027-01-01')
    expect(long.text).toContain('A report covers at most 2 years.')
  })

  it('speaks French to a French reader: weekdays, numbers and durations', async () => {
    const prisma = app.ctx.db.prisma
    const french = await buildAgent(prisma, { folderIds: [supportId], name: 'Françoise' })
    await prisma.agent.update({ where: { id: french.id }, data: { locale: 'fr', timeZone: 'Europe/Paris' } })
    const client = (await signIn(app, french.email, PASSWORD)).client
    const res = await client.get('/reports?period=7d')
    expect(res.status).toBe(200)
    expect(res.text).toContain('>Rapports</a>')
    expect(res.text).toContain('<li>lun.</li>')
    expect(res.text).toContain('Nouvelles conversations')
    expect(res.text).toContain('Messages des clients par jour et par heure (Europe/Paris)')
    const csv = await client.get('/reports/export/volume.csv?period=7d')
    expect(csv.text.startsWith('\uFEFFJour,Nouvelles conversations')).toBe(true)
  })
})
