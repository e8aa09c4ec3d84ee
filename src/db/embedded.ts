import { mkdir } from 'node:fs/promises'
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
    server = new PGLiteSocketServer({ db, path: path.join(socketDir, '.s.PGSQL.5432'), maxConnections: MAX_CONNECTIONS })
    await removeStaleSocket(path.join(socketDir, '.s.PGSQL.5432'))
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

// A socket file left behind by a killed process would make listen() fail with EADDRINUSE.
async function removeStaleSocket(file: string) {
  const { rm } = await import('node:fs/promises')
  await rm(file, { force: true })
}
