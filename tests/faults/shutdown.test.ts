import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, freshServerDatabase } from '../helpers/privatePostgres.ts'
import { csrfFrom } from '../helpers/testApp.ts'

/**
 * Reliability §1, the orderly kind of restart: a deploy or `systemctl restart` sends SIGTERM.
 * The app then stops taking work, finishes what is in flight (intake, outbox pass), closes the
 * database and exits 0; main() gives it 10 s before it forces exit(1).
 *
 * Agents keep the live stream (GET /events) open all day, so there is practically always one open
 * when the app is stopped. This test runs the app as a child process exactly as `npm start` does
 * (the bundle built from the sources, run by node, so the signal and the exit code are the app's own), signs in, opens
 * /events, and sends SIGTERM. Fresh database on TEST_DATABASE_URL, else a private cluster.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const ADMIN = { email: 'stop@example.test', password: 'shutdown password 1' }

describe('SIGTERM while an agent has the live stream open', () => {
  let databaseUrl: string
  let cleanupDatabase: () => Promise<void> = async () => {}

  beforeAll(async () => {
    const db = await freshServerDatabase(`suivi_shutdown_${process.pid}_${randomBytes(3).toString('hex')}`)
    databaseUrl = db.url
    cleanupDatabase = db.cleanup
  })
  afterAll(async () => {
    await cleanupDatabase()
  })

  it('closes the stream, stops cleanly and exits 0 well within the 10 s limit', async () => {
    const port = await freePort()
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' })
    const child = spawn(process.execPath, ['dist/server.mjs'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        SMTP_LISTEN_PORT: '0',
        SCHEDULER_ENABLED: 'false',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    )
    const base = `http://127.0.0.1:${port}`
    const abort = new AbortController()
    try {
      for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
        if (child.exitCode !== null) throw new Error(`the app exited:\n${output}`)
        if (Date.now() > deadline) throw new Error(`the app did not start:\n${output}`)
        if (
          await fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break
      }

      // Sign in and open the live stream, as the conversation list page does.
      const jar = new Map<string, string>()
      const keep = (res: Response) => {
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';')
          jar.set(pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1))
        }
      }
      const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      const login = await fetch(`${base}/login`)
      keep(login)
      const signIn = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfFrom(await login.text()), ...ADMIN }),
      })
      keep(signIn)
      expect(signIn.status).toBe(303)
      const stream = await fetch(`${base}/events`, { headers: { cookie: cookie(), accept: 'text/event-stream' }, signal: abort.signal })
      expect(stream.status).toBe(200)
      const reader = stream.body!.getReader()
      await reader.read() // "retry: 3000": the stream is subscribed
      let streamEndedAt: number | null = null
      const readUntilEnd = (async () => {
        try {
          while (!(await reader.read()).done);
          streamEndedAt = Date.now()
        } catch {
          // aborted by the test
        }
      })()

      const sentAt = Date.now()
      child.kill('SIGTERM')
      const exit = await Promise.race([exited, sleep(20_000).then(() => null)])
      abort.abort()
      await readUntilEnd
      expect(exit, `the app did not exit within 20 s of SIGTERM:\n${output.slice(-2000)}`).not.toBeNull()
      const took = exit!.at - sentAt
      console.log(
        `[shutdown] exit code ${exit!.code} ${exit!.signal ?? ''} ${took} ms after SIGTERM; stream ended by the server: ${streamEndedAt ? `${streamEndedAt - sentAt} ms` : 'no'}`,
      )
      // The orderly path, not main()'s 10 s force-exit.
      expect({ code: exit!.code, forced: took >= 9_500 }).toEqual({ code: 0, forced: false })
      expect(streamEndedAt, 'the server never ended the /events stream').not.toBeNull()
    } finally {
      abort.abort()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  }, 90_000)
})
