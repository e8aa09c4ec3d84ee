import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

describe('configuration', () => {
  it('runs with no configuration at all', () => {
    const c = loadConfig({})
    expect(c.port).toBe(3000)
    expect(c.databaseUrl).toBeUndefined()
    expect(c.dataDir).toBe('./data')
    expect(c.publicUrl).toBe('http://localhost:3000')
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', SESSION_SECRET: '' }).databaseUrl).toBeUndefined()
  })

  it('names every bad variable in one error', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short' })).toThrowError(ConfigError)
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })
    } catch (err) {
      expect((err as Error).message).toContain('PORT')
      expect((err as Error).message).toContain('DATABASE_URL')
    }
  })

  it('drops a trailing slash from the public URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://help.example.com/' }).publicUrl).toBe('https://help.example.com')
  })
})
