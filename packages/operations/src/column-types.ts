import type { Expression } from 'kysely'

/** The SQL dialects ops compile to. PGlite speaks `postgres`, MariaDB speaks `mysql`. */
export type SqlFlavour = 'postgres' | 'mysql' | 'sqlite'

/** A length or precision inside a type name, e.g. the `255` of `varchar(255)`. */
type Size = number

/**
 * Portable column type names. Each dialect maps them to its own spelling (`serial` is
 * `integer auto_increment` on MySQL, `uuid` is `char(36)` there, `timestamptz` is `datetime`).
 * For anything else pass raw SQL: `` sql`citext` `` or `` sql`${sql.id('mood')}` `` for an enum.
 */
export type ColumnDataType =
  | 'serial'
  | 'bigserial'
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'boolean'
  | 'real'
  | 'double precision'
  | 'numeric'
  | `numeric(${Size})`
  | `numeric(${Size}, ${Size})`
  | 'decimal'
  | `decimal(${Size})`
  | `decimal(${Size}, ${Size})`
  | 'text'
  | 'varchar'
  | `varchar(${Size})`
  | `char(${Size})`
  | 'date'
  | 'time'
  | 'timestamp'
  | `timestamp(${Size})`
  | 'timestamptz'
  | `timestamptz(${Size})`
  | 'uuid'
  | 'json'
  | 'jsonb'
  | 'bytea'
  | 'blob'

/**
 * A column's type: a portable name, or raw SQL for anything dialect specific.
 *
 * @example
 * ```ts
 * await op.addColumn('account', 'tags', sql`text[]`)
 * ```
 */
export type ColumnType = ColumnDataType | Expression<unknown>

const PORTABLE_TYPE =
  /^(serial|bigserial|smallint|integer|bigint|boolean|real|double precision|numeric|decimal|text|varchar|date|time|timestamp|timestamptz|uuid|json|jsonb|bytea|blob)$|^(numeric|decimal)\(\d+(, ?\d+)?\)$|^(varchar|char|timestamp|timestamptz)\(\d+\)$/

/** True when `name` is one of the {@link ColumnDataType} spellings (safe to emit as SQL text). */
export function isColumnDataType(name: string): name is ColumnDataType {
  return PORTABLE_TYPE.test(name)
}

/** A portable type name split into its base and its parenthesised arguments. */
export interface ParsedDataType {
  readonly base: string
  readonly args: string
}

/** Splits `numeric(10, 2)` into `numeric` and `(10, 2)`. */
export function parseDataType(name: ColumnDataType): ParsedDataType {
  const open = name.indexOf('(')
  return open === -1 ? { base: name, args: '' } : { base: name.slice(0, open), args: name.slice(open) }
}
