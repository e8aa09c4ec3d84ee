import { z } from 'zod'
import { asAgent, type Actor } from '../../actor.ts'
import type { DomainContext } from '../../context.ts'
import { parseInput } from '../../errors.ts'
import { isLocale } from '../../../i18n/catalogues.ts'
import { changeConversation } from '../changeConversation.ts'

export const customerLanguageSchema = z.object({
  conversationId: z.number().int().positive(),
  /** A file of locales/, or '' for "the folder's language". */
  locale: z.string().refine((code) => code === '' || isLocale(code), { message: 'validation.chooseLanguage' }),
})

/**
 * Sets the language the customer of a conversation gets e-mails in (their status page and
 * answer pages too). It belongs to the customer, so it follows them into their other
 * conversations; it is recorded in the conversation where the agent changed it.
 */
export async function setCustomerLanguage(ctx: DomainContext, agent: Actor, input: z.input<typeof customerLanguageSchema>) {
  const p = parseInput(customerLanguageSchema, input)
  const locale = p.locale === '' ? null : p.locale
  return changeConversation(ctx, asAgent(agent), p.conversationId, async ({ tx, conversation, record }) => {
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: conversation.customerId }, select: { locale: true } })
    if (customer.locale === locale) return conversation
    await tx.customer.update({ where: { id: conversation.customerId }, data: { locale } })
    await record('customer.language_changed', { from: customer.locale, to: locale }, conversation)
    return conversation
  })
}
