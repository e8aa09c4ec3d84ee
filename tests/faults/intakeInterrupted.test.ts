import nodemailer from 'nodemailer'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

/**
 * Reliability §1, inbound side: an e-mail the SMTP listener has accepted (250, so the sending MTA
 * has forgotten it) must end up in a conversation even when its database connection is cut while
 * the intake works on it. The intake leaves such a row `received` for the recovery pass (every
 * minute, rows older than a minute) when the failure is "transient"; anything else marks it
 * `failed`, where it waits for an admin.
 *
 * The interruption is made deterministic: the settings table is locked so the intake waits on it
 * (it reads the attachment limit there), then the waiting server process is terminated (what
 * `pg_terminate_backend`, a connection pooler restart or a server restart do to it). The recovery
 * pass is called directly with the app's clock a minute later, instead of waiting for its timer.
 * Private PostgreSQL cluster: the second case restarts the server.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => null)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

describe('an inbound e-mail whose database connection is cut during the intake', () => {
  let privatePg: PrivatePostgres
  let databaseUrl: string
  let app: TestApp
  let offset = 0
  const clock = () => new Date(Date.now() + offset)

  beforeAll(async () => {
    privatePg = await startPrivatePostgres()
    databaseUrl = await privatePg.createDatabase('suivi_intake')
    app = await startTestApp({ DATABASE_URL: databaseUrl, MAIL_FROM: 'Acme Support <help@acme.example>' }, { clock })
  })
  afterAll(async () => {
    await app?.close().catch(() => {})
    await privatePg?.cleanup()
  })

  async function client() {
    const c = new pg.Client({ connectionString: databaseUrl })
    c.on('error', () => {}) // terminated on purpose in the restart case
    await c.connect()
    return c
  }

  /** Sends one e-mail while the intake is held on a lock, runs `interrupt` on the held backend, then lets go. */
  async function interruptedIntake(messageId: string, interrupt: (pid: number) => Promise<void>) {
    const locker = await client()
    const watcher = await client()
    await locker.query('BEGIN')
    await locker.query('LOCK TABLE settings IN ACCESS EXCLUSIVE MODE')
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: app.smtpPort!, secure: false, ignoreTLS: true })
      .sendMail({ from: 'Ivy Intake <ivy@customer.example>', to: 'help@acme.example', subject: `Interrupted ${messageId}`, text: 'Hello?', messageId })
    // The listener answered 250: from here on the message is ours to keep.
    const pid = await until('the intake to wait on the settings lock', async () => {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      )
      return rows[0]?.pid
    })
    await interrupt(pid)
    await locker.query('ROLLBACK').catch(() => {})
    await locker.end().catch(() => {})
    await watcher.end().catch(() => {})
    await app.ctx.intake.drain()
  }

  async function recoverAMinuteLater() {
    await until('/healthz to answer 200', async () => (await fetch(`${app.url}/healthz`)).status === 200, 30_000)
    offset += 61_000
    await app.ctx.intake.recover()
    await app.ctx.intake.drain()
  }

  const rowOf = (messageId: string) => app.ctx.db.prisma.inboundMessage.findFirst({ where: { messageIdHeader: messageId } })

  it('is retried, not failed, when only its connection is terminated (pg_terminate_backend)', async () => {
    const messageId = '<terminated@customer.example>'
    await interruptedIntake(messageId, async (pid) => {
      const admin = await client()
      await admin.query('SELECT pg_terminate_backend($1)', [pid])
      await admin.end()
    })
    const row = await rowOf(messageId)
    // The failure was the connection, not the message: it must stay in line for the recovery.
    expect({ status: row?.status, error: row?.error }).toEqual({ status: 'received', error: null })
    await recoverAMinuteLater()
    expect((await rowOf(messageId))?.status).toBe('processed')
    expect(await app.ctx.db.prisma.message.count({ where: { emailMessageId: messageId } })).toBe(1)
  }, 60_000)

  it('is processed after a PostgreSQL restart that cut it off', async () => {
    const messageId = '<restarted@customer.example>'
    await interruptedIntake(messageId, () => privatePg.restart())
    await recoverAMinuteLater()
    const row = await rowOf(messageId)
    expect({ status: row?.status, error: row?.error }).toEqual({ status: 'processed', error: null })
    expect(await app.ctx.db.prisma.message.count({ where: { emailMessageId: messageId } })).toBe(1)
  }, 60_000)
})
