import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { TOUCH_INTERVAL_MS } from '../../src/db/sessionStore.ts'
import { BACKGROUND_STATEMENTS, countQueries } from '../helpers/queryCounter.ts'
import { setUpAndSignIn, startTestApp, type TestApp } from '../helpers/testApp.ts'

/** An unchanged session is pushed back in the database at most every TOUCH_INTERVAL_MS, not on each request. */
describe('session expiry in the database', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
  })
  afterAll(async () => {
    vi.useRealTimers()
    await app.stop()
  })

  const expiry = async () => {
    const rows = await app.ctx.db.pool.query<{ expire: Date }>('SELECT expire FROM sessions')
    expect(rows.rowCount).toBe(1)
    return rows.rows[0]!.expire.getTime()
  }
  const touches = (statements: { text: string }[]) => statements.filter((s) => /UPDATE "sessions" SET expire/.test(s.text)).length

  it('is touched once for many requests, then again once the interval has passed', async () => {
    const client = await setUpAndSignIn(app)
    await client.get('/conversations')
    const first = await expiry()

    const burst = await countQueries(
      app,
      async () => {
        for (let i = 0; i < 5; i++) expect((await client.get('/conversations')).status).toBe(200)
      },
      { ignore: BACKGROUND_STATEMENTS },
    )
    expect(touches(burst.statements)).toBe(0)
    expect(await expiry()).toBe(first)

    // Later than the interval (the store reads Date.now; the cookie and the database use it too).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + TOUCH_INTERVAL_MS + 1_000 })
    const later = await countQueries(app, async () => expect((await client.get('/conversations')).status).toBe(200), { ignore: BACKGROUND_STATEMENTS })
    expect(touches(later.statements)).toBe(1)
    expect(await expiry()).toBeGreaterThan(first)
  })
})
