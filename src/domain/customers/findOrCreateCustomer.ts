import type { Tx } from '../../db/database.ts'

/**
 * The customer with this address, created on first contact; a name fills in a missing one, and so
 * does a language (detected in their first e-mail) while the customer has none.
 */
export async function findOrCreateCustomer(tx: Tx, email: string, name: string, locale?: string) {
  const address = email.trim().toLowerCase()
  const cleanName = name
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 200)
  const existing = await tx.customer.findUnique({ where: { email: address } })
  if (existing) {
    const fill = {
      ...(!existing.name && cleanName ? { name: cleanName } : {}),
      ...(!existing.locale && locale ? { locale } : {}),
    }
    return Object.keys(fill).length ? tx.customer.update({ where: { id: existing.id }, data: fill }) : existing
  }
  // Two first messages from one new address at once: the unique index decides, the loser reads.
  const rows = await tx.$queryRaw<
    { id: number }[]
  >`INSERT INTO customers (email, name, locale, "createdAt", "updatedAt") VALUES (${address}, ${cleanName}, ${locale ?? null}, now(), now()) ON CONFLICT (email) DO NOTHING RETURNING id`
  return tx.customer.findUniqueOrThrow({ where: rows[0] ? { id: rows[0].id } : { email: address } })
}
