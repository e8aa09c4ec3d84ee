// The conversation page under load: conversations of ten messages, a different one each request.
// `npm run bench:conversation -- [--db suivi_bench_100k] [--duration 10] [--connections 1,10] [--runs 2]`
import { runAppBench } from './http.ts'

await runAppBench('conversation', async ({ admin, db }) => {
  const { rows } = await db.query(`SELECT number FROM conversations WHERE "messageCount" = 10 ORDER BY id LIMIT 50`)
  if (rows.length === 0) throw new Error('no conversation with ten messages: seed with npm run seed')
  return [{ name: 'conversation page (10 messages)', paths: rows.map((r) => `/conversations/${r.number}`), headers: admin }]
})
process.exit(0)
