import { z } from 'zod'
import { SNOOZE_PRESETS } from '../../../domain/conversations/snoozeTimes.ts'

/** The Snooze menu: a preset moment, "custom" with the typed date and time (agent's zone), or "customer". */
export const snoozeForm = z.object({
  when: z.enum([...SNOOZE_PRESETS, 'custom', 'customer']),
  at: z.string().trim().max(40).optional().default(''),
})
export type SnoozeForm = z.infer<typeof snoozeForm>
