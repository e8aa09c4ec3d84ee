// CPU profile of the app under one scenario's load: the app child runs with --cpu-prof, the
// profile is summarised (self time per function and per package) when it stops.
// `npx tsx bench/profile.ts -- [--db suivi_bench_100k] [--path '/conversations?tab=new'] [--duration 10] [--connections 10]`
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { BENCH_ADMIN_EMAIL, databaseUrl, freePort, rssMb, signIn } from './http.ts'

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'suivi_bench_100k' },
    path: { type: 'string', default: '/conversations?tab=new' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    top: { type: 'string', default: '40' },
  },
})
const dir = await mkdtemp(path.join(os.tmpdir(), 'suivi-prof-'))
const port = await freePort()
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, 'dist/server.mjs'], {
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl(values.db!),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    NODE_ENV: 'production',
    SMTP_LISTEN_PORT: '0',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
})
const url = `http://127.0.0.1:${port}`
for (;;) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break
  } catch {}
  await new Promise((r) => setTimeout(r, 200))
}
const cookie = await signIn(url, BENCH_ADMIN_EMAIL)
await autocannon({ url, connections: 4, duration: 2, headers: { cookie }, requests: [{ path: values.path }] })
const result = await autocannon({
  url,
  connections: Number(values.connections),
  duration: Number(values.duration),
  headers: { cookie },
  requests: [{ path: values.path }],
})
console.log(`${values.path}: ${(result.requests.total / result.duration).toFixed(1)} req/s, rss ${await rssMb(child.pid!)} MB`)
const exited = new Promise((r) => child.once('exit', r))
child.kill('SIGTERM')
await exited
const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))!
const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]
  startTime: number
  endTime: number
}
const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0)
const byFn = new Map<string, number>()
const byPkg = new Map<string, number>()
for (const n of profile.nodes) {
  const u = n.callFrame.url
  const pkg = u.includes('node_modules')
    ? u
        .split('node_modules/')
        .pop()!
        .split('/')
        .slice(0, u.includes('node_modules/@') ? 2 : 1)
        .join('/')
    : u.startsWith('node:')
      ? 'node:' + u.slice(5).split('/')[0]
      : u.includes('/src/')
        ? 'src/' + u.split('/src/')[1]!.split('/')[0]
        : n.callFrame.functionName.startsWith('(')
          ? n.callFrame.functionName
          : u
            ? 'other'
            : '(native)'
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + n.hitCount)
  const key = `${n.callFrame.functionName || '(anonymous)'} ${u.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${n.callFrame.lineNumber}`
  byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount)
}
const pct = (n: number) => ((100 * n) / total).toFixed(1).padStart(5) + '%'
console.log('\nself time by package:')
for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}  ${k}`)
console.log('\nself time by function:')
for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`${pct(v)}  ${k}`)
console.log(`\nprofile: ${path.join(dir, file)}`)
process.exit(0)
