import { describe, expect, it } from 'vitest'
import { localDateTimeValue, parseLocalDateTime, snoozePresets } from '../../../src/domain/conversations/snoozeTimes.ts'

describe('the Snooze menu’s moments, in the agent’s zone', () => {
  it('offers later today, tomorrow at 9:00 and next Monday at 9:00 where the agent is', () => {
    // Monday 4 January 2027, 10:00 in Paris, 04:00 in New York.
    const now = new Date('2027-01-04T09:00:00Z')
    expect(snoozePresets(now, 'Europe/Paris')).toEqual({
      laterToday: new Date('2027-01-04T12:00:00Z'),
      tomorrow: new Date('2027-01-05T08:00:00Z'),
      nextMonday: new Date('2027-01-11T08:00:00Z'),
    })
    expect(snoozePresets(now, 'America/New_York').tomorrow).toEqual(new Date('2027-01-05T14:00:00Z'))
  })

  it('leaves out "later today" late in the evening, and from a Sunday next Monday is tomorrow', () => {
    // Sunday 3 January 2027, 23:00 in Paris.
    const presets = snoozePresets(new Date('2027-01-03T22:00:00Z'), 'Europe/Paris')
    expect(presets.laterToday).toBeUndefined()
    expect(presets.tomorrow).toEqual(new Date('2027-01-04T08:00:00Z'))
    expect(presets.nextMonday).toEqual(presets.tomorrow)
  })

  it('reads a typed date and time in the zone, across daylight-saving changes', () => {
    expect(parseLocalDateTime('2027-03-28T09:00', 'Europe/Paris')).toEqual(new Date('2027-03-28T07:00:00Z'))
    expect(parseLocalDateTime('2027-10-31T09:00', 'Europe/Paris')).toEqual(new Date('2027-10-31T08:00:00Z'))
    // 02:30 does not exist that night in Paris: the clocks read 03:30.
    expect(parseLocalDateTime('2027-03-28T02:30', 'Europe/Paris')).toEqual(new Date('2027-03-28T01:30:00Z'))
    for (const bad of ['', 'tomorrow', '2027-02-30T10:00', '2027-01-01T24:00']) expect(parseLocalDateTime(bad, 'UTC'), bad).toBeNull()
    expect(localDateTimeValue(new Date('2027-01-04T09:00:00Z'), 'Asia/Tokyo')).toBe('2027-01-04T18:00')
  })
})
