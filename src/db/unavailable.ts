/**
 * Whether an error says the database cannot be reached right now (server down or restarting,
 * network cut, connection pool exhausted), as opposed to a query it refused. Such a failure is
 * temporary: pages answer 503 with Retry-After, the intake leaves the message for a retry.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errorCode?: string; meta?: { driverAdapterError?: { cause?: { code?: string; originalCode?: string } } } }
  const cause = e?.meta?.driverAdapterError?.cause
  const codes = [e?.code, e?.errorCode, cause?.code, cause?.originalCode].filter((c): c is string => typeof c === 'string')
  return (
    codes.some(
      (c) => ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '53300'].includes(c) || /^(08|57P0[1-3])/.test(c),
    ) ||
    /Can't reach database|Connection terminated|connection is closed|terminating connection|Cannot use a pool after calling end|ECONNREFUSED|timeout exceeded when trying to connect/i.test(
      e?.message ?? '',
    )
  )
}
