import { z } from 'zod'
import { createCustomer, newCustomerInput } from '../../domain/customers/createCustomer.ts'
import { customerVersion, customerWithCounts } from '../../domain/customers/customerDirectory.ts'
import { listCustomers } from '../../domain/customers/customerQueries.ts'
import { entityTag } from '../../domain/conversations/version.ts'
import { customerDetailsInput, updateCustomer } from '../../domain/customers/updateCustomer.ts'
import { schemaMessage } from '../../i18n/issueMessages.ts'
import { Customer, CustomerSummary } from './directorySchemas.ts'
import { operation, pageOf, type AnyOperation } from './operation.ts'

/** A page's cursor: the last customer id, opaque to callers so that it may change. */
const encodeAfter = (customerId: number) => Buffer.from(`c:${customerId}`).toString('base64url')
const decodeAfter = (cursor: string) => Number(/^c:([1-9]\d{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1] ?? NaN)

const listQuery = z.object({
  q: z.string().max(200).optional().meta({ description: 'Part of a name, an organisation or any of their addresses.' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  after: z
    .string()
    .max(100)
    .refine((c) => decodeAfter(c) <= 2_147_483_647, { message: schemaMessage('api.error.cursorInvalid') })
    .optional()
    .meta({ description: 'The `next` of the previous page.' }),
})

const customerParams = z.object({ customerId: z.coerce.number().int().positive().max(2_147_483_647) })

type CustomerRow = {
  id: number
  name: string
  email: string
  organisation: string
  notes: string
  blockedAt: Date | null
  undeliverableAt: Date | null
  createdAt: Date
}

function present(
  customer: CustomerRow,
  addresses: { email: string; primary: boolean }[],
  conversations: z.output<typeof Customer>['conversations'],
): z.output<typeof Customer> {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    organisation: customer.organisation,
    notes: customer.notes,
    blocked: customer.blockedAt !== null,
    blockedAt: customer.blockedAt?.toISOString() ?? null,
    undeliverable: customer.undeliverableAt !== null,
    addresses: addresses.map((a) => ({ email: a.email, primary: a.primary })),
    conversations,
    createdAt: customer.createdAt.toISOString(),
  }
}

export const customerOperations: AnyOperation[] = [
  operation({
    method: 'get',
    path: '/customers',
    operationId: 'listCustomers',
    summary: 'List customers',
    description: 'Customers with a conversation in the caller’s folders (admins: every customer), newest first.',
    tag: 'Customers',
    scope: 'read',
    query: listQuery,
    responses: { 200: { description: 'A page of customers.', schema: pageOf(CustomerSummary).meta({ id: 'CustomerPage' }) } },
    async handler({ ctx, query, agent }) {
      const page = await listCustomers(ctx.domain, agent, { q: query.q, before: query.after ? decodeAfter(query.after) : undefined, limit: query.limit })
      return {
        body: {
          items: page.rows.map((c) => ({
            id: c.id,
            name: c.name,
            email: c.email,
            organisation: c.organisation,
            blocked: c.blockedAt !== null,
            conversationCount: c.conversations,
            createdAt: c.createdAt.toISOString(),
          })),
          next: page.nextBefore === null ? null : encodeAfter(page.nextBefore),
        },
      }
    },
  }),
  operation({
    method: 'post',
    path: '/customers',
    operationId: 'createCustomer',
    summary: 'Create a customer',
    description:
      'A customer known before they write, with their first address. An address that is already a customer’s is refused (409). A customer with no conversation yet is visible to admins only, until a conversation in your folders is theirs.',
    tag: 'Customers',
    scope: 'write',
    body: newCustomerInput,
    responses: { 201: { description: 'Created.', schema: Customer, headers: { Location: 'The customer’s URL.' } } },
    async handler({ ctx, body, agent }) {
      const customer = await createCustomer(ctx.domain, agent, body)
      return {
        status: 201,
        headers: { Location: `/api/v1/customers/${customer.id}` },
        body: present(customer, [{ email: customer.email, primary: true }], { total: 0, new: 0, open: 0, pending: 0, closed: 0 }),
      }
    },
  }),
  operation({
    method: 'get',
    path: '/customers/{customerId}',
    operationId: 'getCustomer',
    summary: 'Get a customer',
    description: 'A merged duplicate answers with the customer that took it in.',
    tag: 'Customers',
    scope: 'read',
    params: customerParams,
    responses: { 200: { description: 'The customer.', schema: Customer, headers: { ETag: 'The version, for If-Match on an update.' } } },
    async handler({ ctx, params, agent }) {
      const found = await customerWithCounts(ctx.domain, agent, params.customerId)
      return { headers: { ETag: entityTag(customerVersion(found)) }, body: present(found.customer, found.addresses, found.conversations) }
    },
  }),
  operation({
    method: 'patch',
    path: '/customers/{customerId}',
    operationId: 'updateCustomer',
    summary: 'Update a customer',
    description:
      'Name, organisation and notes; the fields left out keep their value. With If-Match (the ETag of a read), a customer changed since is refused with 412.',
    tag: 'Customers',
    scope: 'write',
    params: customerParams,
    body: customerDetailsInput,
    responses: { 200: { description: 'The customer as it is now.', schema: Customer, headers: { ETag: 'The new version.' } } },
    async handler({ ctx, params, body, agent, ifMatch }) {
      await updateCustomer(ctx.domain, agent, { customerId: params.customerId, ...body, ifMatch })
      const found = await customerWithCounts(ctx.domain, agent, params.customerId)
      return { headers: { ETag: entityTag(customerVersion(found)) }, body: present(found.customer, found.addresses, found.conversations) }
    },
  }),
]
