// The API beside the pages it stands for: the conversation list and one conversation, as JSON
// with a personal token and as the agent's HTML pages with a session, in the same run.
// `npm run bench:api -- [--db suivi_bench_100k] [--duration 10] [--connections 1,10] [--runs 2] [--only api]`
import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import { BENCH_ADMIN_EMAIL, BENCH_AGENT_EMAIL, runAppBench } from './http.ts'

/** A read token for the bench agent with that address, written as the profile page would (hash only). */
async function tokenFor(db: pg.Client, email: string): Promise<Record<string, string>> {
  const token = 'suivi_' + randomBytes(32).toString('base64url')
  const hash = createHash('sha256').update(token).digest('hex')
  await db.query(`INSERT INTO api_tokens ("agentId", name, prefix, "tokenHash", scopes) SELECT id, 'bench', $2, $3, '{read}' FROM agents WHERE email = $1`, [
    email,
    token.slice(0, 12),
    hash,
  ])
  return { authorization: `Bearer ${token}` }
}

await runAppBench(
  'api',
  async ({ admin, agent, db }) => {
    const { rows } = await db.query(`SELECT number FROM conversations WHERE "messageCount" = 10 ORDER BY id LIMIT 50`)
    if (rows.length === 0) throw new Error('no conversation with ten messages: seed with npm run seed')
    const numbers = rows.map((r) => r.number as number)
    const adminToken = await tokenFor(db, BENCH_ADMIN_EMAIL)
    const agentToken = await tokenFor(db, BENCH_AGENT_EMAIL)
    return [
      { name: 'page: list tab=new (admin)', paths: ['/conversations?tab=new'], headers: admin },
      { name: 'api: list status=new (admin)', paths: ['/api/v1/conversations?status=new'], headers: adminToken },
      { name: 'page: list tab=new (agent, 3 folders)', paths: ['/conversations?tab=new'], headers: agent },
      { name: 'api: list status=new (agent, 3 folders)', paths: ['/api/v1/conversations?status=new'], headers: agentToken },
      { name: 'page: conversation (10 messages)', paths: numbers.map((n) => `/conversations/${n}`), headers: admin },
      { name: 'api: get conversation', paths: numbers.map((n) => `/api/v1/conversations/${n}`), headers: adminToken },
      { name: 'api: conversation messages (10)', paths: numbers.map((n) => `/api/v1/conversations/${n}/messages`), headers: adminToken },
    ]
  },
  // The bench calls far faster than any integration would: its tokens are not the limit measured.
  { env: { API_RATE_LIMIT: '100000000' } },
)
process.exit(0)
