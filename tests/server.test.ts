import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './helpers/testApp.ts'

describe('start-up', () => {
  let app: TestApp | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  async function startupWarnings(env: Record<string, string>) {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean))
        done()
      },
    })
    app = await startTestApp({ LOG_LEVEL: 'warn', ...env }, { logDestination: sink })
    return lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('PUBLIC_URL'))
  }

  it('warns once when PUBLIC_URL is unset: e-mailed links would point to localhost', async () => {
    const warnings = await startupWarnings({})
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.level).toBe(40)
    expect(warnings[0]!.msg).toContain('PUBLIC_URL is not set, so links in e-mails point to http://localhost:0')
  })

  it('says nothing about it when PUBLIC_URL is set', async () => {
    expect(await startupWarnings({ PUBLIC_URL: 'https://help.example.test' })).toEqual([])
  })
})
