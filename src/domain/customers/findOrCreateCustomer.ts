import type { Prisma, Tx } from '../../db/database.ts'
import type { Customer } from '../../generated/prisma/client.ts'
import { survivingCustomerId } from '../conversations/merged.ts'

/**
 * The customer an address belongs to, by any of their addresses (`customer_addresses`), else by
 * the customer's own `email` (rows written before addresses existed); a merged duplicate leads to
 * the customer that took it in. Null when nobody has the address.
 */
export async function findCustomerByAddress(db: Prisma | Tx, email: string) {
  return (await lookUp(db, email.trim().toLowerCase()))?.customer ?? null
}

async function lookUp(db: Prisma | Tx, address: string) {
  const row = await db.customerAddress.findUnique({ where: { email: address }, select: { customer: true } })
  if (row) return { customer: await followMerges(db, row.customer), hasRow: true }
  const old = await db.customer.findUnique({ where: { email: address } })
  return old ? { customer: await followMerges(db, old), hasRow: false } : null
}

/** A merged duplicate stands for the customer that took it in (the end of its chain). */
async function followMerges(db: Prisma | Tx, customer: Customer): Promise<Customer> {
  if (customer.mergedIntoId === null) return customer
  return (await db.customer.findUnique({ where: { id: await survivingCustomerId(db, customer.id) } })) ?? customer
}

/**
 * The customer with this address (any of theirs), created on first contact with the address as
 * their first; a name fills in a missing one, and so does a language (detected in their first
 * e-mail) while the customer has none.
 */
export async function findOrCreateCustomer(tx: Tx, email: string, name: string, locale?: string) {
  const address = email.trim().toLowerCase()
  const cleanName = name
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 200)
  const found = await lookUp(tx, address)
  if (found) {
    const existing = found.customer
    // A customer from before addresses existed gets their address row on their next contact.
    if (!found.hasRow) await addressRow(tx, existing.id, address)
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
  if (!rows[0]) {
    const winner = await lookUp(tx, address)
    if (!winner) throw new Error(`The customer of ${address} was created and then removed meanwhile`)
    if (!winner.hasRow) await addressRow(tx, winner.customer.id, address)
    return winner.customer
  }
  if (await addressRow(tx, rows[0].id, address)) return tx.customer.findUniqueOrThrow({ where: { id: rows[0].id } })
  // Meanwhile an agent gave the address to another customer: the address is theirs, and the
  // customer made a moment ago (nothing refers to it yet) is taken back.
  await tx.customer.delete({ where: { id: rows[0].id } })
  const owner = await findCustomerByAddress(tx, address)
  if (!owner) throw new Error(`The address ${address} was taken and then released while a customer was created`)
  return owner
}

/** The address row of a customer; false when the address already belongs to another. */
async function addressRow(tx: Tx, customerId: number, address: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO customer_addresses ("customerId", email, "createdAt") VALUES (${customerId}, ${address}, now()) ON CONFLICT (email) DO NOTHING RETURNING id`
  if (rows[0]) return true
  const owner = await tx.customerAddress.findUnique({ where: { email: address }, select: { customerId: true } })
  return owner?.customerId === customerId
}
