import { transaction } from '../../transaction.ts'
import { z } from 'zod'
import type { Actor } from '../../actor.ts'
import { asAgent } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput, ValidationError } from '../../errors.ts'
import { newMessageId } from '../../../mail/messageIds.ts'
import { assertFolderVisible, canWorkInFolder } from '../access.ts'
import { appendMessage } from '../appendMessage.ts'
import { recordConversationEvent } from '../history.ts'
import { initialStatusFields } from '../lifecycle.ts'
import { readMessage, type UploadedFile } from '../messageBody.ts'
import { findOrCreateCustomer } from '../../customers/findOrCreateCustomer.ts'

export const createConversationSchema = z.object({
  customerEmail: z.email('validation.enterCustomerEmail').trim().toLowerCase().max(254),
  customerName: z.string().trim().max(200).default(''),
  subject: z.string().trim().min(1, 'validation.enterSubject').max(300),
  folderId: z.number().int().positive('validation.chooseFolder'),
  assigneeId: z.number().int().positive().nullable().default(null),
  html: z.string().max(40_000_000).optional(),
  text: z.string().max(1_000_000).optional(),
  /** send: e-mail it to the customer (pending); record: note down what the customer asked (new). */
  mode: z.enum(['send', 'record']),
})
export type CreateConversationInput = z.input<typeof createConversationSchema> & { files?: UploadedFile[] }

/** An agent starts a conversation: a message sent to the customer, or the customer's request recorded. */
export async function createConversation(ctx: DomainContext, agent: Actor, input: CreateConversationInput) {
  const p = parseInput(createConversationSchema, input)
  const files = input.files ?? []
  const body = await readMessage(ctx, p, files, 'validation.writeTheMessage')
  const actor = asAgent(agent)

  const result = await transaction(ctx, async (tx) => {
    const now = ctx.clock()
    const folder = await assertFolderVisible(tx, actor, p.folderId)
    if (p.assigneeId !== null && !(await canWorkInFolder(tx, p.assigneeId, folder.id))) {
      throw new ValidationError('error.assigneeNotInFolder', { assigneeId: { key: 'validation.chooseFolderAgent' } })
    }
    const customer = await findOrCreateCustomer(tx, p.customerEmail, p.customerName)
    const sending = p.mode === 'send'
    const created = await tx.conversation.create({
      data: {
        subject: p.subject,
        channel: 'agent',
        // Sent: the agent's message is its first reply, which makes it pending.
        ...initialStatusFields(now, actor, sending ? 'agentReply' : undefined),
        folderId: folder.id,
        assigneeId: p.assigneeId,
        customerId: customer.id,
        lastActivityAt: now,
        createdAt: now,
      },
    })
    const emailMessageId = sending ? newMessageId(ctx.mail.mailDomain) : null
    // A sent message's Message-ID tells the customer e-mail reaction to send it (src/reactions).
    await recordConversationEvent(ctx, tx, created, actor, 'conversation.created', now, {
      channel: 'agent',
      mode: p.mode,
      status: created.status,
      ...(emailMessageId ? { emailMessageId } : {}),
    })
    const appended = await appendMessage(ctx, tx, {
      conversation: created,
      actor,
      kind: sending ? 'agent' : 'customer',
      body,
      files,
      at: now,
      authorAgentId: agent.id,
      customerId: sending ? null : customer.id,
      emailMessageId,
    })
    if (p.assigneeId !== null) {
      await recordConversationEvent(ctx, tx, created, actor, 'conversation.assigned', now, { from: null, to: p.assigneeId })
    }
    return { conversation: appended.conversation, message: appended.message }
  })
  return result
}
