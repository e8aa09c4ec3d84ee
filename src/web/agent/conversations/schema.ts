import { z } from 'zod'
import { NotFoundError } from '../../../domain/errors.ts'

const id = z.coerce.number().int().positive().max(2_147_483_647)
const optionalId = z.preprocess((v) => (v === '' || v === undefined ? null : v), id.nullable())
const text = z.string().optional()

export const numberParam = z.object({ number: id })

/** The conversation number of the URL; anything else is the same 404 as an unknown number. */
export function conversationNumber(params: unknown): number {
  const parsed = numberParam.safeParse(params)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data.number
}

export const messageForm = z.object({
  type: z.enum(['reply', 'comment']).default('reply'),
  html: text,
  text: text,
  statusAfter: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['pending', 'open', 'closed']).optional()),
  seenMessageCount: z.coerce.number().int().min(0).optional(),
})

export const newConversationForm = z.object({
  customerEmail: z.string().default(''),
  customerName: z.string().default(''),
  subject: z.string().default(''),
  folderId: z.preprocess((v) => (v === '' ? 0 : v), z.coerce.number().int().min(0)),
  assigneeId: optionalId,
  html: text,
  text: text,
  mode: z.enum(['send', 'record']).catch('send'),
})

export const assignForm = z.object({ assigneeId: optionalId })
export const moveForm = z.object({ folderId: id })
export const tagForm = z.object({ tagId: id })
export const statusForm = z.object({ status: z.enum(['new', 'open', 'pending', 'closed']) })

export const bulkForm = z.object({
  action: z.enum(['assign', 'move', 'tag', 'close']),
  ids: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(id).min(1, 'Select at least one conversation').max(200)),
  assigneeId: optionalId.optional(),
  folderId: id.optional(),
  tagId: id.optional(),
  back: z.string().optional(),
})
