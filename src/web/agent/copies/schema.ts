import { z } from 'zod'

const id = z.coerce.number().int().positive().max(2_147_483_647)

/** The forward form: addresses as typed (the command reads them), a note, and '' for the whole conversation or a message's id. */
export const forwardForm = z.object({
  to: z.string().max(10_000).default(''),
  note: z.string().max(20_000).default(''),
  messageId: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), id.optional()),
})
