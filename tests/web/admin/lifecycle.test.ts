import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSettings } from '../../../src/domain/settings/settings.ts'
import { csrfFrom, setUpAndSignIn, startTestApp, type TestApp } from '../../helpers/testApp.ts'

describe('the reminders and closing settings page', () => {
  let app: TestApp
  let admin: Awaited<ReturnType<typeof setUpAndSignIn>>
  beforeAll(async () => {
    app = await startTestApp()
    admin = await setUpAndSignIn(app)
  })
  afterAll(async () => {
    await app?.close()
  })

  const form = (page: string, changes: Record<string, string>) => ({
    _csrf: csrfFrom(page),
    pendingCloseDays: '30',
    reminderBeforeCloseDays: '7',
    reopenWindowDays: '30',
    attachmentMaxMegabytes: '8',
    sweepSchedule: '*/5 * * * *',
    reminderText: 'Solved?',
    closingText: 'Closed.',
    closingEmailEnabled: 'on',
    ...changes,
  })

  it('shows the defaults and saves valid changes, audited', async () => {
    const page = await admin.get('/settings/lifecycle')
    expect(page.status).toBe(200)
    expect(page.text).toContain('value="30"')
    const res = await admin
      .post('/settings/lifecycle')
      .type('form')
      .send(form(page.text, { pendingCloseDays: '14', reminderBeforeCloseDays: '3', attachmentMaxMegabytes: '2', closingEmailEnabled: '' }))
    expect(res.status).toBe(303)
    const s = await loadSettings(app.ctx.db.prisma)
    expect(s).toMatchObject({
      pendingCloseDays: 14,
      reminderBeforeCloseDays: 3,
      attachmentMaxBytes: 2 * 1024 * 1024,
      closingEmailEnabled: false,
      reminderText: 'Solved?',
    })
    const audit = await app.ctx.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'settings.updated' } })
    expect(audit.data).toMatchObject({ pendingCloseDays: { from: 30, to: 14 } })
  })

  it('refuses a reminder after the close, a bad schedule and negative days, keeping what was saved', async () => {
    const page = await admin.get('/settings/lifecycle')
    for (const [changes, message] of [
      [{ pendingCloseDays: '5', reminderBeforeCloseDays: '9' }, 'Remind fewer than 5 days'],
      [{ sweepSchedule: 'every five minutes' }, 'five cron fields'],
      [{ pendingCloseDays: '-1' }, ''],
    ] as const) {
      const res = await admin.post('/settings/lifecycle').type('form').send(form(page.text, changes))
      expect(res.status).toBe(400)
      if (message) expect(res.text).toContain(message)
    }
    expect((await loadSettings(app.ctx.db.prisma)).pendingCloseDays).toBe(14)
  })
})
