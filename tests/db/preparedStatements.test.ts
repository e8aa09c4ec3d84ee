import { describe, expect, it } from 'vitest'
import { PREPARED_MARKER, preparedStatementName } from '../../src/db/preparedStatements.ts'

describe('prepared statement names', () => {
  it('names only marked statements, the same text always with the same name', () => {
    expect(preparedStatementName({ sql: 'SELECT 1' })).toBeUndefined()
    const a = preparedStatementName({ sql: `${PREPARED_MARKER} SELECT 1` })
    expect(a).toMatch(/^suivi_[0-9a-f]{20}$/)
    expect(preparedStatementName({ sql: `${PREPARED_MARKER} SELECT 1` })).toBe(a)
    expect(preparedStatementName({ sql: `${PREPARED_MARKER} SELECT 2` })).not.toBe(a)
  })

  it('stops naming new texts beyond a bound (statements then run unnamed)', () => {
    const names = Array.from({ length: 200 }, (_, i) => preparedStatementName({ sql: `${PREPARED_MARKER} SELECT ${i + 10}` }))
    const named = names.filter(Boolean)
    expect(named.length).toBeGreaterThan(10)
    expect(named.length).toBeLessThan(100)
    expect(names.at(-1)).toBeUndefined()
  })
})
