// Times the list, count, search and conversation-page domain queries directly (no HTTP), to see
// where a page's time goes. `npx tsx bench/queries.ts -- [--db suivi_bench_100k] [--repeat 50]`
import { parseArgs } from 'node:util'
import { openDatabase } from '../src/db/database.ts'
import { countTabs, listConversations, listQuerySchema } from '../src/domain/conversations/listConversations.ts'
import { getConversationPage } from '../src/domain/conversations/getConversation.ts'
import { folderScope } from '../src/domain/policy.ts'
import { createLogger } from '../src/logger.ts'
import { databaseUrl, BENCH_ADMIN_EMAIL, BENCH_AGENT_EMAIL } from './http.ts'

const { values } = parseArgs({
  options: { db: { type: 'string', default: 'suivi_bench_100k' }, repeat: { type: 'string', default: '50' }, only: { type: 'string' } },
})
const repeat = Number(values.repeat)
const db = await openDatabase({ databaseUrl: databaseUrl(values.db!), logger: createLogger('warn'), poolSize: 4 })
const prisma = db.prisma
const actorOf = async (email: string) => {
  const a = await prisma.agent.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, email: true, role: true } })
  return a
}
const admin = await actorOf(BENCH_ADMIN_EMAIL)
const agent = await actorOf(BENCH_AGENT_EMAIL)
const tag = (await prisma.tag.findUnique({ where: { name: 'bug' } }))?.id
const [row] = await prisma.$queryRaw<
  { ms: bigint; id: number }[]
>`SELECT (extract(epoch FROM "lastActivityAt") * 1000)::bigint AS ms, id FROM conversations ORDER BY "lastActivityAt" DESC, id DESC OFFSET 2449 LIMIT 1`
const numbers = (await prisma.conversation.findMany({ where: { messageCount: 10 }, take: 20, select: { number: true } })).map((c) => c.number)

async function time(label: string, fn: () => Promise<unknown>) {
  if (values.only && !label.includes(values.only)) return
  for (let i = 0; i < 3; i++) await fn()
  const t: number[] = []
  for (let i = 0; i < repeat; i++) {
    const s = performance.now()
    await fn()
    t.push(performance.now() - s)
  }
  t.sort((a, b) => a - b)
  console.log(
    `${label.padEnd(44)} median ${t[Math.floor(t.length / 2)]!.toFixed(2).padStart(7)} ms   p99 ${t[Math.floor(t.length * 0.99)]!.toFixed(2).padStart(7)} ms`,
  )
}

for (const [who, actor] of [
  ['admin', admin],
  ['agent', agent],
] as const) {
  const scope = await folderScope(prisma, actor)
  const queries: Record<string, Record<string, unknown>> = {
    'tab=new': { tab: 'new' },
    'tab=closed': { tab: 'closed' },
    'tab=all': { tab: 'all' },
    'tab=mine': { tab: 'mine' },
    'tab=unassigned': { tab: 'unassigned' },
    'tag=bug': { tab: 'all', tag },
    'page 50': { tab: 'all', after: `${row!.ms}_${row!.id}` },
    'q=quixotic': { tab: 'all', q: 'quixotic' },
    'q=order': { tab: 'all', q: 'order' },
    'q=order tab=new': { tab: 'new', q: 'order' },
    'q=olivia': { tab: 'all', q: 'olivia' },
  }
  for (const [name, raw] of Object.entries(queries)) {
    await time(`${who} list  ${name}`, () => listConversations(prisma, actor, scope, listQuerySchema.parse(raw)))
    await time(`${who} count ${name}`, () => countTabs(prisma, actor, scope, listQuerySchema.parse(raw)))
  }
  let i = 0
  if (who === 'admin') await time(`${who} conversation page`, () => getConversationPage(prisma, actor, scope, numbers[i++ % numbers.length]!))
}
await db.close()
process.exit(0)
