/**
 * The inbound intake against thousands of hostile messages: mutated copies of the shared corpus
 * (../shared/corpus), made by tools/fuzz-intake.ts (truncation, bit flips, inserted and deleted
 * bytes, a 1 MB header line, 10,000 headers, hundreds of nested multiparts, corrupted boundaries,
 * invalid charsets and transfer encodings, NUL bytes, broken line endings, deep HTML, and several
 * at once). Each goes through receiveRawMessage as the SMTP listener, the IMAP poller and
 * POST /inbound/raw hand it over. Asserted for every message: no error escapes, the row holds the
 * exact bytes received, and it ends `processed` or `failed` (never left `received`); afterwards
 * the process is healthy (health check, a clean message still goes through, no unhandled rejection).
 *
 * CI budget: up to FUZZ_COUNT (3000) mutations, but no new one after FUZZ_BUDGET_MS (75 s), so a
 * slow or busy machine runs a shorter, still deterministic prefix of the same sequence (the log says
 * how many ran). Measured on a busy 2-core machine (load average 10): 9–16 messages/s on PGlite,
 * 650–1,050 in the budget; more on an idle machine. The full run:
 * `npm run fuzz -- --count 100000`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveRawMessage } from '../../src/mail/inbound/intake.ts'
import { formatReport, loadCorpus, mutation, MUTATIONS, runFuzz, type CorpusMessage } from '../../tools/fuzz-intake.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

const CORPUS = new URL('../../../shared/corpus/', import.meta.url)
const COUNT = Number(process.env.FUZZ_COUNT ?? 3000)
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 75_000)
const SEED = Number(process.env.FUZZ_SEED ?? 20270104)
/**
 * Fewer than this many in the budget means the intake got far slower (or the machine is swamped:
 * 158 ran at a load average of 15 on 2 cores): worth a look.
 */
const MIN_RUN = Math.min(COUNT, 100)

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const PARSE_MODULE = fileURLToPath(new URL('../../src/mail/inbound/parse.ts', import.meta.url))

/**
 * parseMail on `raw` in a child process, killed after `limitMs`: a regular expression that
 * backtracks for minutes blocks the event loop, so no timer in this process could stop it.
 */
async function parseInChild(raw: Buffer, limitMs: number): Promise<{ finished: boolean; ms: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'suivi-redos-'))
  const file = join(dir, 'message.eml')
  writeFileSync(file, raw)
  const code = `import { readFileSync } from 'node:fs'
import { parseMail } from ${JSON.stringify(PARSE_MODULE)}
const raw = readFileSync(${JSON.stringify(file)})
const started = performance.now()
await parseMail(raw)
console.log('parsed-in-ms', Math.round(performance.now() - started))`
  try {
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      child.stdout.on('data', (d: Buffer) => (output += d))
      child.stderr.on('data', (d: Buffer) => (output += d))
      const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
      child.on('exit', () => {
        clearTimeout(timer)
        const ms = /parsed-in-ms (\d+)/.exec(output)?.[1]
        resolve({ finished: ms !== undefined, ms: ms === undefined ? null : Number(ms), output: output.slice(-500) })
      })
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the inbound intake under fuzzing', () => {
  let app: TestApp
  let corpus: CorpusMessage[]
  const prisma = () => app.ctx.db.prisma

  beforeAll(async () => {
    app = await startTestApp()
    corpus = loadCorpus(fileURLToPath(CORPUS))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('makes the same mutations from the same seed, different ones from another', () => {
    for (let i = 0; i < 40; i++) {
      const a = mutation(corpus, SEED, i)
      const b = mutation(corpus, SEED, i)
      expect(b.kind).toBe(a.kind)
      expect(b.source).toBe(a.source)
      expect(b.raw.equals(a.raw)).toBe(true)
    }
    const differs = Array.from({ length: 40 }, (_, i) => !mutation(corpus, SEED, i).raw.equals(mutation(corpus, SEED + 1, i).raw))
    expect(differs.filter(Boolean).length).toBeGreaterThan(30)
  })

  it(
    `stores every mutated message and ends each processed or failed, with no uncaught error (up to ${COUNT} in ${BUDGET_MS / 1000} s)`,
    async () => {
      const rowsBefore = await prisma().inboundMessage.count()
      const unhandled: unknown[] = []
      const onUnhandled = (err: unknown) => unhandled.push(err)
      process.on('unhandledRejection', onUnhandled)
      const loop = monitorEventLoopDelay({ resolution: 20 })
      loop.enable()
      let report
      try {
        report = await runFuzz({
          ctx: app.ctx.domain,
          corpus,
          seed: SEED,
          from: 0,
          to: COUNT,
          // One at a time: a message that stalls the event loop then delays no other one.
          concurrency: 1,
          budgetMs: BUDGET_MS,
          timeoutMs: 30_000,
        })
      } finally {
        loop.disable()
        process.off('unhandledRejection', onUnhandled)
      }
      console.log(`${formatReport(report)}\n  event loop delay: p99 ${Math.round(loop.percentile(99) / 1e6)} ms, max ${Math.round(loop.max / 1e6)} ms (${app.ctx.db.kind})`)

      expect(report.uncaught).toEqual([])
      expect(report.notStored).toEqual([])
      expect(report.stuck).toEqual([])
      expect(report.hung).toEqual([])
      expect(unhandled).toEqual([])
      expect(report.run).toBeGreaterThanOrEqual(MIN_RUN)
      expect(report.processed + report.failed).toBe(report.run)
      // One row per message received, none lost, none left waiting.
      expect(await prisma().inboundMessage.count()).toBe(rowsBefore + report.run)
      expect(await prisma().inboundMessage.count({ where: { status: 'received' } })).toBe(0)
      if (report.run >= 1000) for (const kind of MUTATIONS) expect(report.byMutation.get(kind)?.run ?? 0, kind).toBeGreaterThan(0)

      // Still healthy: the health check answers, and a clean e-mail goes through as usual.
      const health = await request(app.url).get('/healthz')
      expect(health.status).toBe(200)
      const clean = await receiveRawMessage(app.ctx.domain, {
        source: 'http',
        raw: Buffer.from('From: Nora <nora@example.com>\r\nTo: support@localhost\r\nSubject: After the storm\r\nMessage-ID: <after-fuzz@example.com>\r\n\r\nStill there?\r\n'),
      })
      expect(clean.outcome.status).toBe('processed')
    },
    BUDGET_MS + 180_000,
  )

})
