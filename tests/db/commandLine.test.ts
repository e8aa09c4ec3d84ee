import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Runs a command-line tool in a child process, as `npm run` would, with the given environment on top of ours. */
function runTool(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
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

// The commands that open the database, each started while this process (standing in for the
// running app) holds the embedded database.
const COMMANDS = [
  { name: 'npm run jobs:lifecycle', args: ['tools/run-lifecycle.ts', '--now', '2027-01-31T10:00:00Z'] },
  { name: 'npm run mail:reprocess', args: ['tools/mail-reprocess.ts', '--failed'] },
  { name: 'npm run db:migrate', args: ['src/db/migrate-cli.ts'] },
  { name: 'npm run seed', args: ['tools/seed.ts', '--conversations', '10'] },
  { name: 'npm run reports:rebuild', args: ['tools/reports-rebuild.ts'] },
]

describe('a command started while the app holds the embedded database', () => {
  let dataDir: string
  let held: EmbeddedPostgres

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'suivi-busy-'))
    held = await startEmbeddedPostgres(dataDir)
  })
  afterAll(async () => {
    await held?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it.each(COMMANDS)(
    '$name says plainly what to do and exits non-zero, with no stack trace',
    async ({ name, args }) => {
      const run = await runTool(args, { DATA_DIR: dataDir, DATABASE_URL: '', PUBLIC_URL: 'https://help.example.test', LOG_LEVEL: 'warn' })
      const output = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`
      expect(run.code, output).toBe(1)
      expect(run.stderr, output).toContain(`${name} cannot open the embedded database in ${dataDir} while another Suivi process`)
      expect(run.stderr, output).toContain('set DATABASE_URL to a PostgreSQL server')
      expect(run.stderr, output).not.toMatch(/^\s+at /m)
      expect(run.stderr, output).not.toContain('EmbeddedDatabaseBusyError')
    },
    60_000,
  )
})
