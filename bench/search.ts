// Search under load: a rare word (in ~10 conversations) and a common one (in ~30 % of messages).
// `npm run bench:search -- [--db suivi_bench_100k] [--duration 10] [--connections 1,10] [--runs 2]`
import { runAppBench } from './http.ts'

const RARE = 'quixotic'
const COMMON = 'order'

await runAppBench('search', async ({ admin, db }) => {
  const hits = async (word: string) =>
    (await db.query(`SELECT count(*)::int AS n FROM (SELECT DISTINCT "conversationId" FROM messages WHERE search @@ to_tsquery('simple', $1)) s`, [word]))
      .rows[0].n as number
  console.log(`"${RARE}" is in ${await hits(RARE)} conversations, "${COMMON}" in ${(await hits(COMMON)).toLocaleString('en')}`)
  return [
    { name: `search rare "${RARE}" (tab=all)`, paths: [`/conversations?tab=all&q=${RARE}`], headers: admin },
    { name: `search common "${COMMON}" (tab=all)`, paths: [`/conversations?tab=all&q=${COMMON}`], headers: admin },
    { name: `search common "${COMMON}" (tab=new)`, paths: [`/conversations?tab=new&q=${COMMON}`], headers: admin },
  ]
})
process.exit(0)
