import { wallClock } from '../config/timezone.js'
/** Alembic's slug: the words of the message, lower-cased, joined by `_`, cut at a word boundary. */
export function slugify(message: string | undefined, maxLength = 40): string {
  const words = (message ?? '').match(/[\p{L}\p{N}_]+/gu) ?? []
  const slug = words.join('_').toLowerCase()
  if (slug.length <= maxLength) return slug
  const cut = slug.slice(0, maxLength)
  const boundary = cut.lastIndexOf('_')
  return `${boundary === -1 ? cut : cut.slice(0, boundary)}_`
}

/** Fills `{rev}`, `{slug}`, `{epoch}`, `{year}`, `{month}`, `{day}`, `{hour}`, `{minute}`, `{second}`. */
export function renderFileName(
  template: string,
  fields: { rev: string; slug: string; date: Date; timeZone?: string | undefined },
): string {
  const d = wallClock(fields.date, fields.timeZone)
  const pad = (n: number) => String(n).padStart(2, '0')
  const values: Record<string, string> = {
    rev: fields.rev,
    slug: fields.slug,
    epoch: String(Math.floor(fields.date.getTime() / 1000)),
    year: String(d.year),
    month: pad(d.month),
    day: pad(d.day),
    hour: pad(d.hour),
    minute: pad(d.minute),
    second: pad(d.second),
  }
  const name = template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole)
  // Whatever the template or message held, the result is one file inside the versions folder.
  return name.replace(/[/\\\0]/g, '_').replace(/^\.+/, '_')
}

/** A revision id a user may choose with `--rev-id`: no `@ - + :` or whitespace. */
export function checkRevisionId(id: string): string | undefined {
  if (id === '') return 'a revision id cannot be empty'
  if (/[@\-+:\s]/.test(id)) return `revision id '${id}' may not contain '@', '-', '+', ':' or whitespace`
  if (/[/\\'"`]/.test(id)) return `revision id '${id}' may not contain slashes or quotes`
  return undefined
}

/** Formats a date as Alembic's `Create Date:` line does (local time, or `timeZone` with its offset; microseconds). */
export function formatCreateDate(date: Date, timeZone?: string | undefined): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const d = wallClock(date, timeZone)
  return (
    `${d.year}-${pad(d.month)}-${pad(d.day)} ` +
    `${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}.${pad(d.millisecond * 1000, 6)}${d.offset ?? ''}`
  )
}
