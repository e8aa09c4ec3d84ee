import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessSeconds, parseBusinessHours } from '../../../src/domain/reports/businessHours.ts'
import { ADMIN, csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

type Client = Awaited<ReturnType<typeof setUpAndSignIn>>

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const

/** The whole folder form as a browser sends it: the folder's settings, ratings and business hours. */
function folderForm(overrides: Record<string, string | undefined> = {}) {
  const form: Record<string, string | undefined> = {
    name: 'General',
    inboundAddress: '',
    signatureHtml: '',
    acknowledge: 'on',
    acknowledgementText: '',
    locale: 'en',
    timeZone: 'Europe/Paris',
    ratingsEnabled: 'on',
    hoursMode: 'weekly',
    holidays: '2026-12-25\r\n2027-01-01\r\n',
  }
  for (const d of DAYS) {
    form[`open${d}`] = '09:00'
    form[`close${d}`] = '17:30'
  }
  form.closedSat = 'on'
  form.closedSun = 'on'
  const out = { ...form, ...overrides }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Record<string, string>
}

/** The input element with that id, as written in the page. */
const inputTag = (html: string, id: string) => new RegExp(`<input id="${id}"[^>]*>`).exec(html)?.[0] ?? ''

describe('settings: a folder’s business hours and satisfaction ratings', () => {
  let app: TestApp
  let admin: Client
  let folderId: number
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
    folderId = (await prisma().folder.findFirstOrThrow({ where: { name: 'General' } })).id
  })
  afterAll(async () => {
    await app?.close()
  })

  async function save(fields: Record<string, string>) {
    const page = await admin.get(`/settings/folders/${folderId}`)
    return admin
      .post(`/settings/folders/${folderId}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields })
  }

  it('offers round the clock and ratings off for a new folder, every control with its label', async () => {
    const page = await admin.get(`/settings/folders/${folderId}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<legend>Business hours</legend>')
    expect(page.text).toMatch(/<input type="radio" name="hoursMode" value="always" checked>/)
    expect(page.text).toMatch(/<input type="checkbox" name="ratingsEnabled"\s+aria-describedby/)
    expect(page.text).toContain('Satisfaction ratings in e-mails')
    for (const d of DAYS) {
      for (const field of [`open${d}`, `close${d}`, `closed${d}`]) {
        expect(inputTag(page.text, `hours-${field}`), field).not.toBe('')
        expect(page.text).toMatch(new RegExp(`<label class="visually-hidden" for="hours-${field}">[^<]+</label>`))
      }
    }
    expect(page.text).toContain('<label class="visually-hidden" for="hours-openMon">Opens on Monday</label>')
    expect(page.text).toContain('<label for="folder-holidays">Holidays (closed all day)</label>')
  })

  it('saves weekly hours, holidays and the ratings switch, and records who changed them', async () => {
    const res = await save(folderForm({ closedWed: 'on', closeFri: '00:00' }))
    expect(res.status).toBe(303)
    const folder = await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })
    expect(folder.ratingsEnabled).toBe(true)
    expect(folder.businessHours).toEqual({
      week: {
        mon: [['09:00', '17:30']],
        tue: [['09:00', '17:30']],
        wed: [],
        thu: [['09:00', '17:30']],
        fri: [['09:00', '24:00']],
        sat: [],
        sun: [],
      },
      holidays: ['2026-12-25', '2027-01-01'],
    })
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.updated', targetId: String(folderId) }, orderBy: { id: 'desc' } })
    expect(audit.data).toMatchObject({
      ratingsEnabled: { from: false, to: true },
      businessHours: { from: 'mon–sun 00:00–24:00', to: 'mon–tue 09:00–17:30, thu 09:00–17:30, fri 09:00–24:00' },
      holidays: { from: [], to: ['2026-12-25', '2027-01-01'] },
    })
    const log = await admin.get('/settings/audit')
    expect(log.text).toContain('satisfaction ratings in e-mails: no → yes')
    expect(log.text).toContain('holidays: none → 2026-12-25, 2027-01-01')

    // The page shows what is stored; the reports count in these hours, in the folder's zone.
    const page = await admin.get(`/settings/folders/${folderId}`)
    expect(page.text).toMatch(/<input type="radio" name="hoursMode" value="weekly" checked>/)
    expect(inputTag(page.text, 'hours-openMon')).toContain('value="09:00"')
    expect(inputTag(page.text, 'hours-closeFri')).toContain('value="00:00"')
    expect(inputTag(page.text, 'hours-closedWed')).toContain('checked')
    expect(inputTag(page.text, 'hours-closedThu')).not.toContain('checked')
    expect(page.text).toMatch(/name="holidays"[^>]*>2026-12-25\n2027-01-01<\/textarea>/)
    expect(page.text).toMatch(/<input type="checkbox" name="ratingsEnabled" checked/)
    const calendar = parseBusinessHours(folder.businessHours)
    // Tuesday 8 December 2026 17:00 to Thursday 10 December 10:00 in Paris: half an hour, Wednesday closed, one hour.
    expect(businessSeconds(new Date('2026-12-08T16:00:00Z'), new Date('2026-12-10T09:00:00Z'), calendar, folder.timeZone)).toBe(1.5 * 3600)
  })

  it('refuses a time that does not exist at its field, keeping everything typed', async () => {
    const before = await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })
    const res = await save(
      folderForm({ name: 'General desk', openTue: '25:00', closeThu: '08:00', ratingsEnabled: undefined, holidays: '2026-12-24\n2026-02-30' }),
    )
    expect(res.status).toBe(400)
    expect(inputTag(res.text, 'hours-openTue')).toContain('aria-invalid="true"')
    expect(inputTag(res.text, 'hours-openTue')).toContain('aria-describedby="openTue-error"')
    expect(res.text).toContain('<p class="field-error" id="openTue-error">Enter a time such as 09:00 or 17:30 (“25:00” is not one).</p>')
    expect(res.text).toContain('<p class="field-error" id="closeThu-error">The closing time must come after the opening time (09:00).</p>')
    expect(res.text).toContain('<p class="field-error" id="holidays-error">Enter dates such as 2026-12-25, one per line (“2026-02-30” is not one).</p>')
    expect(inputTag(res.text, 'hours-openMon')).not.toContain('aria-invalid')
    // What was typed is still there.
    expect(inputTag(res.text, 'hours-openTue')).toContain('value="25:00"')
    expect(res.text).toContain('value="General desk"')
    expect(res.text).toMatch(/name="holidays"[^>]*>2026-12-24\n2026-02-30<\/textarea>/)
    expect(res.text).toMatch(/<input type="checkbox" name="ratingsEnabled"\s+aria-describedby/)
    // Nothing changed.
    expect(await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })).toMatchObject({
      name: 'General',
      ratingsEnabled: true,
      businessHours: before.businessHours,
    })
  })

  it('says which field is wrong in French too', async () => {
    await prisma().agent.update({ where: { email: ADMIN.email }, data: { locale: 'fr' } })
    const res = await save(folderForm({ openMon: '', closedSat: undefined, openSat: '10:00', closeSat: '10:00' }))
    await prisma().agent.update({ where: { email: ADMIN.email }, data: { locale: 'en' } })
    expect(res.status).toBe(400)
    expect(res.text).toContain('<p class="field-error" id="openMon-error">Saisissez l’heure, ou indiquez que le jour est fermé.</p>')
    expect(res.text).toContain('L’heure de fermeture doit venir après l’heure d’ouverture (10:00).')
    expect(res.text).toContain('<label class="visually-hidden" for="hours-openMon">Ouverture le lundi</label>')
  })

  it('refuses a week that never opens', async () => {
    const closedAll = Object.fromEntries(DAYS.map((d) => [`closed${d}`, 'on']))
    const res = await save(folderForm(closedAll))
    expect(res.status).toBe(400)
    expect(res.text).toContain('<p class="field-error" id="hoursMode-error">Open on at least one day, or choose round the clock.</p>')
  })

  it('goes back to round the clock (keeping holidays when there are some), and a form without the fieldset keeps the hours', async () => {
    expect((await save(folderForm({ hoursMode: 'always', openMon: 'whatever' }))).status).toBe(303)
    let folder = await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })
    expect((folder.businessHours as { week: Record<string, unknown> }).week.sat).toEqual([['00:00', '24:00']])
    expect((folder.businessHours as { holidays: string[] }).holidays).toEqual(['2026-12-25', '2027-01-01'])
    const page = await admin.get(`/settings/folders/${folderId}`)
    expect(page.text).toMatch(/<input type="radio" name="hoursMode" value="always" checked>/)

    expect((await save(folderForm({ hoursMode: 'always', holidays: '' }))).status).toBe(303)
    folder = await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })
    expect(folder.businessHours).toBeNull()
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'folder.updated', targetId: String(folderId) }, orderBy: { id: 'desc' } })
    expect(audit.data).toEqual({ name: 'General', holidays: { from: ['2026-12-25', '2027-01-01'], to: [] } })

    expect((await save(folderForm())).status).toBe(303)
    const withoutFieldset = { name: 'General', inboundAddress: '', signatureHtml: '', acknowledge: 'on', ratingsEnabled: 'on' }
    expect((await save(withoutFieldset)).status).toBe(303)
    folder = await prisma().folder.findUniqueOrThrow({ where: { id: folderId } })
    expect((folder.businessHours as { week: Record<string, unknown> }).week.mon).toEqual([['09:00', '17:30']])
  })
})
