import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

/**
 * A PostgreSQL cluster of its own, for tests that stop, kill or restart the database server.
 * Never touch the machine's shared server on 5432: other test files run against it in parallel.
 *
 * initdb/pg_ctl refuse to run as root, so when the tests run as root they run as the `postgres`
 * OS user (runuser) and the data directory, a fresh temporary folder, belongs to that user.
 * The socket goes in the data directory (-k), TCP listens on 127.0.0.1 at a free port, auth is trust.
 */

const run = promisify(execFile)
/** The newest PostgreSQL server installed from Debian's packages (tools/ensure-test-deps.sh installs one). */
function serverBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (!newest) throw new Error("No PostgreSQL server binaries in /usr/lib/postgresql: install Debian's postgresql package (npm test does it when run as root).")
  return path.join(root, newest, 'bin')
}

const BIN = process.env.PG_BIN_DIR ?? serverBinDir()

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:PORT/postgres */
  url: string
  port: number
  dataDir: string
  /** A URL to another database on this cluster. */
  urlFor(database: string): string
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>
  /** Fast, clean shutdown (clients are disconnected), like a restart by an operator. */
  stop(): Promise<void>
  /** Starts the cluster again on the same port. */
  start(): Promise<void>
  /** stop() then start(). */
  restart(): Promise<void>
  /** Immediate shutdown: no checkpoint, clients cut off, crash recovery at the next start. */
  kill(): Promise<void>
  /** Stops the cluster (if running) and removes its data directory. */
  cleanup(): Promise<void>
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0

async function pgCommand(binary: string, args: string[], timeoutMs = 60_000) {
  const file = path.join(BIN, binary)
  if (asRoot) return run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: timeoutMs })
  return run(file, args, { timeout: timeoutMs })
}

/** A TCP port nobody listens on right now (the kernel picks it). */
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

/** Clusters still running: stopped (immediate) and removed if the process exits without cleanup(). */
const live = new Map<string, string>()
let exitHookInstalled = false
function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const [dataDir, base] of live) {
      try {
        const args = ['-D', dataDir, '-m', 'immediate', '-w', 'stop']
        const file = path.join(BIN, 'pg_ctl')
        if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { stdio: 'ignore', timeout: 20_000 })
        else execFileSync(file, args, { stdio: 'ignore', timeout: 20_000 })
      } catch {
        // not running
      }
      rmSync(base, { recursive: true, force: true })
    }
  })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  installExitHook()
  const base = mkdtempSync(path.join(tmpdir(), 'suivi-pg-'))
  const dataDir = path.join(base, 'data')
  const logFile = path.join(base, 'postgres.log')
  if (asRoot) {
    // The folder must be reachable and writable by postgres; the data directory it creates itself.
    chmodSync(base, 0o755)
    chownSync(base, uidOf('postgres'), gidOf('postgres'))
  }
  try {
    await pgCommand('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'], 120_000)
  } catch (err) {
    rmSync(base, { recursive: true, force: true })
    throw err
  }
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    '-c listen_addresses=127.0.0.1',
    // No fsync: only an OS crash could lose data, never the server's own stop or kill. (Not
    // synchronous_commit=off: an immediate stop would then lose the last commits, which the
    // tests must not mistake for the app's fault.)
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  let running = false

  async function start() {
    await pgCommand('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'], 90_000)
    running = true
  }
  async function stopWith(mode: 'fast' | 'immediate') {
    if (!running && !existsSync(path.join(dataDir, 'postmaster.pid'))) return
    await pgCommand('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], 90_000)
    running = false
  }

  live.set(dataDir, base)
  try {
    await start()
  } catch (err) {
    live.delete(dataDir)
    rmSync(base, { recursive: true, force: true })
    throw err
  }
  const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    urlFor,
    async createDatabase(name) {
      const { default: pg } = await import('pg')
      const c = new pg.Client({ connectionString: urlFor('postgres') })
      await c.connect()
      try {
        await c.query(`CREATE DATABASE "${name}"`)
      } finally {
        await c.end()
      }
      return urlFor(name)
    },
    stop: () => stopWith('fast'),
    kill: () => stopWith('immediate'),
    start,
    async restart() {
      await stopWith('fast')
      await start()
    },
    async cleanup() {
      try {
        await stopWith('immediate')
      } catch {
        // Already down.
      }
      live.delete(dataDir)
      rmSync(base, { recursive: true, force: true })
    },
  }
}

function idOf(flag: '-u' | '-g', user: string): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim())
}
const uidOf = (user: string) => idOf('-u', user)
const gidOf = (user: string) => idOf('-g', user)

/** A new database `name` on the server of `base` (a connection URL); drop() removes it. */
export async function createDatabaseOn(base: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg')
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}

/**
 * A fresh database on a real PostgreSQL server, for tests that run the app as a child process:
 * on TEST_DATABASE_URL's server when set, else on a private cluster. cleanup() removes either.
 */
export async function freshServerDatabase(name: string): Promise<{ url: string; cleanup(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL
  if (base) {
    const db = await createDatabaseOn(base, name)
    return { url: db.url, cleanup: () => db.drop().catch(() => {}) }
  }
  const cluster = await startPrivatePostgres()
  return { url: await cluster.createDatabase(name), cleanup: () => cluster.cleanup() }
}
