import { ConfigError } from '../errors.js'

/** The history table beside a version table: `mig_version` → `mig_version_history`. */
export function historyTableName(versionTable: string): string {
  return `${versionTable}_history`
}

/** The version table's primary key constraint: `mig_version` → `mig_version_pkc` (Alembic's name). */
export function primaryKeyName(versionTable: string): string {
  return `${versionTable}_pkc`
}

/** The longest name a database keeps whole; a longer one is cut short or refused. */
export interface IdentifierLimit {
  readonly length: number
  readonly unit: 'bytes' | 'characters'
  /** The database, as messages name it. */
  readonly database: string
}

/** Where the version table's names came from, for messages. */
export interface NameSource {
  /** The config file, or undefined for a config passed in code. */
  readonly file: string | undefined
}

/**
 * Splits a `versionTable` that names its schema (`'public.mig_version'`) and checks both parts
 * against `versionTableSchema`. A dot always separates the schema from the table: a table whose
 * own name holds a dot cannot be the version table.
 *
 * @example splitVersionTable('audit.versions', undefined, { file }) // { table: 'versions', schema: 'audit' }
 */
export function splitVersionTable(
  versionTable: string,
  versionTableSchema: string | undefined,
  source: NameSource,
): { readonly table: string; readonly schema: string | undefined } {
  checkName(versionTable, 'versionTable', source)
  if (versionTableSchema !== undefined) checkName(versionTableSchema, 'versionTableSchema', source)
  const parts = versionTable.split('.')
  if (parts.length === 1) return { table: versionTable, schema: versionTableSchema }
  const [schema = '', table = ''] = parts
  if (parts.length > 2 || schema.trim() === '' || table.trim() === '') {
    fail(
      source,
      `config key 'versionTable' is '${versionTable}': write a table name, or 'schema.table' with at most one dot and both parts named (or put the schema in 'versionTableSchema')`,
    )
  }
  checkName(schema, 'versionTable', source)
  checkName(table, 'versionTable', source)
  if (versionTableSchema !== undefined && versionTableSchema !== schema) {
    fail(
      source,
      `config key 'versionTable' names schema '${schema}' but 'versionTableSchema' is '${versionTableSchema}'; give the schema in one of them`,
    )
  }
  return { table, schema }
}

/**
 * Checks that the database keeps the version table's names whole: the table, its history table
 * and its primary key, and the schema. A name cut short would make two names one (PostgreSQL
 * truncates silently) or fail half-way through a first run (MySQL refuses it after earlier DDL
 * has committed).
 */
export function checkVersionTableLength(
  ref: { readonly table: string; readonly schema?: string | undefined },
  limit: IdentifierLimit,
  source: NameSource,
): void {
  const tooLong = (name: string) => {
    const length = measure(name, limit.unit)
    return length > limit.length ? length : undefined
  }
  const names = [
    { name: ref.table, what: 'the name' },
    { name: historyTableName(ref.table), what: 'the history table' },
    { name: primaryKeyName(ref.table), what: 'the primary key' },
  ]
  for (const { name, what } of names) {
    const length = tooLong(name)
    if (length === undefined) continue
    const spare = measure(name, limit.unit) - measure(ref.table, limit.unit)
    fail(
      source,
      `config key 'versionTable' is too long for ${limit.database}: ${what} '${name}' is ${length} ${limit.unit}, over the ${limit.length}-${singular(limit.unit)} limit on names; use a name of at most ${limit.length - spare} ${limit.unit}`,
    )
  }
  const schemaLength = ref.schema === undefined ? undefined : tooLong(ref.schema)
  if (schemaLength !== undefined) {
    fail(
      source,
      `config key 'versionTableSchema' (or the schema in 'versionTable') is too long for ${limit.database}: '${ref.schema}' is ${schemaLength} ${limit.unit}, over the ${limit.length}-${singular(limit.unit)} limit on names`,
    )
  }
}

function checkName(name: string, key: string, source: NameSource): void {
  if (name.trim() === '') fail(source, `config key '${key}' must not be blank`)
  if (name.trim() !== name) {
    fail(source, `config key '${key}' must not begin or end with whitespace: '${name}'`)
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    fail(source, `config key '${key}' must not contain control characters: ${JSON.stringify(name)}`)
  }
}

function measure(name: string, unit: IdentifierLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length
}

function singular(unit: IdentifierLimit['unit']): string {
  return unit === 'bytes' ? 'byte' : 'character'
}

function fail(source: NameSource, message: string): never {
  throw new ConfigError(`${source.file ?? 'config'}: ${message}`, source.file)
}
