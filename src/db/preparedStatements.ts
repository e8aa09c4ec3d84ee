import { createHash } from 'node:crypto'

/**
 * Statements that begin with this comment are prepared once per connection, so PostgreSQL parses
 * and plans them once rather than on every request. Meant for the few large, hot statements whose
 * plan does not depend on their parameters (the conversation page: planning it took twice as
 * long as running it). Statements of other shapes stay unnamed: a prepared statement whose best
 * plan depends on the values bound would be held to a generic plan.
 */
export const PREPARED_MARKER = '/* prepared */'

/** Distinct prepared texts per process, at most; beyond, statements run unnamed (never unbounded). */
const MAX_PREPARED = 64
const names = new Map<string, string>()

/** Names a marked statement after a hash of its text (the same text gets the same name everywhere). */
export function preparedStatementName(query: { sql: string }): string | undefined {
  if (!query.sql.trimStart().startsWith(PREPARED_MARKER)) return undefined
  const known = names.get(query.sql)
  if (known) return known
  if (names.size >= MAX_PREPARED) return undefined
  const name = `suivi_${createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}`
  names.set(query.sql, name)
  return name
}
