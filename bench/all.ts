// Every scenario, one after the other: `npm run bench:all -- [--db suivi_bench_100k] [--duration 10] [--runs 2] [--sweep-db suivi_bench_1m] [--skip-mail]`
// The HTTP scenarios run on --db; the sweep on --sweep-db (a copy of it); inbound SMTP and the
// outbox on fresh databases of their own.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'suivi_bench_100k' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10' },
    runs: { type: 'string', default: '1' },
    'sweep-db': { type: 'string', default: 'suivi_bench_1m' },
    'skip-sweep': { type: 'boolean', default: false },
    'skip-mail': { type: 'boolean', default: false },
  },
})
const http = ['--db', values.db!, '--duration', values.duration!, '--connections', values.connections!, '--runs', values.runs!]
const steps: [string, string[]][] = [
  ['bench/reference.ts', http],
  ['bench/list.ts', http],
  ['bench/conversation.ts', http],
  ['bench/search.ts', http],
]
if (!values['skip-sweep']) steps.push(['bench/sweep.ts', ['--db', values['sweep-db']!]])
if (!values['skip-mail']) steps.push(['bench/inbound-smtp.ts', []], ['bench/outbox-delivery.ts', []])

let failed = 0
for (const [script, args] of steps) {
  console.log(`\n=== ${script} ${args.join(' ')}`)
  const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' })
  if (res.status !== 0) {
    failed++
    console.error(`${script} failed (exit ${res.status})`)
  }
}
process.exit(failed ? 1 : 0)
