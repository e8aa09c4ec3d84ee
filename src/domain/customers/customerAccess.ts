import type { Prisma, Tx } from '../../db/database.ts'
import { Prisma as P } from '../../generated/prisma/client.ts'
import type { Actor } from '../actor.ts'
import { NotFoundError } from '../errors.ts'
import { folderScope, scopeSql, type FolderScope } from '../policy.ts'

/**
 * Who may see a customer, derived from the one policy: whoever may read at least one of the
 * customer's conversations (admins: every customer). Editing, merging and blocking follow seeing;
 * a customer nobody may see answers 404, so their existence does not leak.
 */

/** A Prisma `where` on customers: those the scope lets one see. */
export function visibleCustomerWhere(scope: FolderScope) {
  return scope === null ? {} : { conversations: { some: { folderId: { in: scope } } } }
}

/** The same for raw queries, `customerId` being the customer's id column. */
export function visibleCustomerSql(customerId: P.Sql, scope: FolderScope): P.Sql {
  if (scope === null) return P.sql`TRUE`
  return P.sql`EXISTS (SELECT 1 FROM conversations v WHERE v."customerId" = ${customerId} AND ${scopeSql(P.sql`v."folderId"`, scope)})`
}

/** Throws NotFoundError unless the customer exists and the scope lets one see them. */
export async function assertCustomerVisible(db: Prisma | Tx, scope: FolderScope, customerId: number): Promise<void> {
  const found = await db.customer.count({ where: { id: customerId, ...visibleCustomerWhere(scope) } })
  if (!found) throw new NotFoundError('customers.error.notFound')
}

/**
 * The customer row locked for a change (FOR UPDATE), after checking the actor may see them. The
 * scope is read at the start, as for conversations (docs/decisions.md, "One policy").
 */
export async function lockVisibleCustomer(tx: Tx, actor: Actor, customerId: number) {
  const scope = await folderScope(tx, actor)
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM customers WHERE id = ${customerId} FOR UPDATE`
  if (rows.length === 0) throw new NotFoundError('customers.error.notFound')
  await assertCustomerVisible(tx, scope, customerId)
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId } })
  // A merged duplicate is changed through the customer that took it in.
  if (customer.mergedIntoId !== null) throw new NotFoundError('customers.error.notFound')
  return { customer, scope }
}
