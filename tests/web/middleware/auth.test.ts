import { describe, expect, it } from 'vitest'
import { safeNextPath } from '../../../src/web/middleware/auth.ts'

describe('the path to return to after sign-in', () => {
  it('keeps local paths with their query', () => {
    expect(safeNextPath('/conversations?tab=mine')).toBe('/conversations?tab=mine')
  })
  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/\u0000x', undefined, 42])('sends %s home', (next) => {
    expect(safeNextPath(next)).toBe('/')
  })
})
