import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, parseInput } from '../errors.ts'
import { transaction } from '../transaction.ts'
import { isLocale } from '../../i18n/catalogues.ts'
import { isTimeZone } from '../../i18n/format.ts'
import { notificationSchema } from './manageAgents.ts'

/** The signed-in agent's own name, address, language, time zone and notification choices. */
export async function getOwnProfile(ctx: QueryContext, agent: Actor) {
  const me = await ctx.prisma.agent.findUnique({
    where: { id: agent.id },
    select: {
      name: true,
      email: true,
      locale: true,
      timeZone: true,
      afterSend: true,
      notifyOnAssign: true,
      notifyOnCustomerReply: true,
      notifyOnNewInFolder: true,
    },
  })
  // Signed-in agents exist; one deleted meanwhile has no page.
  if (!me) throw new NotFoundError()
  return me
}

/** After sending a reply: stay on the conversation, open the next one of the list, or go back to the list. */
export const AFTER_SEND = ['stay', 'next', 'list'] as const
export type AfterSend = (typeof AFTER_SEND)[number]
const afterSend = z.enum(AFTER_SEND, { error: 'validation.chooseAfterSend' })

/** A form without the language, the zone or the after-send choice leaves them as they are. */
export const profileSchema = notificationSchema.extend({
  locale: z.string().refine(isLocale, { message: 'validation.chooseLanguage' }).optional(),
  timeZone: z.string().refine(isTimeZone, { message: 'validation.chooseTimeZone' }).optional(),
  afterSend: afterSend.optional(),
})

/** What an agent chooses for themselves: the e-mails they get, their language and time zone. */
export async function updateOwnProfile(ctx: DomainContext, agent: Actor, input: Record<string, unknown>) {
  const data = parseInput(profileSchema, input)
  return transaction(ctx, (tx) => tx.agent.update({ where: { id: agent.id }, data }))
}

export const afterSendSchema = z.object({ afterSend })

/** Remembers where the agent goes after sending a reply (chosen beside the Send button or in the profile). */
export async function setAfterSend(ctx: DomainContext, agent: Actor, input: z.input<typeof afterSendSchema>) {
  const { afterSend } = parseInput(afterSendSchema, input)
  await transaction(ctx, (tx) => tx.agent.update({ where: { id: agent.id }, data: { afterSend } }))
  return afterSend
}
