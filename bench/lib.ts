import pg from 'pg'
import { loadConfig } from '../src/config.ts'
import { startServer, type RunningServer } from '../src/server.ts'

/** A fresh database for a benchmark on the server of BENCH_DATABASE_URL (default: the local one). */
export async function freshDatabase(name: string): Promise<string> {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

export async function startBenchApp(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    SCHEDULER_ENABLED: 'false',
    ...env,
  })
  return startServer(config, { smtpListenPort: 0 })
}

/** A one-line progress bar on stderr. */
export function progress(label: string, total: number) {
  let last = 0
  return (done: number) => {
    const now = Date.now()
    if (done < total && now - last < 200) return
    last = now
    const width = 30
    const filled = Math.round((done / total) * width)
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`)
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
