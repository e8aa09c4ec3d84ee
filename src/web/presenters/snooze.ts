import { latestSnooze } from '../../domain/conversations/commands/snoozeConversation.ts'
import { localDateTimeValue, snoozePresets, SNOOZE_PRESETS } from '../../domain/conversations/snoozeTimes.ts'
import type { Formats } from '../../i18n/format.ts'
import type { Reader } from './conversationRow.ts'

const momentFormats = new Map<string, { thisYear: Intl.DateTimeFormat; otherYear: Intl.DateTimeFormat; year: Intl.DateTimeFormat }>()

/** A snooze's moment as the reader reads it: "Tue 8 Dec, 09:00" (with the year when it is not this one). */
export function snoozeMoment(at: Date, now: Date, fmt: Formats): string {
  const id = `${fmt.locale}\u0000${fmt.timeZone}`
  let made = momentFormats.get(id)
  if (!made) {
    const base = { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit', timeZone: fmt.timeZone } as const
    made = {
      thisYear: new Intl.DateTimeFormat(fmt.locale, base),
      otherYear: new Intl.DateTimeFormat(fmt.locale, { ...base, year: 'numeric' }),
      // Made once per language and zone: a formatter costs far more to make than to use.
      year: new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: fmt.timeZone }),
    }
    momentFormats.set(id, made)
  }
  return (made.year.format(at) === made.year.format(now) ? made.thisYear : made.otherYear).format(at)
}

/** "until Tue 8 Dec, 09:00" / "until the customer answers", for a row of the Snoozed tab. */
export function snoozeRowText(until: Date | null, now: Date, { t, fmt }: Reader): string {
  return until ? t('list.snoozedUntil', { time: snoozeMoment(until, now, fmt) }) : t('list.snoozedUntilAnswer')
}

/**
 * The conversation page's snooze parts: the notice at the top when it is snoozed, and the menu of
 * the sidebar (the preset moments as of now in the agent's zone, and the custom field's bounds).
 */
export function presentSnooze(state: { status: string; snoozedAt: Date | null; snoozedUntil: Date | null }, href: string, now: Date, reader: Reader) {
  const { t, fmt } = reader
  return {
    snoozed: state.snoozedAt !== null,
    notice:
      state.snoozedAt === null
        ? null
        : state.snoozedUntil
          ? t('snooze.header.until', { time: snoozeMoment(state.snoozedUntil, now, fmt) })
          : t('snooze.header.untilAnswer'),
    /** A closed conversation cannot be snoozed: no menu. */
    canSnooze: state.status !== 'closed',
    action: `${href}/snooze`,
    unsnoozeAction: `${href}/unsnooze`,
    ...snoozeMenu(now, reader),
  }
}

/** The menu's moments, the same for every page of a language and zone within a minute (working them out is dear). */
const menus = new Map<string, { choices: { value: string; label: string }[]; custom: { label: string; min: string; max: string } }>()

function snoozeMenu(now: Date, { t, fmt }: Reader) {
  const zone = fmt.timeZone
  // The presets round up to the minute: the key holds both ends of the minute.
  const key = `${fmt.locale}\u0000${zone}\u0000${Math.floor(now.getTime() / 60_000)}\u0000${Math.ceil(now.getTime() / 60_000)}`
  let menu = menus.get(key)
  if (!menu) {
    const presets = snoozePresets(now, zone)
    menu = {
      choices: [
        ...SNOOZE_PRESETS.flatMap((p) => {
          const at = presets[p]
          return at ? [{ value: p, label: t(`snooze.${p}`, { time: snoozeMoment(at, now, fmt) }) }] : []
        }),
        { value: 'customer', label: t('snooze.untilAnswer') },
      ],
      custom: {
        label: t('snooze.customLabel', { zone }),
        min: localDateTimeValue(now, zone),
        max: localDateTimeValue(latestSnooze(now), zone),
      },
    }
    if (menus.size >= 200) menus.clear()
    menus.set(key, menu)
  }
  return menu
}
