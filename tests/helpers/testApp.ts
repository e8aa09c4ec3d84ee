import { randomBytes } from 'node:crypto'
import type { DestinationStream } from 'pino'
import request from 'supertest'
import { loadConfig } from '../../src/config.ts'
import { startServer, type RunningServer } from '../../src/server.ts'
import type { Clock } from '../../src/domain/clock.ts'
import { createDatabaseOn } from './privatePostgres.ts'

/**
 * A database of its own for one test file: a fresh database on the PostgreSQL server named by
 * TEST_DATABASE_URL, or an in-memory PGlite when no server is configured.
 */
async function createDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL
  if (!base) return { url: undefined, drop: async () => {} }
  return createDatabaseOn(base, `suivi_test_${process.pid}_${randomBytes(4).toString('hex')}`)
}

export interface TestApp extends RunningServer {
  close(): Promise<void>
}

/** Starts the whole app on a free port against its own database. */
export async function startTestApp(env: Record<string, string> = {}, options: { clock?: Clock; logDestination?: DestinationStream } = {}): Promise<TestApp> {
  const database = await createDatabase()
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Tests run sweeps themselves, at the times they choose.
    SCHEDULER_ENABLED: 'false',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...env,
  })
  const running = await startServer(config, {
    inMemoryDatabase: !database.url,
    clock: options.clock,
    smtpListenPort: 0,
    logDestination: options.logDestination,
  }) // a free port for each test app's SMTP listener
  return {
    ...running,
    async close() {
      await running.stop()
      await database.drop()
    },
  }
}

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!m?.[1]) throw new Error('no CSRF token on the page')
  return m[1]
}

export const ADMIN = { name: 'Ada Admin', email: 'ada@example.test', password: 'correct horse battery' }

/** A cookie-keeping client that has completed first-run setup and is signed in as ADMIN. */
export async function setUpAndSignIn(app: TestApp) {
  const client = request.agent(app.url)
  const page = await client.get('/setup')
  const res = await client
    .post('/setup')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...ADMIN })
  if (res.status !== 303) throw new Error(`setup failed with ${res.status}`)
  return client
}

/** Signs in on a fresh client and returns it. */
export async function signIn(app: TestApp, email: string, password: string) {
  const client = request.agent(app.url)
  const page = await client.get('/login')
  const res = await client
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password })
  return { client, res }
}
