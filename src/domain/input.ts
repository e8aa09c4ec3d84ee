import { z } from 'zod'
import { NotFoundError } from './errors.ts'
import type { MessageKey } from '../i18n/translate.ts'

/** A row id as a form, a URL or a caller gives it (string or number), within PostgreSQL's integer range. */
export const rowId = z.coerce.number().int().positive().max(2_147_483_647)

/**
 * The id of the row a command acts on. A malformed one names nothing, so it is answered like a
 * missing row (NotFoundError), not as a form error.
 */
export function parseId(value: unknown, notFound: MessageKey = 'error.notFound'): number {
  const parsed = rowId.safeParse(value)
  if (!parsed.success) throw new NotFoundError(notFound)
  return parsed.data
}
