import { z } from 'zod'
import { createConversationSchema } from '../../../domain/conversations/commands/createConversation.ts'
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

// A message written here is a catalogue key; the others come from the sentences of the web layer's issue messages, never zod's own.
export const messageForm = z.object({
  type: z.enum(['reply', 'comment'], { error: 'conversation.chooseType' }).default('reply'),
  html: text,
  text: text,
  statusAfter: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['pending', 'open', 'closed']).optional()),
  seenMessageCount: z.coerce.number({ error: 'conversation.reloadPage' }).int().min(0).optional(),
})

const created = createConversationSchema.shape
const blankIfMissing = (v: unknown) => (v === undefined || v === null ? '' : v)

/**
 * Checks every field at once, so a refused form names all its mistakes; the lengths are the
 * command's own, which checks again. The address is quoted back with what is wrong with it (the
 * issue messages' own wording for an e-mail field: "Enter the customer’s e-mail address.").
 */
export const newConversationForm = z.object({
  customerEmail: z.preprocess(blankIfMissing, z.string().trim().max(254).pipe(z.email())),
  customerName: created.customerName,
  subject: z.preprocess(blankIfMissing, created.subject),
  folderId: id,
  assigneeId: optionalId,
  html: created.html,
  text: created.text,
  mode: z.enum(['send', 'record']).catch('send'),
})

export const assignForm = z.object({ assigneeId: optionalId })
export const moveForm = z.object({ folderId: id })
export const tagForm = z.object({ tagId: id })
export const statusForm = z.object({ status: z.enum(['new', 'open', 'pending', 'closed']) })

/** The command checks the code against the catalogues; '' is the folder's language. */
export const languageForm = z.object({ locale: z.string().max(20) })

export const bulkForm = z.object({
  action: z.enum(['assign', 'move', 'tag', 'close']),
  ids: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(id).min(1, 'list.bulk.selectOne').max(200)),
  assigneeId: optionalId.optional(),
  folderId: id.optional(),
  tagId: id.optional(),
  back: z.string().optional(),
})
