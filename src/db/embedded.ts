import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { createConnection } from 'node:net'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedPostgres {
  url: string
  stop(): Promise<void>
}

// PGlite serialises all work; a few connections let the pool recover from a failed query
// without racing its own reconnect (a single connection breaks after any SQL error).
const MAX_CONNECTIONS = 10

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) in this process and serves it over a
 * Unix socket, so the app talks to it through the same pg driver as to a real server.
 * `dataDir` undefined keeps the database in memory (tests).
 */
export async function startEmbeddedPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
  if (dataDir && (await servedByAnotherProcess(socketPathIn(path.resolve(dataDir))))) {
    throw new EmbeddedDatabaseBusyError(path.resolve(dataDir))
  }
  let db: PGlite
  let server: PGLiteSocketServer
  let url: string
  if (dataDir) {
    const dir = path.resolve(dataDir)
    await mkdir(dir, { recursive: true })
    db = await PGlite.create(path.join(dir, 'pg'))
    // pg looks for "<host dir>/.s.PGSQL.<port>"; a socket in the data folder needs no free port.
    const socketDir = path.join(dir, 'run')
    await mkdir(socketDir, { recursive: true })
    server = new PGLiteSocketServer({ db, path: socketPathIn(dir), maxConnections: MAX_CONNECTIONS })
    await rm(socketPathIn(dir), { force: true })
    url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`
  } else {
    db = await PGlite.create()
    server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: MAX_CONNECTIONS })
    url = ''
  }
  await server.start()
  if (!dataDir) url = `postgresql://postgres@${server.getServerConn()}/postgres`
  return {
    url,
    async stop() {
      await server.stop()
      await db.close()
    },
  }
}

/** PGlite's files must never be opened by two processes at once. */
export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError'
  constructor(readonly dataDir: string) {
    super(`Another Suivi process is using the embedded database in ${dataDir}`)
  }
}

const socketPathIn = (dir: string) => path.join(dir, 'run', '.s.PGSQL.5432')

/**
 * Whether a live process answers on the socket. A socket file left behind by a killed process
 * refuses connections; it is removed before listening (listen() would fail with EADDRINUSE).
 */
function servedByAnotherProcess(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return Promise.resolve(false)
  return new Promise((resolve) => {
    const conn = createConnection({ path: socket })
    const done = (inUse: boolean) => {
      conn.destroy()
      resolve(inUse)
    }
    conn.setTimeout(2000, () => done(true))
    conn.once('connect', () => done(true))
    conn.once('error', () => done(false))
  })
}
