/** Commands and jobs take the time from a clock so tests can move it. */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()
