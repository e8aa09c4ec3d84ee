import type { getCustomerProfile, listCustomers } from '../../../domain/customers/customerQueries.ts'
import { shownTime, type Reader } from '../../presenters/conversationRow.ts'

type Rows = Awaited<ReturnType<typeof listCustomers>>['rows']
type Profile = Extract<Awaited<ReturnType<typeof getCustomerProfile>>, { mergedIntoId: null }>

/** A row of the customers list. */
export function presentCustomerRows(rows: Rows) {
  return rows.map((c) => ({ ...c, href: `/customers/${c.id}`, blocked: c.blockedAt !== null }))
}

/** The profile page: the customer, their addresses (the last one cannot be removed) and the conversations shown. */
export function presentCustomerProfile(profile: Profile, { t, fmt }: Reader, now: Date) {
  const { customer } = profile
  const removable = profile.addresses.filter((a) => a.id !== null).length > 1
  return {
    customer: {
      ...customer,
      href: `/customers/${customer.id}`,
      since: shownTime(customer.createdAt, now, fmt),
      blocked: customer.blockedAt ? shownTime(customer.blockedAt, now, fmt) : null,
    },
    addresses: profile.addresses.map((a) => ({ ...a, removeAction: a.id !== null && removable ? `/customers/${customer.id}/addresses/${a.id}/remove` : null })),
    conversations: profile.conversations.map((c) => ({
      number: c.number,
      subject: c.subject || t('conversation.noSubject'),
      status: c.status,
      folder: c.folder.name,
      href: `/conversations/${c.number}`,
      lastActivity: shownTime(c.lastActivityAt, now, fmt),
    })),
  }
}
