import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SendMailOptions } from 'nodemailer'
import { systemClock } from '../../src/domain/clock.ts'
import { SYSTEM } from '../../src/domain/actor.ts'
import { runLifecycleSweep } from '../../src/domain/lifecycle/sweep.ts'
import { startOutboxWorker } from '../../src/jobs/outboxWorker.ts'
import { createLogger } from '../../src/logger.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const DAY_MS = 24 * 60 * 60 * 1000

describe('the outbox worker and mail queued as of a simulated moment', () => {
  let app: TestApp

  beforeAll(async () => {
    // No SMTP_URL: the app's own worker stays idle and the one under test is the only sender.
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('sends at once the reminders a sweep wrote as of a later moment (jobs:lifecycle --now)', async () => {
    const ctx = app.ctx.domain
    const admin = await buildAgent(ctx.prisma, { role: 'admin' })
    const folder = await buildFolder(ctx.prisma)
    const c = await buildConversation(ctx, admin, {
      folderId: folder.id,
      mode: 'send',
      customerEmail: 'later@example.test',
      text: 'Try restarting the router.',
    })
    const later = new Date(Date.now() + 24 * DAY_MS)
    expect(await runLifecycleSweep({ ...ctx, clock: () => later }, SYSTEM)).toMatchObject({ reminded: 1 })

    const sent: SendMailOptions[] = []
    const worker = startOutboxWorker({
      prisma: ctx.prisma,
      transport: { sendMail: async (m: SendMailOptions) => void sent.push(m) },
      clock: systemClock,
      logger: createLogger('silent'),
      from: 'Suivi <support@example.test>',
      intervalMs: 100,
    })
    try {
      const reminderSent = async () => (await ctx.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'reminder' } })).status === 'sent'
      for (const deadline = Date.now() + 5_000; !(await reminderSent()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100))
      expect(await reminderSent()).toBe(true)
      const reminder = sent.find((m) => String(m.subject).includes('Is your problem solved?'))
      expect(reminder?.envelope).toMatchObject({ to: ['later@example.test'] })
    } finally {
      await worker.stop()
    }
  })
})
