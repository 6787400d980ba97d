import type { ColumnModel, EnumModel, SchemaDialect, SchemaModel, TableModel } from './model.js'

// A Kysely `Database` interface from a schema model: one interface per table, TypeScript types
// as the usual drivers return values (node-postgres: int8 and numeric as strings, timestamps as
// Date; mysql2: decimals as strings; better-sqlite3: numbers, strings and Buffers).

const POSTGRES: readonly [RegExp, string][] = [
  [/^(smallint|integer|smallserial|serial|real|double precision|oid)$/, 'number'],
  [/^(bigint|bigserial|numeric|money)\b/, 'string'],
  [/^boolean$/, 'boolean'],
  [/^(date|timestamp)\b/, 'Date'],
  [/^(json|jsonb)$/, 'unknown'],
  [/^bytea$/, 'Buffer'],
]

const MYSQL: readonly [RegExp, string][] = [
  [/^(tinyint|smallint|mediumint|int|bigint|float|double|real|year|bit)\b/, 'number'],
  [/^(decimal|numeric)\b/, 'string'],
  [/^(date|datetime|timestamp)\b/, 'Date'],
  [/^json$/, 'unknown'],
  [/^(tinyblob|blob|mediumblob|longblob|binary|varbinary)\b/, 'Buffer'],
]

/** SQLite's affinity rules (section 3.1 of its datatype page), in its order. */
function sqliteType(type: string): string {
  if (type.includes('int')) return 'number'
  if (/char|clob|text/.test(type)) return 'string'
  if (type === '' || type.includes('blob')) return 'Buffer'
  return 'number'
}

function baseType(
  column: ColumnModel,
  dialect: SchemaDialect,
  enums: ReadonlyMap<string, EnumModel>,
): string {
  const type = column.type
  const enumType = enums.get(type.replace(/\[\]$/, ''))
  if (enumType !== undefined) {
    const union = enumType.values.map((v) => JSON.stringify(v)).join(' | ')
    return type.endsWith('[]') ? `(${union})[]` : union
  }
  const inline = /^enum\((.*)\)$/.exec(type)
  if (dialect === 'mysql' && inline !== null) {
    const values = [...(inline[1] ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((m) =>
      (m[1] ?? '').replace(/''/g, "'"),
    )
    return values.map((v) => JSON.stringify(v)).join(' | ')
  }
  if (dialect === 'sqlite') return sqliteType(type)
  if (dialect === 'postgres' && type.endsWith('[]')) {
    const element = baseType({ ...column, type: type.slice(0, -2) }, dialect, enums)
    return /^\w+$/.test(element) ? `${element}[]` : `(${element})[]`
  }
  for (const [pattern, ts] of dialect === 'postgres' ? POSTGRES : MYSQL) if (pattern.test(type)) return ts
  return 'string'
}

/** The property type: `Generated<>` where the database fills a value in, `| null` where it may be null. */
function columnType(
  column: ColumnModel,
  dialect: SchemaDialect,
  enums: ReadonlyMap<string, EnumModel>,
): string {
  const base = baseType(column, dialect, enums)
  const value = column.nullable ? `${base} | null` : base
  if (column.generated !== undefined || column.identity === 'always') return `GeneratedAlways<${value}>`
  const filled = column.default !== undefined || column.identity !== undefined || /serial$/.test(column.type)
  return filled ? `Generated<${value}>` : value
}

/** `order_line` → `OrderLine`; names that would not be identifiers get a prefix. */
function interfaceName(table: string, taken: Set<string>): string {
  let name = table
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p[0]?.toUpperCase() + p.slice(1))
    .join('')
  if (!/^[A-Za-z_]/.test(name)) name = `T${name}`
  if (name === 'Database' || name === '') name = `${name}Table`
  let unique = name
  for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`
  taken.add(unique)
  return unique
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name))

/**
 * TypeScript source of a Kysely `Database` interface for every table of the model.
 *
 * @example
 * ```ts
 * writeFileSync('db.ts', renderKyselyTypes(model))
 * // const db = new Kysely<Database>(...); db.selectFrom('account') is typed
 * ```
 */
export function renderKyselyTypes(model: SchemaModel, header = ''): string {
  const enums = new Map(model.enums.map((e) => [e.name, e]))
  const taken = new Set<string>()
  const names = new Map<TableModel, string>(model.tables.map((t) => [t, interfaceName(t.name, taken)]))
  const lines: string[] = []
  if (header !== '') lines.push(...header.split('\n').map((l) => `// ${l}`.trimEnd()))
  lines.push("import type { Generated, GeneratedAlways } from 'kysely'", '')
  for (const table of model.tables) {
    lines.push(`export interface ${names.get(table)} {`)
    for (const column of table.columns) {
      lines.push(`  ${key(column.name)}: ${columnType(column, model.dialect, enums)}`)
    }
    lines.push('}', '')
  }
  lines.push('export interface Database {')
  for (const table of model.tables) lines.push(`  ${key(table.name)}: ${names.get(table)}`)
  lines.push('}', '')
  return lines.join('\n')
}
