import { z } from 'zod'

const id = z.coerce.number().int().positive().max(2_147_483_647)
const blankAsMissing = (v: unknown) => (v === '' || v === undefined || v === null ? undefined : typeof v === 'string' ? v.trim().replace(/^#/, '') : v)

/**
 * The merge form: the conversation chosen in the menu (`into`) or typed by number (`intoNumber`,
 * "#12" or "12"; it wins when both are given), and the "I understand" box, which a merge needs.
 */
export const mergeForm = z.object({
  into: z.preprocess(blankAsMissing, id.optional()).catch(undefined),
  intoNumber: z.preprocess(blankAsMissing, id.optional()).catch(undefined),
  understand: z.preprocess((v) => v === '1' || v === 'on', z.boolean()),
})

/** The split address: the conversation of the URL and its message. */
export const splitParams = z.object({ number: id, messageId: id })
