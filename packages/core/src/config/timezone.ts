import { ConfigError } from '../errors.js'

/** A moment as a wall clock shows it in one time zone. */
export interface WallClock {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly millisecond: number
  /** `+01:00`, `-05:30`, `+00:00`; undefined for the process's local time. */
  readonly offset: string | undefined
}

/**
 * Alembic's `timezone`: an IANA name (`UTC`, `Europe/Paris`) for the Create Date and the file-name
 * date tokens of new revisions. Absent: the local time, as before. An unknown name is an error.
 */
export function resolveTimezone(value: unknown, where: string, file: string | undefined): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`${where}: config key 'timezone' must be a time zone name such as 'UTC'`, file)
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
  } catch {
    throw new ConfigError(
      `${where}: config key 'timezone' names an unknown time zone '${value}' (use an IANA name such as 'UTC' or 'Europe/Paris')`,
      file,
    )
  }
  return value
}

/** The wall clock of `date` in `timeZone`, or in local time when it is undefined. */
export function wallClock(date: Date, timeZone: string | undefined): WallClock {
  if (timeZone === undefined) {
    return {
      year: date.getFullYear(),
      month: date.getMonth() + 1,
      day: date.getDate(),
      hour: date.getHours(),
      minute: date.getMinutes(),
      second: date.getSeconds(),
      millisecond: date.getMilliseconds(),
      offset: undefined,
    }
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    timeZoneName: 'longOffset',
  }).formatToParts(date)
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  const zone = part('timeZoneName').replace(/^GMT/, '')
  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    second: Number(part('second')),
    millisecond: date.getUTCMilliseconds(),
    offset: zone === '' ? '+00:00' : zone,
  }
}
