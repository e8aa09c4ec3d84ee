import { z } from 'zod'
import type { Actor } from '../actor.ts'
import type { DomainContext, QueryContext } from '../context.ts'
import { NotFoundError, parseInput } from '../errors.ts'
import { transaction } from '../transaction.ts'
import { isLocale } from '../../i18n/catalogues.ts'
import { isTimeZone } from '../../i18n/format.ts'
import { notificationSchema } from './manageAgents.ts'
import { CHANNELS, prefsWithForm, prefsFormSchema, readPrefs } from '../notifications/preferences.ts'

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
      notifyOnNewInFolder: true,
      notificationPrefs: true,
    },
  })
  // Signed-in agents exist; one deleted meanwhile has no page.
  if (!me) throw new NotFoundError()
  const { notificationPrefs, ...rest } = me
  return { ...rest, prefs: readPrefs(notificationPrefs), channels: CHANNELS }
}

/** After sending a reply: stay on the conversation, open the next one of the list, or go back to the list. */
export const AFTER_SEND = ['stay', 'next', 'list'] as const
export type AfterSend = (typeof AFTER_SEND)[number]
const afterSend = z.enum(AFTER_SEND, { error: 'validation.chooseAfterSend' })

/**
 * A form without the language, the zone, the after-send choice or a kind's notification choice
 * leaves them as they are.
 */
export const profileSchema = notificationSchema.pick({ notifyOnNewInFolder: true }).extend({
  ...prefsFormSchema.shape,
  locale: z.string().refine(isLocale, { message: 'validation.chooseLanguage' }).optional(),
  timeZone: z.string().refine(isTimeZone, { message: 'validation.chooseTimeZone' }).optional(),
  afterSend: afterSend.optional(),
})

/** What an agent chooses for themselves: the e-mails they get, their language and time zone. */
export async function updateOwnProfile(ctx: DomainContext, agent: Actor, input: Record<string, unknown>) {
  const { notifyOnNewInFolder, locale, timeZone, afterSend, ...prefs } = parseInput(profileSchema, input)
  return transaction(ctx, async (tx) => {
    const current = await tx.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { notificationPrefs: true } })
    const notificationPrefs = prefsWithForm(current.notificationPrefs, prefs)
    return tx.agent.update({ where: { id: agent.id }, data: { notifyOnNewInFolder, locale, timeZone, afterSend, notificationPrefs } })
  })
}

export const afterSendSchema = z.object({ afterSend })

/** Remembers where the agent goes after sending a reply (chosen beside the Send button or in the profile). */
export async function setAfterSend(ctx: DomainContext, agent: Actor, input: z.input<typeof afterSendSchema>) {
  const { afterSend } = parseInput(afterSendSchema, input)
  await transaction(ctx, (tx) => tx.agent.update({ where: { id: agent.id }, data: { afterSend } }))
  return afterSend
}
