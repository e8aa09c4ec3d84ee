import { z } from 'zod'
import { NotFoundError } from '../../../domain/errors.ts'
import { rowId } from '../../../domain/input.ts'

/** The saved reply of the URL; a malformed id is the same 404 as an unknown one. */
export function savedReplyIdOf(params: unknown): number {
  const parsed = z.object({ savedReplyId: rowId }).safeParse(params)
  if (!parsed.success) throw new NotFoundError('error.savedReplyNotFound')
  return parsed.data.savedReplyId
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** What the management form sends, kept as typed to fill the form again when it is refused. */
export function savedReplyFormValues(body: unknown) {
  const fields = (body ?? {}) as Record<string, unknown>
  return { name: text(fields.name), folderId: text(fields.folderId), html: text(fields.html), text: text(fields.text) }
}

/** The picker's choice: the saved reply to insert. */
export const insertForm = z.object({ savedReplyId: rowId })

/** What the reply form held when "Insert" was pressed without JavaScript. */
export function replyFormValues(body: unknown): Record<string, string> {
  const fields = (body ?? {}) as Record<string, unknown>
  return Object.fromEntries(
    ['type', 'text', 'html', 'statusAfter', 'afterSend'].filter((n) => typeof fields[n] === 'string').map((n) => [n, fields[n] as string]),
  )
}
