// The ceiling: a bare Express 5 + pg page doing one indexed query (the 50 latest conversations)
// and returning a small HTML list. No sessions, no ORM, no templates. Started by bench/reference.ts.
import express from 'express'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 })
const app = express()
app.disable('x-powered-by')

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' })
})

app.get('/conversations', async (_req, res) => {
  const { rows } = await pool.query<{ id: number; subject: string }>(`SELECT id, subject FROM conversations ORDER BY "lastActivityAt" DESC, id DESC LIMIT 50`)
  res
    .type('html')
    .send(
      `<!doctype html><title>Conversations</title><ul>${rows.map((r) => `<li><a href="/conversations/${r.id}">${escape(r.subject)}</a></li>`).join('')}</ul>`,
    )
})

const server = app.listen(Number(process.env.PORT ?? 3999), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => {
  server.close()
  void pool.end().then(() => process.exit(0))
})
