import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/privatePostgres.ts'

/**
 * Reliability §6, the short version for CI: `tools/soak.ts` for about 45 seconds (agents browsing,
 * replying and commenting, customer e-mail in, sweeps, the outbox out), then the counts. The full
 * soak is `npm run soak -- --seconds 600`.
 *
 * The soak creates (and drops) a database of its own on TEST_DATABASE_URL's server when set, else
 * on a private PostgreSQL cluster.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SECONDS = Number(process.env.SOAK_SECONDS ?? 45)

interface Report {
  failures: string[]
  http: { requests: number; serverErrors: number; networkErrors: number; byStatus: Record<string, number> }
  actions: { repliesOk: number; commentsOk: number; opened: number; lists: number }
  live: { eventsReceived: number }
  inbound: { accepted: number; refused: number; rows: number; processed: number; messagesCreated: number }
  replies: { answered303: number; rows: number }
  comments: { answered303: number; rows: number }
  outbox: { rows: number; captured: number; distinctCaptured: number; missing: number; duplicated: string[] }
  sweeps: { runs: number; reminded: number; closed: number }
  memory: { rssGrowthAfterWarmupMb: number; rssLimitMb: number; samples: number }
}

describe('soak (short)', () => {
  let privatePg: PrivatePostgres | null = null
  const dir = mkdtempSync(path.join(tmpdir(), 'suivi-soak-'))
  afterAll(async () => {
    await privatePg?.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  it(
    `runs a mixed load for ${SECONDS} s: no 5xx, nothing lost, memory flat`,
    async () => {
      const server = process.env.TEST_DATABASE_URL ?? (privatePg = await startPrivatePostgres()).url
      const json = path.join(dir, 'report.json')
      const args = [
        'tsx',
        'tools/soak.ts',
        '--seconds',
        String(SECONDS),
        '--agents',
        '3',
        '--mail-rate',
        '2',
        '--sweep-every',
        '4',
        '--database-url',
        server,
        '--json',
        json,
      ]
      const child = spawn('npx', args, { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      let output = ''
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
      child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
      const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), (SECONDS + 120) * 1000)
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
      clearTimeout(killer)
      console.log(output.slice(output.indexOf('Soak summary')))

      expect(existsSync(json), `no report written; output:\n${output}`).toBe(true)
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report
      expect(report.failures, output).toEqual([])
      expect(code, output).toBe(0)

      // The load really was mixed.
      expect(report.http.requests).toBeGreaterThan(SECONDS * 3)
      expect(report.actions.repliesOk).toBeGreaterThan(0)
      expect(report.actions.commentsOk).toBeGreaterThan(0)
      expect(report.inbound.accepted).toBeGreaterThan(SECONDS / 2)
      expect(report.sweeps.runs).toBeGreaterThanOrEqual(5)
      expect(report.sweeps.reminded).toBeGreaterThan(0)
      expect(report.live.eventsReceived).toBeGreaterThan(0)

      // Zero 5xx, and every count in matches the count out.
      expect(report.http.serverErrors).toBe(0)
      expect(report.http.networkErrors).toBe(0)
      expect(report.inbound.refused).toBe(0)
      expect(report.inbound.rows).toBe(report.inbound.accepted)
      expect(report.inbound.processed).toBe(report.inbound.accepted)
      expect(report.inbound.messagesCreated).toBe(report.inbound.accepted)
      expect(report.replies.rows).toBe(report.replies.answered303)
      expect(report.comments.rows).toBe(report.comments.answered303)
      expect(report.outbox.missing).toBe(0)
      expect(report.outbox.duplicated).toEqual([])
      expect(report.outbox.distinctCaptured).toBe(report.outbox.rows)

      // Memory flat after the warm-up.
      expect(report.memory.samples).toBeGreaterThan(SECONDS / 2)
      expect(report.memory.rssGrowthAfterWarmupMb).toBeLessThanOrEqual(report.memory.rssLimitMb)
    },
    (SECONDS + 150) * 1000,
  )
})
