import { z } from 'zod'

/** What an agent can be told of (the NotificationKind enum of the schema). */
export const NOTIFICATION_KINDS = ['mention', 'assigned', 'customer_reply', 'followed_reply', 'snooze_ended', 'bad_rating'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/** Where each kind reaches the agent: the notification centre, an e-mail, both, or nowhere. */
export const CHANNELS = ['app', 'email', 'both', 'none'] as const
export type Channel = (typeof CHANNELS)[number]

/**
 * A kind the agent has not chosen for: being named, being given work and an unhappy customer are
 * worth an e-mail; the rest is for the bell. (The team-tools migration carried the old e-mail choices over.)
 */
export const DEFAULT_CHANNELS: Readonly<Record<NotificationKind, Channel>> = {
  mention: 'both',
  assigned: 'both',
  customer_reply: 'app',
  followed_reply: 'app',
  snooze_ended: 'app',
  // An unhappy customer is worth hearing of at once, wherever the agent is.
  bad_rating: 'both',
}

export type NotificationPrefs = Record<NotificationKind, Channel>

const stored = z.record(z.string(), z.unknown())

/** The agent's choices as stored (Agent.notificationPrefs), every kind filled in; unknown values take the default. */
export function readPrefs(json: unknown): NotificationPrefs {
  const parsed = stored.safeParse(json)
  const given = parsed.success ? parsed.data : {}
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => {
      const value = given[kind]
      return [kind, (CHANNELS as readonly unknown[]).includes(value) ? (value as Channel) : DEFAULT_CHANNELS[kind]]
    }),
  ) as NotificationPrefs
}

/** The one answer to "how is this agent told of this kind?". */
export function channelsFor(prefsJson: unknown, kind: NotificationKind): { app: boolean; email: boolean } {
  const channel = readPrefs(prefsJson)[kind]
  return { app: channel === 'app' || channel === 'both', email: channel === 'email' || channel === 'both' }
}

/** The profile form's radio group of a kind (forms are flat: `pref_mention=both`). */
export const prefField = (kind: NotificationKind) => `pref_${kind}` as const

const channel = z.enum(CHANNELS, { error: 'validation.chooseNotificationChannel' }).optional()

/** The profile form's radio groups; a group left out keeps its choice, a value out of the list is refused. */
export const prefsFormSchema = z.object(
  Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [prefField(kind), channel])) as Record<`pref_${NotificationKind}`, typeof channel>,
)

/** The stored choices with the form's put in. */
export function prefsWithForm(current: unknown, form: z.output<typeof prefsFormSchema>): NotificationPrefs {
  const prefs = readPrefs(current)
  for (const kind of NOTIFICATION_KINDS) prefs[kind] = form[prefField(kind)] ?? prefs[kind]
  return prefs
}
