import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../../src/db/migrations.ts'
import { startTestApp, type TestApp } from '../helpers/testApp.ts'

describe('the database schema', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('is migrated at start-up and a second run applies nothing', async () => {
    const rows = await app.ctx.db.prisma.$queryRaw<
      { migration_name: string; finished_at: Date | null }[]
    >`SELECT migration_name, finished_at FROM _prisma_migrations`
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.finished_at !== null)).toBe(true)
    const {
      rows: [conn],
    } = await app.ctx.db.pool.query<{ url: string }>(`SELECT current_database() AS url`)
    expect(conn).toBeDefined()
    const url = app.ctx.config.databaseUrl ?? process.env.TEST_DATABASE_URL
    if (url) expect(await applyMigrations(url)).toEqual([])
  })

  it('keeps generated search vectors for subjects, message bodies and customers, with GIN indexes', async () => {
    const prisma = app.ctx.db.prisma
    const folder = await prisma.folder.create({ data: { name: 'Search folder' } })
    const customer = await prisma.customer.create({ data: { email: 'marguerite.duras@example.org', name: 'Marguerite Duras' } })
    const conversation = await prisma.conversation.create({
      data: {
        subject: 'Invoice mismatch',
        channel: 'email',
        folderId: folder.id,
        customerId: customer.id,
        messages: { create: { kind: 'customer', bodyText: 'The refund never arrived on my card' } },
      },
    })
    const hit = async (sql: string) => (await app.ctx.db.pool.query(sql)).rowCount
    expect(await hit(`SELECT 1 FROM conversations WHERE search @@ to_tsquery('simple', 'invoice')`)).toBe(1)
    expect(await hit(`SELECT 1 FROM messages WHERE search @@ to_tsquery('simple', 'refund')`)).toBe(1)
    expect(await hit(`SELECT 1 FROM customers WHERE search @@ to_tsquery('simple', 'marguerite')`)).toBe(1)
    expect(await hit(`SELECT 1 FROM customers WHERE search @@ to_tsquery('simple', 'duras')`)).toBe(1)
    const indexes = await app.ctx.db.pool.query(`SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin (search)%' ORDER BY 1`)
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['conversations_search_idx', 'customers_search_idx', 'messages_search_idx'])
    expect(conversation.number).toBeGreaterThan(0)
  })
})
