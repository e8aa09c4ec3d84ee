// Shared pieces of the HTTP load scenarios: the app (or the reference page) runs as a child
// process, autocannon drives it from this process over loopback, and the child's resident memory
// is sampled from /proc while the load runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'

export const BENCH_PASSWORD = 'bench password'
export const BENCH_ADMIN_EMAIL = 'bench-admin@example.test'
export const BENCH_AGENT_EMAIL = 'bench-agent@example.test'

export interface CommonOptions {
  /** Database name on the BENCH_DATABASE_URL server. */
  db: string
  databaseUrl: string
  /** Seconds per measurement. */
  duration: number
  connections: number[]
  /** Best of this many runs per measurement (the machine is shared and noisy). */
  runs: number
  warmup: number
  only: string | undefined
}

/** --db, --duration, --connections 1,10, --runs, --warmup, --only <scenario substring>. */
export function parseCommon(extra: NonNullable<ParseArgsConfig['options']> = {}) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'suivi_bench_100k' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '1,10' },
      runs: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '2' },
      only: { type: 'string' },
      ...extra,
    },
    allowPositionals: true,
  })
  const v = values as Record<string, string | boolean | undefined>
  const db = String(v.db)
  const common: CommonOptions = {
    db,
    databaseUrl: databaseUrl(db),
    duration: Number(v.duration),
    connections: String(v.connections).split(',').map(Number),
    runs: Math.max(1, Number(v.runs)),
    warmup: Number(v.warmup),
    only: v.only as string | undefined,
  }
  return { common, values: v }
}

export function databaseUrl(name: string): string {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  url.pathname = `/${name}`
  return url.toString()
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      const port = typeof address === 'object' && address ? address.port : 0
      s.close(() => resolve(port))
    })
  })
}

export interface Child {
  pid: number
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * Runs a TypeScript entry point as a separate Node process (node --import tsx, so the pid is the
 * server itself and not a launcher), waits until `readyPath` answers.
 */
export async function startChild(entry: string, env: Record<string, string>, readyPath = '/healthz'): Promise<Child> {
  const port = await freePort()
  // The help desk runs as `npm start` runs it: the bundle in dist/ (built here first); other
  // entries (the reference page) through tsx.
  if (entry === 'src/server.ts') execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  const args = entry === 'src/server.ts' ? [...(process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean), 'dist/server.mjs'] : ['--import', 'tsx', entry]
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode}`)
    try {
      const res = await fetch(url + readyPath)
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${entry} did not answer on ${url}${readyPath} within 120 s`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    pid: child.pid!,
    url,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The help desk as production runs it, against the given database. */
export function startApp(databaseUrl: string, env: Record<string, string> = {}): Promise<Child> {
  return startChild('src/server.ts', {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    NODE_ENV: 'production',
    SMTP_LISTEN_PORT: '0',
    ...env,
  })
}

/** Signs in through the login form (CSRF token and all); returns the Cookie header to send. */
export async function signIn(baseUrl: string, email: string, password = BENCH_PASSWORD): Promise<string> {
  const page = await fetch(`${baseUrl}/login`, { redirect: 'manual' })
  const html = await page.text()
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
  if (!token) throw new Error(`no CSRF token on ${baseUrl}/login (status ${page.status}); is the database seeded (npm run seed)?`)
  const cookies = (h: Headers) => h.getSetCookie().map((c) => c.split(';')[0]!)
  const first = cookies(page.headers).join('; ')
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: first },
    body: new URLSearchParams({ email, password, _csrf: token, next: '/conversations' }).toString(),
  })
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed (status ${res.status}); seed the database with npm run seed`)
  const cookie = cookies(res.headers).join('; ') || first
  const check = await fetch(`${baseUrl}/conversations`, { headers: { cookie }, redirect: 'manual' })
  if (check.status !== 200) throw new Error(`signed in as ${email}, but /conversations answered ${check.status}`)
  return cookie
}

export async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

/** Samples a process's resident memory every `everyMs`; stop() returns the largest value seen. */
export function sampleRss(pid: number, everyMs = 200) {
  let max = 0
  const timer = setInterval(() => {
    void rssMb(pid).then((mb) => {
      if (mb > max) max = mb
    })
  }, everyMs)
  return {
    stop: async () => {
      clearInterval(timer)
      max = Math.max(max, await rssMb(pid))
      return max
    },
  }
}

export interface Measurement {
  scenario: string
  connections: number
  medianMs: number
  p99Ms: number
  rps: number
  requests: number
  errors: number
  rssMb: number
  /** CPU time per request: the app process, the PostgreSQL backends serving it, this load generator. */
  cpuMsPerRequest: { app: number; postgres: number; client: number }
  runs: number
}

const TICK_MS = 10 // USER_HZ is 100 on Linux

/** utime + stime of a process, in ms. */
async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

/** Which processes are backends of which database: read once per pid (titles do not change database). */
const backendOf = new Map<number, string | null>()

/** CPU per PostgreSQL backend connected to one database (the process title names it). */
async function postgresBackends(database: string): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  for (const entry of await readdir('/proc')) {
    if (entry.charCodeAt(0) > 57) continue
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    let db = backendOf.get(pid)
    if (db === undefined) {
      try {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8')
        // "postgres: 15/main: <user> <database> <client> <state>" (the cluster name is optional)
        const words = cmd.split(/[\s\0]+/)
        const at = words.findIndex((w, i) => i > 0 && !w.endsWith(':'))
        db = cmd.startsWith('postgres: ') && at > 0 ? (words[at + 1] ?? null) : null
      } catch {
        db = null
      }
      backendOf.set(pid, db)
    }
    if (db === database) out.set(pid, await cpuMs(pid))
  }
  return out
}

/**
 * CPU spent by the database's backends between start and stop. Backends come and go (the pool
 * closes idle connections), so each is sampled while it lives and counted from its first sighting
 * (from zero when it appeared during the run).
 */
function postgresCpu(database: string | null) {
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  let started = false
  const sample = async () => {
    if (!database) return
    for (const [pid, ms] of await postgresBackends(database)) {
      if (!first.has(pid)) first.set(pid, started ? 0 : ms)
      last.set(pid, ms)
    }
  }
  let timer: NodeJS.Timeout | null = null
  return {
    async start() {
      await sample()
      started = true
      timer = setInterval(() => void sample(), 1000)
    },
    async stop() {
      if (timer) clearInterval(timer)
      await sample()
      let total = 0
      for (const [pid, ms] of last) total += ms - (first.get(pid) ?? 0)
      return total
    },
  }
}

export interface Scenario {
  name: string
  paths: string[]
  headers?: Record<string, string>
}

async function once(url: string, scenario: Scenario, connections: number, duration: number, pid: number | null, database: string | null) {
  const rss = pid ? sampleRss(pid) : null
  const pgCpu = postgresCpu(database)
  await pgCpu.start()
  const before = { app: pid ? await cpuMs(pid) : 0, client: process.cpuUsage() }
  // autocannon's own histogram keeps whole milliseconds; the exact latencies are kept here.
  const latencies: number[] = []
  const instance = autocannon({
    url,
    connections,
    duration,
    timeout: 30,
    headers: scenario.headers,
    requests: scenario.paths.map((p) => ({ method: 'GET', path: p })),
  })
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode < 400) latencies.push(responseTime)
  })
  const result = await instance
  const client = process.cpuUsage(before.client)
  const appMs = pid ? (await cpuMs(pid)) - before.app : 0
  const pgMs = await pgCpu.stop()
  const maxRss = rss ? await rss.stop() : 0
  latencies.sort((a, b) => a - b)
  const n = Math.max(1, result.requests.total)
  return {
    medianMs: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    rssMb: maxRss,
    cpuMsPerRequest: { app: round2(appMs / n), postgres: round2(pgMs / n), client: round2((client.user + client.system) / 1000 / n) },
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/**
 * Each scenario at each concurrency: a short warm-up, then `runs` measurements, keeping the one
 * with the most requests per second (the machine is shared; the best run is the least disturbed).
 */
export async function measureAll(
  url: string,
  scenarios: Scenario[],
  common: CommonOptions,
  pid: number | null,
  database: string | null = common.db,
): Promise<Measurement[]> {
  const out: Measurement[] = []
  for (const scenario of scenarios) {
    if (common.only && !scenario.name.includes(common.only)) continue
    if (common.warmup > 0) await once(url, scenario, 4, common.warmup, null, null)
    for (const connections of common.connections) {
      let best: Awaited<ReturnType<typeof once>> | null = null
      for (let i = 0; i < common.runs; i++) {
        const m = await once(url, scenario, connections, common.duration, pid, database)
        if (!best || m.rps > best.rps) best = m
      }
      const m: Measurement = { scenario: scenario.name, connections, ...best!, runs: common.runs }
      out.push(m)
      printRow(m)
    }
  }
  return out
}

let headerPrinted = false
export function printRow(m: Measurement) {
  if (!headerPrinted) {
    console.log(
      `${'scenario'.padEnd(34)} ${'conc'.padStart(4)} ${'median ms'.padStart(10)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} ${'errors'.padStart(7)} ${'app RSS MB'.padStart(11)}  CPU ms/request: app, postgres, load generator`,
    )
    headerPrinted = true
  }
  console.log(
    `${m.scenario.padEnd(34)} ${String(m.connections).padStart(4)} ${m.medianMs.toFixed(1).padStart(10)} ${m.p99Ms.toFixed(1).padStart(8)} ${m.rps.toFixed(1).padStart(8)} ${String(m.errors).padStart(7)} ${String(m.rssMb || '-').padStart(11)}  ${m.cpuMsPerRequest.app.toFixed(2)}, ${m.cpuMsPerRequest.postgres.toFixed(2)}, ${m.cpuMsPerRequest.client.toFixed(2)}`,
  )
}

/** Keeps the figures as JSON under bench/results/ (for BENCHMARKS.md). */
export async function saveResults(kind: string, common: CommonOptions, data: unknown) {
  const dir = path.resolve('bench', 'results')
  await mkdir(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = path.join(dir, `${kind}-${common.db}-${stamp}.json`)
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 1024 ** 3), node: process.version }
  await writeFile(
    file,
    JSON.stringify({ kind, db: common.db, at: new Date().toISOString(), duration: common.duration, runs: common.runs, machine, data }, null, 2),
  )
  console.log(`results: ${path.relative(process.cwd(), file)}`)
}

/** A short-lived pg client on the benchmark database (to find ids, cursors, sizes). */
export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function describeData(url: string) {
  return withDb(url, async (c) => {
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM conversations)::int AS conversations, (SELECT count(*) FROM messages)::int AS messages,
      (SELECT count(*) FROM customers)::int AS customers, pg_size_pretty(pg_database_size(current_database())) AS size`)
    return rows[0] as { conversations: number; messages: number; customers: number; size: string }
  })
}

export interface AppBenchContext {
  url: string
  admin: Record<string, string>
  agent: Record<string, string>
  db: pg.Client
}

/**
 * The common shape of the app scenarios: start the app on the seeded database, sign in as the
 * bench admin and the bench agent, build the scenarios, measure, print, save.
 */
export async function runAppBench(
  kind: string,
  build: (ctx: AppBenchContext) => Promise<Scenario[]>,
  more: {
    /** Options of this benchmark besides the common ones. */
    options?: NonNullable<ParseArgsConfig['options']>
    /** Printed after the table and kept in the JSON result. */
    summarise?: (results: Measurement[], values: Record<string, string | boolean | undefined>) => Record<string, unknown>
    /** Environment of the app besides the bench's own. */
    env?: Record<string, string>
  } = {},
) {
  const { common, values } = parseCommon(more.options)
  const data = await describeData(common.databaseUrl).catch((err) => {
    console.error(
      `Cannot read ${common.db}: ${err.message}. Seed it first, e.g.\n  createdb -h 127.0.0.1 -U postgres ${common.db}\n  DATABASE_URL=${common.databaseUrl} npm run seed -- --conversations 100000`,
    )
    process.exit(1)
  })
  console.log(
    `${kind} on ${common.db}: ${data.conversations.toLocaleString('en')} conversations, ${data.messages.toLocaleString('en')} messages (${data.size}); ${common.duration} s per measurement, best of ${common.runs}`,
  )
  const app = await startApp(common.databaseUrl, more.env)
  try {
    const idle = await rssMb(app.pid)
    const admin = { cookie: await signIn(app.url, BENCH_ADMIN_EMAIL) }
    const agent = { cookie: await signIn(app.url, BENCH_AGENT_EMAIL) }
    const scenarios = await withDb(common.databaseUrl, (db) => build({ url: app.url, admin, agent, db }))
    const results = await measureAll(app.url, scenarios, common, app.pid)
    const peak = Math.max(...results.map((r) => r.rssMb))
    console.log(`app resident memory: ${idle} MB idle after start, ${peak} MB peak under load`)
    const summary = more.summarise?.(results, values) ?? {}
    await saveResults(kind, common, {
      dataShape: data,
      rssIdleMb: idle,
      rssPeakMb: peak,
      ...summary,
      scenarios: scenarios.map((s) => ({ name: s.name, paths: s.paths.slice(0, 3), pathCount: s.paths.length })),
      results,
    })
    return results
  } finally {
    // Let the last responses of the load generator finish before the app shuts its pool.
    await new Promise((r) => setTimeout(r, 500))
    await app.stop()
  }
}
