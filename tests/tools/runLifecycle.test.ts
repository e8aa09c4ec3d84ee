import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../../src/domain/actor.ts'
import { buildAgent, buildConversation, buildFolder } from '../helpers/factories.ts'
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/**
 * `npm run jobs:lifecycle` run beside the app, on the app's PostgreSQL database (the embedded
 * one serves a single process), as an operator would: to see reminders go out ahead of time.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DAY_MS = 24 * 60 * 60 * 1000

function runLifecycle(now: Date, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/run-lifecycle.ts', '--now', now.toISOString()], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', PUBLIC_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('npm run jobs:lifecycle beside the running app', () => {
  let smtp: SmtpCapture
  let app: TestApp
  let admin: Actor
  let folderId: number

  beforeAll(async () => {
    smtp = await startSmtpCapture()
    // The app's own clock is the real one: its outbox worker sends what is due now.
    app = await startTestApp({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://help.example.test' })
    admin = await buildAgent(app.ctx.domain.prisma, { role: 'admin' })
    folderId = (await buildFolder(app.ctx.domain.prisma)).id
  })
  afterAll(async () => {
    await app?.close()
    await smtp?.stop()
  })

  it('queues reminders written as of a later --now that the running app sends at once', async () => {
    const c = await buildConversation(app.ctx.domain, admin, {
      folderId,
      mode: 'send',
      customerEmail: 'ahead@example.test',
      text: 'Try restarting the router.',
    })
    expect(c.status).toBe('pending')
    await smtp.waitFor(1)

    const run = await runLifecycle(new Date(Date.now() + 24 * DAY_MS), { DATABASE_URL: app.ctx.config.databaseUrl!, PUBLIC_URL: 'https://help.example.test' })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('reminded 1 conversation(s)')

    const reminder = await app.ctx.domain.prisma.outboxEmail.findFirstOrThrow({ where: { conversationId: c.id, kind: 'reminder' } })
    expect(reminder.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now())
    // The app's worker polls every 2 s.
    const [, sent] = await smtp.waitFor(2, 10_000)
    expect(sent!.envelope.rcptTo).toEqual(['ahead@example.test'])
    expect(sent!.parsed.subject).toContain('Is your problem solved?')
  }, 60_000)

  it('warns when PUBLIC_URL is unset, with the URL its links carry; not when it is set', async () => {
    const unset = await runLifecycle(new Date(), { DATABASE_URL: app.ctx.config.databaseUrl!, PORT: '8123' })
    expect(unset.code, unset.stderr).toBe(0)
    expect(unset.stderr).toContain('Warning: PUBLIC_URL is not set, so links in e-mails point to http://localhost:8123.')
    const set = await runLifecycle(new Date(), { DATABASE_URL: app.ctx.config.databaseUrl!, PUBLIC_URL: 'https://help.example.test' })
    expect(set.code, set.stderr).toBe(0)
    expect(set.stderr).not.toContain('PUBLIC_URL')
  }, 60_000)
})
