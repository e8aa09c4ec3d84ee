import { z } from 'zod'
import { rowId } from '../../../domain/input.ts'

/** The customers list: a search and the keyset position (customers older than `before`). */
export const customersQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  before: rowId.optional().catch(undefined),
})

/** The profile's own form: what an agent may change of the customer. */
export const customerForm = z.object({
  name: z.string().default(''),
  organisation: z.string().default(''),
  notes: z.string().default(''),
})

export const addressForm = z.object({ email: z.string().default('') })

export const mergeForm = z.object({ duplicateEmail: z.string().default('') })
