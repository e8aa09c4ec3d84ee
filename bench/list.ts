// The conversation list under load: every tab, a folder filter, a tag filter, page 50 (keyset).
// `npm run bench:list -- [--db suivi_bench_100k] [--duration 10] [--connections 1,10] [--runs 2] [--only tab]`
import { runAppBench } from './http.ts'

await runAppBench('list', async ({ admin, agent, db }) => {
  const folder = (await db.query(`SELECT "folderId" AS id FROM conversations GROUP BY 1 ORDER BY count(*) DESC OFFSET 2 LIMIT 1`)).rows[0]?.id
  const tag = (await db.query(`SELECT id FROM tags WHERE name = 'bug'`)).rows[0]?.id
  // The 50th page of "All": the cursor is the last row of page 49.
  const row = (
    await db.query(
      `SELECT (extract(epoch FROM "lastActivityAt") * 1000)::bigint AS ms, id FROM conversations ORDER BY "lastActivityAt" DESC, id DESC OFFSET ${49 * 50 - 1} LIMIT 1`,
    )
  ).rows[0]
  const tabs = ['new', 'open', 'pending', 'closed', 'all', 'mine', 'unassigned']
  return [
    ...tabs.map((t) => ({ name: `list tab=${t} (admin)`, paths: [`/conversations?tab=${t}`], headers: admin })),
    { name: 'list tab=new (agent, 3 folders)', paths: ['/conversations?tab=new'], headers: agent },
    { name: 'list tab=mine (agent)', paths: ['/conversations?tab=mine'], headers: agent },
    { name: `list folder filter (tab=all)`, paths: [`/conversations?tab=all&folder=${folder}`], headers: admin },
    { name: `list tag filter (tab=all, "bug")`, paths: [`/conversations?tab=all&tag=${tag}`], headers: admin },
    { name: 'list page 50 (tab=all, keyset)', paths: [`/conversations?tab=all&after=${row.ms}_${row.id}`], headers: admin },
  ]
})
process.exit(0)
