import type { ColumnModel, SchemaDialect, SchemaModel, TableModel } from './model.js'

/** Options of {@link renderKyselyTypes}. */
export interface KyselyTypesOptions {
  /** A line saying where the types come from (e.g. the heads), written in the header comment. */
  readonly source?: string | undefined
  /** The name of the interface that lists the tables. Default `Database`. */
  readonly databaseInterface?: string | undefined
}

/**
 * The helper types a generated file may use, each declared only when a column needs it. They
 * follow what each driver migraph uses returns: `pg` gives `bigint` and `numeric` as strings and
 * timestamps as `Date`; mysql2 gives `DECIMAL` as strings; better-sqlite3 gives numbers, text and
 * buffers only.
 */
const HELPERS: Readonly<Record<string, string>> = {
  // Kysely's own Generated<T> does not see through a ColumnType: Generated<Int8> would select
  // as Int8. These two take the select type out of one, as kysely-codegen's do.
  Generated:
    'export type Generated<T> = T extends ColumnType<infer S, infer I, infer U>\n  ? ColumnType<S, I | undefined, U>\n  : ColumnType<T, T | undefined, T>',
  GeneratedAlways:
    'export type GeneratedAlways<T> = T extends ColumnType<infer S, infer _I, infer _U>\n  ? ColumnType<S, never, never>\n  : ColumnType<T, never, never>',
  Int8: 'export type Int8 = ColumnType<string, bigint | number | string, bigint | number | string>',
  Numeric: 'export type Numeric = ColumnType<string, number | string, number | string>',
  Timestamp: 'export type Timestamp = ColumnType<Date, Date | string, Date | string>',
  Json: 'export type Json = ColumnType<JsonValue, string | JsonValue, string | JsonValue>',
  JsonValue:
    'export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }',
}

/** A column's TypeScript type and the helpers it needs. */
interface TsType {
  readonly text: string
  readonly helpers: readonly string[]
}

const plain = (text: string): TsType => ({ text, helpers: [] })
const helper = (name: string, ...more: string[]): TsType => ({ text: name, helpers: [name, ...more] })

/**
 * Writes a Kysely `Database` interface for a schema: one interface per table, `Generated<>` for
 * columns the database fills in (defaults, identities, auto-increment), `GeneratedAlways<>` for
 * generated columns and `GENERATED ALWAYS` identities, `ColumnType<>` where what a query returns
 * differs from what an insert takes, and enums as unions of their values. Deterministic: tables
 * in the model's order (by name), columns in the table's, so the file changes only with the schema.
 *
 * @example
 * ```ts
 * writeFileSync('src/db-types.ts', renderKyselyTypes(await introspect(reader, 'postgres')))
 * // then: new Kysely<Database>({ dialect }).selectFrom('account').selectAll()
 * ```
 */
export function renderKyselyTypes(model: SchemaModel, options: KyselyTypesOptions = {}): string {
  const enums = new Map(model.enums.map((e) => [e.name, e.values] as const))
  const used = new Set<string>()
  const enumTypes = new Map<string, string>()
  const names = new NameTable()
  const tableNames = new Map(model.tables.map((t) => [t, names.take(pascalCase(t.name))] as const))
  const body: string[] = []
  for (const table of model.tables) {
    body.push(
      renderTable(model.dialect, table, tableNames.get(table) as string, enums, enumTypes, names, used),
    )
  }
  const databaseName = options.databaseInterface ?? 'Database'
  const lines: string[] = [
    '// The tables of the database as Kysely types, written by `mig schema types`: do not edit,',
    '// run the command again after a schema change.',
  ]
  if (options.source !== undefined) lines.push(`// ${options.source}`)
  lines.push('')
  if (used.size > 0 && [...used].some((name) => HELPERS[name]?.includes('ColumnType<'))) {
    lines.push("import type { ColumnType } from 'kysely'", '')
  }
  for (const [values, name] of enumTypes) lines.push(`export type ${name} = ${values}`, '')
  for (const name of ['Generated', 'GeneratedAlways', 'JsonValue', 'Int8', 'Numeric', 'Timestamp', 'Json']) {
    if (used.has(name)) lines.push(HELPERS[name] as string, '')
  }
  lines.push(...body)
  lines.push(`export interface ${databaseName} {`)
  for (const table of model.tables) lines.push(`  ${property(table.name)}: ${tableNames.get(table)}`)
  lines.push('}', '')
  return lines.join('\n')
}

function renderTable(
  dialect: SchemaDialect,
  table: TableModel,
  name: string,
  enums: ReadonlyMap<string, readonly string[]>,
  enumTypes: Map<string, string>,
  names: NameTable,
  used: Set<string>,
): string {
  const lines = [`export interface ${name} {`]
  const primaryKey = new Set(table.primaryKey?.columns ?? [])
  for (const column of table.columns) {
    const base = columnType(dialect, column, enums, enumTypes, names)
    for (const h of base.helpers) used.add(h)
    let text = column.nullable && !primaryKey.has(column.name) ? `${base.text} | null` : base.text
    if (column.generated !== undefined || column.identity === 'always') {
      text = `GeneratedAlways<${text}>`
      used.add('GeneratedAlways')
    } else if (filledIn(dialect, column, table)) {
      text = `Generated<${text}>`
      used.add('Generated')
    }
    lines.push(`  ${property(column.name)}: ${text}`)
  }
  lines.push('}', '')
  return lines.join('\n')
}

/** Whether the database gives the column a value when an insert leaves it out. */
function filledIn(dialect: SchemaDialect, column: ColumnModel, table: TableModel): boolean {
  if (column.default !== undefined || column.identity !== undefined) return true
  if (dialect === 'postgres' && /^(small|big)?serial[248]?$/i.test(column.type)) return true
  // SQLite: an INTEGER PRIMARY KEY is the rowid, assigned when not given.
  const key = table.primaryKey?.columns
  return dialect === 'sqlite' && key?.length === 1 && key[0] === column.name && /^integer$/i.test(column.type)
}

function columnType(
  dialect: SchemaDialect,
  column: ColumnModel,
  enums: ReadonlyMap<string, readonly string[]>,
  enumTypes: Map<string, string>,
  names: NameTable,
): TsType {
  const type = column.type.trim().toLowerCase()
  if (dialect === 'postgres') {
    if (type.endsWith('[]')) {
      const element = columnType(dialect, { ...column, type: type.slice(0, -2) }, enums, enumTypes, names)
      return { text: `(${element.text})[]`.replace(/^\((\w+)\)\[\]$/, '$1[]'), helpers: element.helpers }
    }
    const values = enums.get(column.type) ?? enums.get(type)
    if (values !== undefined) return plain(enumType(values, column.type, enumTypes, names))
    return postgresType(type)
  }
  if (dialect === 'mysql') return mysqlType(type, column.type, enumTypes, names)
  return sqliteType(type)
}

function postgresType(type: string): TsType {
  const name = type.replace(/\(.*\)/, '').trim()
  if (
    [
      'smallint',
      'integer',
      'int',
      'int2',
      'int4',
      'real',
      'double precision',
      'float4',
      'float8',
      'oid',
    ].includes(name)
  ) {
    return plain('number')
  }
  if (name === 'serial' || name === 'serial4' || name === 'smallserial' || name === 'serial2')
    return plain('number')
  if (name === 'bigint' || name === 'int8' || name === 'bigserial' || name === 'serial8')
    return helper('Int8')
  if (name === 'numeric' || name === 'decimal' || name === 'money') return helper('Numeric')
  if (name === 'boolean' || name === 'bool') return plain('boolean')
  if (name.startsWith('timestamp') || name === 'date') return helper('Timestamp')
  if (name === 'json' || name === 'jsonb') return helper('Json', 'JsonValue')
  if (name === 'bytea') return plain('Buffer')
  // text, character varying, character, uuid, citext, time, interval, inet, xml, tsvector, ...
  // pg returns each as a string.
  return plain('string')
}

function mysqlType(type: string, original: string, enumTypes: Map<string, string>, names: NameTable): TsType {
  const name = type
    .replace(/\(.*$/, '')
    .replace(/\s+unsigned.*$/, '')
    .trim()
  if (name === 'enum' || name === 'set') {
    const values = [...original.matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
      (m[1] as string).replaceAll("''", "'"),
    )
    if (name === 'set') return plain('string')
    return plain(enumType(values, undefined, enumTypes, names))
  }
  if (
    ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'year', 'float', 'double', 'real', 'bit'].includes(
      name,
    )
  ) {
    return plain('number')
  }
  // mysql2 returns BIGINT as a number (exact up to 2^53) unless told otherwise.
  if (name === 'bigint') return plain('number')
  if (name === 'decimal' || name === 'numeric') return helper('Numeric')
  if (name === 'datetime' || name === 'timestamp' || name === 'date') return helper('Timestamp')
  if (name === 'json') return helper('Json', 'JsonValue')
  if (/blob$|binary$/.test(name)) return plain('Buffer')
  return plain('string')
}

/** SQLite's type affinity rules (section 3.1 of its datatype page), then better-sqlite3's values. */
function sqliteType(type: string): TsType {
  if (type.includes('int')) return plain('number')
  if (type.includes('char') || type.includes('clob') || type.includes('text')) return plain('string')
  if (type === '' || type.includes('blob')) return plain('Buffer')
  if (type.includes('real') || type.includes('floa') || type.includes('doub')) return plain('number')
  // NUMERIC affinity (numeric, decimal, boolean, date, datetime): stored as a number when it
  // looks like one, as text otherwise.
  return plain('number | string')
}

/** An enum as a named union type, one per distinct set of values. */
function enumType(
  values: readonly string[],
  name: string | undefined,
  enumTypes: Map<string, string>,
  names: NameTable,
): string {
  const union = values.length === 0 ? 'never' : values.map((v) => JSON.stringify(v)).join(' | ')
  if (name === undefined) return union
  const known = enumTypes.get(union)
  if (known !== undefined) return known
  const typeName = names.take(pascalCase(name))
  enumTypes.set(union, typeName)
  return typeName
}

/** Type names already given out, so two tables (`user_role`, `UserRole`) never share one. */
class NameTable {
  readonly #taken = new Set<string>(['Database', 'ColumnType', ...Object.keys(HELPERS)])

  take(wanted: string): string {
    let name = wanted
    for (let n = 2; this.#taken.has(name); n++) name = `${wanted}${n}`
    this.#taken.add(name)
    return name
  }
}

/** `user_account` → `UserAccount`; a name that would not start with a letter gets `T`. */
function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0)
  const joined = words.map((w) => (w[0] as string).toUpperCase() + w.slice(1)).join('')
  return /^[A-Za-z]/.test(joined) ? joined : `T${joined}`
}

/** A property name, quoted when it is not an identifier. */
function property(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)
}
