import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import type { Logger } from 'pino'
import { PrismaClient, type Prisma as PrismaNamespace } from '../generated/prisma/client.ts'
import type { EmbeddedPostgres } from './embedded.ts'
import { applyMigrations } from './migrations.ts'
import { preparedStatementName } from './preparedStatements.ts'

// Its result may be undefined: pg then runs the statement unnamed (unprepared).
type StatementName = (query: { sql: string }) => string

export type Prisma = PrismaClient
/** The client inside an interactive transaction. */
export type Tx = PrismaNamespace.TransactionClient

export interface Database {
  prisma: PrismaClient
  /** The same pool Prisma uses; for the session store and LISTEN/NOTIFY. */
  pool: pg.Pool
  kind: 'postgresql' | 'embedded'
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL server; when unset, an embedded PGlite keeps its data under dataDir. */
  databaseUrl?: string
  dataDir?: string
  /** For tests: embedded PGlite in memory. */
  inMemory?: boolean
  poolSize?: number
  logger: Logger
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { logger } = options
  let embedded: EmbeddedPostgres | undefined
  let url = options.databaseUrl
  if (url) {
    logger.info({ database: redactUrl(url) }, 'using PostgreSQL server')
  } else {
    // Loaded only when used: PGlite costs about 30 MB of memory just by being imported.
    const { startEmbeddedPostgres } = await import('./embedded.ts')
    embedded = await startEmbeddedPostgres(options.inMemory ? undefined : options.dataDir)
    url = embedded.url
    logger.warn(
      { dataDir: options.inMemory ? '(memory)' : options.dataDir },
      'using the embedded PGlite database: single instance only; set DATABASE_URL to a PostgreSQL server to run several',
    )
  }

  const applied = await applyMigrations(url)
  if (applied.length) logger.info({ migrations: applied }, 'applied database migrations')

  // PGlite runs one query at a time and its socket server interleaves the protocol messages of
  // concurrent connections (an extended-protocol query from one can clobber another's), so the
  // embedded database gets exactly one connection; work queues in the pool instead.
  const pool = new pg.Pool({ connectionString: url, max: embedded ? 1 : (options.poolSize ?? 20) })
  // An idle client's connection can drop (server restart); without a listener that error would
  // crash the process. The pool replaces the client on the next checkout.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'))
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: preparedStatementName as StatementName }) })

  return {
    prisma,
    pool,
    kind: embedded ? 'embedded' : 'postgresql',
    async close() {
      await prisma.$disconnect()
      if (!pool.ended) await pool.end()
      await embedded?.stop()
    },
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgresql://…'
  }
}
