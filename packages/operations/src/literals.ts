import type { CompiledQuery } from 'kysely'
import type { SqlFlavour } from './column-types.js'

/**
 * Renders a value as a SQL literal of `flavour`, the way the database would read it back as the
 * same value: quotes doubled everywhere, backslashes doubled on MySQL (whose default mode treats
 * them as escapes), dates as UTC timestamps, bytes as hex.
 *
 * @example
 * ```ts
 * renderLiteral("it's \\ fine", 'mysql') // => 'it''s \\ fine'
 * ```
 */
export function renderLiteral(value: unknown, flavour: SqlFlavour): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'string':
      return quoteString(value, flavour)
    case 'boolean':
      return flavour === 'sqlite' ? (value ? '1' : '0') : String(value)
    case 'bigint':
      return value.toString()
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as a SQL literal`)
      return String(value)
    case 'object':
      return renderObject(value, flavour)
    default:
      throw new TypeError(`cannot write a ${typeof value} as a SQL literal`)
  }
}

function renderObject(value: object, flavour: SqlFlavour): string {
  if (value instanceof Date) return quoteString(formatDate(value, flavour), flavour)
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
    return flavour === 'postgres' ? `'\\x${hex}'` : `X'${hex}'`
  }
  if (Array.isArray(value) && flavour === 'postgres') {
    // node-postgres sends arrays as PostgreSQL arrays; write the same thing offline.
    return value.length === 0 ? "'{}'" : `ARRAY[${value.map((v) => renderLiteral(v, flavour)).join(', ')}]`
  }
  return quoteString(JSON.stringify(value), flavour)
}

function formatDate(date: Date, flavour: SqlFlavour): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('cannot write an invalid Date as a SQL literal')
  const iso = date.toISOString()
  // MySQL's DATETIME does not read the ISO 'T…Z' form reliably; write UTC wall-clock time.
  return flavour === 'mysql' ? iso.replace('T', ' ').replace('Z', '') : iso
}

function quoteString(value: string, flavour: SqlFlavour): string {
  if (value.includes('\0') && flavour !== 'mysql') {
    throw new TypeError(`a string with a NUL character cannot be written as a ${flavour} literal`)
  }
  const body =
    flavour === 'mysql'
      ? value.replace(/[\\'\0]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "''" : '\\0'))
      : value.replace(/'/g, "''")
  return `'${body}'`
}

/**
 * Replaces the placeholders of a compiled query (`$1` on PostgreSQL, `?` elsewhere) with its
 * parameters rendered as literals, skipping anything inside strings, quoted identifiers and
 * comments. The result runs as is in `psql`, `mariadb` or `sqlite3`.
 *
 * @example
 * ```ts
 * const q = createCompilerKysely('postgres').insertInto('t').values({ a: "it's" }).compile()
 * inlineParameters(q, 'postgres') // => insert into "t" ("a") values ('it''s')
 * ```
 */
export function inlineParameters(query: CompiledQuery, flavour: SqlFlavour): string {
  const { sql, parameters } = query
  if (parameters.length === 0) return sql
  let out = ''
  let next = 0
  let i = 0
  while (i < sql.length) {
    const skip = skipQuoted(sql, i, flavour)
    if (skip > i) {
      out += sql.slice(i, skip)
      i = skip
      continue
    }
    const c = sql[i]
    if (flavour === 'postgres' && c === '$' && isDigit(sql[i + 1])) {
      let end = i + 1
      while (isDigit(sql[end])) end++
      const index = Number(sql.slice(i + 1, end)) - 1
      if (index >= parameters.length) throw new RangeError(`placeholder $${index + 1} has no parameter`)
      out += renderLiteral(parameters[index], flavour)
      i = end
      continue
    }
    if (flavour !== 'postgres' && c === '?') {
      if (next >= parameters.length) throw new RangeError('more placeholders than parameters')
      out += renderLiteral(parameters[next++], flavour)
      i++
      continue
    }
    out += c
    i++
  }
  return out
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

/** If a string, quoted identifier or comment starts at `i`, the index just past it; else `i`. */
function skipQuoted(sql: string, i: number, flavour: SqlFlavour): number {
  const c = sql[i]
  if (c === "'") {
    const escapes = flavour === 'mysql' || (flavour === 'postgres' && isEscapeStringPrefix(sql, i))
    return skipDelimited(sql, i, "'", escapes)
  }
  if (c === '"' || c === '`') return skipDelimited(sql, i, c, false)
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i)
    return end === -1 ? sql.length : end
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2)
    return end === -1 ? sql.length : end + 2
  }
  if (c === '$' && flavour === 'postgres') {
    const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))
    if (tag !== null) {
      const end = sql.indexOf(tag[0], i + tag[0].length)
      return end === -1 ? sql.length : end + tag[0].length
    }
  }
  return i
}

function isEscapeStringPrefix(sql: string, quote: number): boolean {
  const prefix = sql[quote - 1]
  return (prefix === 'E' || prefix === 'e') && !/[A-Za-z0-9_$]/.test(sql[quote - 2] ?? ' ')
}

function skipDelimited(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1
  while (i < sql.length) {
    const c = sql[i]
    if (backslashEscapes && c === '\\') {
      i += 2
      continue
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i++
  }
  return sql.length
}
