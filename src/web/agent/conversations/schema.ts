import { z } from 'zod'
import { createConversationSchema } from '../../../domain/conversations/commands/createConversation.ts'
import { AFTER_SEND } from '../../../domain/agents/profile.ts'
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
  /** Where to go once it is sent; a changed choice is remembered for the agent. Unknown values: the remembered one. */
  afterSend: z.enum(AFTER_SEND).optional().catch(undefined),
  /** Sent by the reply form: the e-mail waits a few seconds so that it can be withdrawn. */
  undo: z.literal('1').optional().catch(undefined),
  /** Copies of a reply, as typed (the command reads the addresses); absent: the conversation's own. */
  cc: z.string().max(10_000).optional(),
  bcc: z.string().max(10_000).optional(),
})

/** A reply to take back: the conversation of the URL and the message. */
export const withdrawParams = z.object({ number: id, messageId: id })

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
/** `assigneeId`: given back after the move (the Undo of a move that unassigned someone). */
export const moveForm = z.object({ folderId: id, assigneeId: id.optional() })
export const tagForm = z.object({ tagId: id })
export const statusForm = z.object({ status: z.enum(['new', 'open', 'pending', 'closed']) })

/** Sent by an Undo: the change puts an earlier one back, and is not offered for undoing in its turn. */
export const undoFlag = z.object({ undoing: z.preprocess((v) => v === '1', z.boolean()) })

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
