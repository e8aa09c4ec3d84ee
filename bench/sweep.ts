import { createDomainContext } from '../src/reactions/index.ts'
// The lifecycle sweep over a big help desk: 100,000 pending conversations made due (half for a
// reminder, half for closing), then one runLifecycleSweep timed in this process, with its
// resident memory sampled every 200 ms.
//
// `npm run bench:sweep -- [--db suivi_bench_1m] [--due 100000] [--in-place]`
//
// By default the seeded database is copied first (CREATE DATABASE … TEMPLATE, so the seed stays
// pristine for the other scenarios); --in-place sweeps the seeded database itself.
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../src/generated/prisma/client.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { SYSTEM } from '../src/domain/actor.ts'
import { DEFAULT_BATCH_SIZE, runLifecycleSweep, type SweepResult } from '../src/domain/lifecycle/sweep.ts'
import { instanceSecret } from '../src/domain/settings/instanceSecret.ts'
import { loadSettings } from '../src/domain/settings/settings.ts'
import { createLogger } from '../src/logger.ts'
import { mailDomainOf } from '../src/mail/outbound/outbox.ts'
import { bareAddress } from '../src/mail/replyAddress.ts'
import { createLocalEventBus } from '../src/realtime/events.ts'
import { databaseUrl, parseCommon, saveResults, withDb } from './http.ts'

const { common, values } = parseCommon({
  due: { type: 'string', default: '100000' },
  'in-place': { type: 'boolean', default: false },
  /** Time every SQL statement of the sweep (Prisma query events) and print where the time goes. */
  'profile-queries': { type: 'boolean', default: false },
  /** A full GC after every batch (needs node --expose-gc): what a batch leaves behind, without the garbage. */
  'gc-each-batch': { type: 'boolean', default: false },
  /** The sweep's batch size (the scheduler uses the default, DEFAULT_BATCH_SIZE). */
  batch: { type: 'string' },
})
if (!process.argv.some((a) => a === '--db' || a.startsWith('--db='))) {
  common.db = 'suivi_bench_1m'
  common.databaseUrl = databaseUrl(common.db)
}
const due = Number(values.due)
const DAY = 24 * 60 * 60 * 1000

let url = common.databaseUrl
if (!values['in-place']) {
  const copy = `${common.db}_sweep`
  const started = performance.now()
  process.stderr.write(`copying ${common.db} to ${copy}…`)
  await withDb(databaseUrl('postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`)
    await c.query(`CREATE DATABASE "${copy}" TEMPLATE "${common.db}" STRATEGY FILE_COPY`)
  })
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  url = databaseUrl(copy)
}

const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', NODE_ENV: 'production' })
const db = await openDatabase({ databaseUrl: url, logger: createLogger('warn') })
const settings = await loadSettings(db.prisma)
const now = new Date()

// Half get their reminder (pending longer than pendingCloseDays − reminderBeforeCloseDays), half
// are closed (pending longer than pendingCloseDays, reminded more than reminderBeforeCloseDays ago).
const marked = await withDb(url, async (c: pg.Client) => {
  const remindAt = new Date(now.getTime() - (settings.pendingCloseDays - settings.reminderBeforeCloseDays + 1) * DAY)
  const closeAt = new Date(now.getTime() - (settings.pendingCloseDays + 1) * DAY)
  const remindedAt = new Date(now.getTime() - (settings.reminderBeforeCloseDays + 1) * DAY)
  const { rows } = await c.query(
    `WITH chosen AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM conversations WHERE status = 'pending' ORDER BY id LIMIT $1)
     UPDATE conversations c SET
       "pendingSince" = CASE WHEN chosen.k % 2 = 0 THEN $2::timestamptz ELSE $3::timestamptz END - (chosen.k % 1000) * interval '1 minute',
       "reminderSentAt" = CASE WHEN chosen.k % 2 = 0 THEN NULL ELSE $4::timestamptz END
     FROM chosen WHERE c.id = chosen.id
     RETURNING (c."reminderSentAt" IS NULL) AS remind`,
    [due, remindAt, closeAt, remindedAt],
  )
  await c.query('VACUUM (ANALYZE) conversations')
  const total = (await c.query(`SELECT count(*)::int AS n FROM conversations`)).rows[0].n as number
  return { remind: rows.filter((r) => r.remind).length, close: rows.filter((r) => !r.remind).length, total }
})
if (marked.remind + marked.close < due) console.warn(`only ${marked.remind + marked.close} pending conversations exist; all of them are due`)
console.log(
  `sweep on ${common.db}${values['in-place'] ? '' : ' (copy)'}: ${marked.total.toLocaleString('en')} conversations, ${marked.remind.toLocaleString('en')} due for a reminder, ${marked.close.toLocaleString('en')} due for closing (close after ${settings.pendingCloseDays} d, remind ${settings.reminderBeforeCloseDays} d before)`,
)

const secret = await instanceSecret(db.prisma, config.sessionSecret)
const queryTimes = new Map<string, { n: number; ms: number }>()
let prisma = db.prisma
if (values['profile-queries']) {
  const client = new PrismaClient({ adapter: new PrismaPg(db.pool), log: [{ emit: 'event', level: 'query' }] })
  client.$on('query', (e: { query: string; duration: number }) => {
    const key = e.query
      .replace(/\s+/g, ' ')
      .replace(/\$\d+(, \$\d+)*/g, '…')
      .slice(0, 90)
    const t = queryTimes.get(key) ?? { n: 0, ms: 0 }
    t.n++
    t.ms += e.duration
    queryTimes.set(key, t)
  })
  prisma = client as unknown as typeof db.prisma
}
const ctx = createDomainContext({
  prisma,
  clock: () => new Date(),
  events: createLocalEventBus(),
  mail: { publicUrl: config.publicUrl, mailDomain: mailDomainOf(config.mailFrom), supportAddress: bareAddress(config.mailFrom), secret },
})

const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024)
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1024 / 1024)
const samples: { t: number; rssMb: number; heapMb: number; reminded: number; closed: number }[] = []
const afterGc: number[] = []
let progress: SweepResult = { reminded: 0, closed: 0 }
let lastLine = 0
const batchSize = values.batch ? Number(values.batch) : DEFAULT_BATCH_SIZE
global.gc?.()
const startRss = mb()
const startCpu = process.cpuUsage()
const started = performance.now()
const timer = setInterval(() => samples.push({ t: Math.round(performance.now() - started), rssMb: mb(), heapMb: heapMb(), ...progress }), 200)
const result = await runLifecycleSweep(ctx, SYSTEM, {
  batchSize,
  onProgress: (r) => {
    progress = { ...r }
    if (values['gc-each-batch'] && global.gc) {
      global.gc()
      afterGc.push(heapMb())
    }
    if (performance.now() - lastLine < 1000) return
    lastLine = performance.now()
    process.stderr.write(`\r  reminded ${r.reminded.toLocaleString('en')}, closed ${r.closed.toLocaleString('en')}, rss ${mb()} MB   `)
  },
})
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(startCpu)
const cpuSeconds = (cpu.user + cpu.system) / 1e6
clearInterval(timer)
process.stderr.write('\n')
const maxRss = Math.max(startRss, ...samples.map((s) => s.rssMb))
const endRss = mb()
if (afterGc.length) console.log(`JS heap after a full GC, batch by batch (MB): ${afterGc.join(' ')}`)
if (queryTimes.size) {
  console.log('SQL time by statement (Prisma query events, ms):')
  for (const [q, t] of [...queryTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`${String(Math.round(t.ms)).padStart(8)} ms ${String(t.n).padStart(6)}×  ${q}`)
}
const outbox = await withDb(url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM outbox_emails`)).rows[0].n as number)
console.log(
  `reminded ${result.reminded.toLocaleString('en')}, closed ${result.closed.toLocaleString('en')} in ${seconds.toFixed(1)} s (${Math.round((result.reminded + result.closed) / seconds)} conversations/s, batches of ${batchSize}); ${outbox.toLocaleString('en')} e-mails queued; CPU of this process ${cpuSeconds.toFixed(1)} s`,
)
// Memory over the run, one line per tenth.
const tenth = Math.max(1, Math.floor(samples.length / 10))
console.log(
  `resident memory: ${startRss} MB at start, ${maxRss} MB max, ${endRss} MB at the end; over time (s: RSS/JS heap MB): ${samples
    .filter((_, i) => i % tenth === 0)
    .map((s) => `${(s.t / 1000).toFixed(0)}: ${s.rssMb}/${s.heapMb}`)
    .join(', ')}`,
)
console.log(
  `JS heap in use: max ${Math.max(...samples.map((s) => s.heapMb))} MB, min over the second half ${Math.min(...samples.slice(samples.length >> 1).map((s) => s.heapMb))} MB`,
)
await saveResults('sweep', common, {
  total: marked.total,
  due: marked,
  batchSize,
  // How V8 ran: a capped heap (--max-old-space-size) or a GC after every batch changes the memory figures.
  node: { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? '', gcEachBatch: afterGc.length > 0 },
  result,
  seconds,
  cpuSeconds,
  rss: { startMb: startRss, maxMb: maxRss, endMb: endRss },
  samples: samples.filter((_, i) => i % tenth === 0),
  ...(afterGc.length ? { heapAfterGcMb: afterGc } : {}),
  outbox,
})
await db.close()
process.exit(0)
