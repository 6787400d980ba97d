import type { ReferentialAction } from '@migraph/operations'
import { UnsupportedSchemaFeatureError } from '../errors.js'
import {
  byName,
  type CheckModel,
  type ColumnModel,
  type ForeignKeyModel,
  type IndexModel,
  type IndexPartModel,
  type SchemaModel,
  type TableModel,
  type UniqueModel,
} from '../model.js'
import { normalizeSql, normalizeType } from '../normalize.js'
import { type CatalogReader, type IntrospectOptions, text } from './catalog-reader.js'

// MySQL and MariaDB: information_schema, with their differences. MariaDB quotes string defaults
// and writes `NULL` for none; MySQL 8 writes the bare value and marks expressions
// DEFAULT_GENERATED. MariaDB stores JSON as longtext with a json_valid() check. Unique indexes
// and unique constraints are one thing on both, reported as unique constraints.

const norm = (sql: string) => normalizeSql(sql, 'mysql')

type Row = Record<string, unknown>

/**
 * Reads one MySQL/MariaDB database (default: the session's current one) into a {@link SchemaModel}.
 *
 * @example
 * ```ts
 * const model = await introspectMysql(reader, { exclude: ['mig_version'] })
 * ```
 */
export async function introspectMysql(
  reader: CatalogReader,
  options: IntrospectOptions = {},
): Promise<SchemaModel> {
  const info = (await reader.query('select database() as db, version() as version'))[0] ?? {}
  const schema = options.schema ?? text(info.db)
  const mariadb = text(info.version).toLowerCase().includes('mariadb')
  const exclude = new Set(options.exclude ?? [])
  const lower = (rows: readonly Row[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])))
  const q = async (sql: string) => lower(await reader.query(sql, [schema]))

  const tableRows = (
    await q(
      `select table_name, table_type, table_comment, table_collation from information_schema.tables
        where table_schema = ? order by table_name`,
    )
  ).filter((r) => !exclude.has(text(r.table_name)))
  const columns = await q(
    `select table_name, column_name, column_type, is_nullable, column_default, extra, collation_name,
            column_comment, generation_expression, ordinal_position
       from information_schema.columns where table_schema = ? order by table_name, ordinal_position`,
  )
  const constraints = await q(
    `select table_name, constraint_name, constraint_type from information_schema.table_constraints
      where constraint_schema = ? order by table_name, constraint_name`,
  )
  const keyColumns = await q(
    `select table_name, constraint_name, column_name, ordinal_position, referenced_table_schema,
            referenced_table_name, referenced_column_name
       from information_schema.key_column_usage where constraint_schema = ?
      order by table_name, constraint_name, ordinal_position`,
  )
  const referential = await q(
    `select constraint_name, table_name, update_rule, delete_rule from information_schema.referential_constraints
      where constraint_schema = ?`,
  )
  const checkRows = await q(
    `select constraint_name, check_clause${mariadb ? ', table_name' : ''}
       from information_schema.check_constraints where constraint_schema = ?`,
  )
  const statistics = await q(
    `select table_name, index_name, non_unique, seq_in_index, column_name, collation, sub_part, index_type
            ${mariadb ? '' : ', expression'}
       from information_schema.statistics where table_schema = ? order by table_name, index_name, seq_in_index`,
  )
  const views = await q(
    `select table_name, view_definition from information_schema.views where table_schema = ? order by table_name`,
  )

  const tables: TableModel[] = []
  for (const row of tableRows) {
    const name = text(row.table_name)
    if (row.table_type !== 'BASE TABLE') continue
    const mine = (rows: readonly Row[]) => rows.filter((r) => text(r.table_name) === name)
    const tableConstraints = mine(constraints)
    const keyOf = (constraint: string) =>
      mine(keyColumns)
        .filter((k) => text(k.constraint_name) === constraint)
        .sort((a, b) => Number(a.ordinal_position) - Number(b.ordinal_position))
    const checkNames = new Set(
      tableConstraints.filter((c) => c.constraint_type === 'CHECK').map((c) => text(c.constraint_name)),
    )
    const checks: CheckModel[] = []
    const jsonColumns = new Set<string>()
    for (const c of checkRows) {
      const constraintName = text(c.constraint_name)
      if (!checkNames.has(constraintName) && !mariadb) continue
      if (mariadb && text(c.table_name) !== name) continue
      const clause = norm(text(c.check_clause))
      if (clause === `json_valid(${constraintName})`) {
        jsonColumns.add(constraintName)
        continue
      }
      checks.push({ name: constraintName, expression: clause })
    }
    const tableColumns = mine(columns).map((c) => column(c, mariadb, text(row.table_collation), jsonColumns))
    const primary = keyOf('PRIMARY')
    const uniques: UniqueModel[] = tableConstraints
      .filter((c) => c.constraint_type === 'UNIQUE')
      .map((c) => ({
        name: text(c.constraint_name),
        columns: uniqueColumns(mine(statistics), text(c.constraint_name)),
      }))
    const foreignKeys = tableConstraints
      .filter((c) => c.constraint_type === 'FOREIGN KEY')
      .map((c) =>
        foreignKey(text(c.constraint_name), keyOf(text(c.constraint_name)), referential, name, schema),
      )
    const skip = new Set([
      'PRIMARY',
      ...uniques.map((u) => u.name ?? ''),
      ...foreignKeys.map((f) => f.name ?? ''),
    ])
    tables.push({
      name,
      columns: tableColumns,
      primaryKey: primary.length === 0 ? undefined : { columns: primary.map((k) => text(k.column_name)) },
      uniques,
      foreignKeys,
      checks: byName(checks),
      indexes: indexes(mine(statistics), skip, name),
      comment: text(row.table_comment) === '' ? undefined : text(row.table_comment),
    })
  }
  return {
    dialect: 'mysql',
    tables: byName(tables),
    enums: [],
    sequences: [],
    views: views.map((v) => ({
      name: text(v.table_name),
      definition: viewDefinition(text(v.view_definition), schema),
    })),
  }
}

function column(
  row: Row,
  mariadb: boolean,
  tableCollation: string,
  jsonColumns: ReadonlySet<string>,
): ColumnModel {
  const name = text(row.column_name)
  const extra = text(row.extra).toLowerCase()
  const generatedExpression = row.generation_expression === null ? '' : text(row.generation_expression)
  const generated =
    generatedExpression !== '' && /virtual|stored|persistent/.test(extra)
      ? { expression: norm(generatedExpression), stored: /stored|persistent/.test(extra) }
      : undefined
  const json = jsonColumns.has(name) && /^longtext$/i.test(text(row.column_type))
  const collation =
    row.collation_name === null || row.collation_name === undefined ? undefined : text(row.collation_name)
  return {
    name,
    type: json ? 'json' : normalizeType(text(row.column_type), 'mysql'),
    nullable: row.is_nullable === 'YES',
    default: generated === undefined ? columnDefault(row.column_default, extra, mariadb) : undefined,
    identity: extra.includes('auto_increment') ? 'auto' : undefined,
    generated,
    collation: json || collation === undefined || collation === tableCollation ? undefined : collation,
    comment: text(row.column_comment) === '' ? undefined : text(row.column_comment),
  }
}

function columnDefault(value: unknown, extra: string, mariadb: boolean): string | undefined {
  if (value === null || value === undefined) return undefined
  const raw = text(value)
  if (mariadb) return raw === 'NULL' ? undefined : norm(raw)
  // MySQL 8: an expression default is marked; anything else is the bare literal value.
  if (extra.includes('default_generated')) return norm(raw)
  return `'${raw.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
}

function uniqueColumns(statistics: readonly Row[], index: string): string[] {
  return statistics
    .filter((s) => text(s.index_name) === index)
    .sort((a, b) => Number(a.seq_in_index) - Number(b.seq_in_index))
    .map((s) => text(s.column_name))
}

const ACTIONS: Readonly<Record<string, ReferentialAction>> = {
  CASCADE: 'cascade',
  'SET NULL': 'set null',
  'SET DEFAULT': 'set default',
  RESTRICT: 'restrict',
  'NO ACTION': 'no action',
}

function foreignKey(
  name: string,
  keys: readonly Row[],
  referential: readonly Row[],
  table: string,
  schema: string,
): ForeignKeyModel {
  const rule = referential.find((r) => text(r.constraint_name) === name && text(r.table_name) === table)
  const first = keys[0]
  const refSchema = text(first?.referenced_table_schema)
  // RESTRICT and NO ACTION are the same thing on MySQL, and the default; spelled as no action.
  const action = (value: unknown) => {
    const a = ACTIONS[text(value).toUpperCase()] ?? 'no action'
    return a === 'restrict' ? 'no action' : a
  }
  return {
    name,
    columns: keys.map((k) => text(k.column_name)),
    references: {
      schema: refSchema === '' || refSchema === schema ? undefined : refSchema,
      table: text(first?.referenced_table_name),
      columns: keys.map((k) => text(k.referenced_column_name)),
    },
    onDelete: action(rule?.delete_rule),
    onUpdate: action(rule?.update_rule),
  }
}

function indexes(statistics: readonly Row[], skip: ReadonlySet<string>, table: string): IndexModel[] {
  const names = [...new Set(statistics.map((s) => text(s.index_name)))].filter((n) => !skip.has(n))
  return names.map((name) => {
    const rows = statistics
      .filter((s) => text(s.index_name) === name)
      .sort((a, b) => Number(a.seq_in_index) - Number(b.seq_in_index))
    const first = rows[0] ?? {}
    const parts = rows.map((r): IndexPartModel => {
      const descending = r.collation === 'D' || undefined
      if (r.column_name === null || r.column_name === undefined) {
        if (r.expression === null || r.expression === undefined) {
          throw new UnsupportedSchemaFeatureError(
            'an index part the catalog does not describe',
            `index '${table}.${name}'`,
          )
        }
        return { expression: norm(text(r.expression)), descending }
      }
      const length = r.sub_part === null || r.sub_part === undefined ? undefined : Number(r.sub_part)
      return { column: text(r.column_name), descending, length }
    })
    const type = text(first.index_type).toLowerCase()
    return {
      name,
      unique: Number(first.non_unique) === 0,
      parts,
      method: type === 'btree' || type === '' ? undefined : type,
    }
  })
}

/** MySQL prints a view's query with every name qualified by the database: drop that. */
function viewDefinition(definition: string, schema: string): string {
  const quoted = `\`${schema.replace(/`/g, '``')}\`.`
  return norm(definition.split(quoted).join(''))
}
