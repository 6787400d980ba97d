import { parseCreateTable, parseIndexWhere, type ReferentialAction } from '@migraph/operations'
import { UnsupportedSchemaFeatureError } from '../errors.js'
import {
  byName,
  type ColumnModel,
  type ForeignKeyModel,
  type IndexModel,
  type IndexPartModel,
  type SchemaModel,
  type TableModel,
} from '../model.js'
import { normalizeSql, normalizeType } from '../normalize.js'
import { type CatalogReader, flag, type IntrospectOptions, text } from './catalog-reader.js'

// SQLite: the PRAGMAs for columns, keys and indexes; the CREATE text in sqlite_schema for what
// they do not report (constraint names, CHECK expressions, AUTOINCREMENT, index expressions).

const norm = (sql: string) => normalizeSql(sql, 'sqlite')

/**
 * Reads the `main` database of a SQLite connection into a {@link SchemaModel}.
 *
 * @example
 * ```ts
 * const db = new Database(':memory:')
 * const model = await introspectSqlite({ query: async (q, p) => db.prepare(q).all(...(p ?? [])) })
 * ```
 */
export async function introspectSqlite(
  reader: CatalogReader,
  options: IntrospectOptions = {},
): Promise<SchemaModel> {
  const exclude = new Set(options.exclude ?? [])
  const master = await reader.query(
    `select type, name, tbl_name, sql from sqlite_schema where name not like 'sqlite\\_%' escape '\\' order by name`,
  )
  const tables: TableModel[] = []
  for (const row of master) {
    if (row.type !== 'table' || exclude.has(text(row.name))) continue
    tables.push(await table(reader, text(row.name), text(row.sql), master))
  }
  const views = master
    .filter((r) => r.type === 'view')
    .map((r) => ({ name: text(r.name), definition: viewQuery(text(r.sql)) }))
  return { dialect: 'sqlite', tables: byName(tables), enums: [], sequences: [], views }
}

async function table(
  reader: CatalogReader,
  name: string,
  createSql: string,
  master: readonly Record<string, unknown>[],
): Promise<TableModel> {
  if (/\bvirtual\s+table\b/i.test(createSql.slice(0, 40))) {
    throw new UnsupportedSchemaFeatureError('a virtual table', `table '${name}'`)
  }
  const parsed = parseCreateTable(createSql)
  const columnRows = await reader.query('select * from pragma_table_xinfo(?)', [name])
  const keyCount = columnRows.filter((r) => Number(r.pk) > 0).length
  const columns = columnRows.map((row): ColumnModel => {
    if (Number(row.hidden) !== 0) {
      throw new UnsupportedSchemaFeatureError('a generated column', `column '${name}.${text(row.name)}'`)
    }
    const columnName = text(row.name)
    const type = normalizeType(parsed.types.get(columnName) ?? text(row.type), 'sqlite')
    // The single INTEGER key column is the rowid: it is never null, whatever the PRAGMA says.
    const rowid = keyCount === 1 && Number(row.pk) === 1 && type === 'integer'
    return {
      name: columnName,
      type,
      nullable: !rowid && !flag(row.notnull),
      default:
        row.dflt_value === null || row.dflt_value === undefined ? undefined : norm(text(row.dflt_value)),
      identity: parsed.autoIncrement.includes(columnName) ? 'auto' : undefined,
      collation: collationOf(createSql, columnName),
    }
  })
  const named = (type: string, columns: readonly string[]) =>
    parsed.constraints.find((c) => c.type === type && JSON.stringify(c.columns) === JSON.stringify(columns))
      ?.name
  const keyColumns = columnRows
    .filter((r) => Number(r.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((r) => text(r.name))
  const uniques: { name?: string | undefined; columns: string[] }[] = []
  const indexes: IndexModel[] = []
  for (const index of await reader.query('select * from pragma_index_list(?)', [name])) {
    const indexName = text(index.name)
    const parts = await reader.query('select * from pragma_index_xinfo(?)', [indexName])
    const keyParts = parts.filter((p) => flag(p.key)).sort((a, b) => Number(a.seqno) - Number(b.seqno))
    if (index.origin === 'u') {
      const cols = keyParts.map((p) => text(p.name))
      uniques.push({ name: named('unique', cols), columns: cols })
    } else if (index.origin === 'c') {
      const definition = text(master.find((m) => m.type === 'index' && m.name === indexName)?.sql)
      const written = indexParts(definition)
      const where = parseIndexWhere(definition)
      indexes.push({
        name: indexName,
        unique: flag(index.unique),
        parts: keyParts.map((p, i): IndexPartModel => {
          const descending = flag(p.desc) || undefined
          if (p.name === null || p.name === undefined)
            return { expression: norm(written[i] ?? ''), descending }
          return { column: text(p.name), descending }
        }),
        where: where === undefined ? undefined : norm(where),
        definition,
      })
    }
  }
  const fkRows = await reader.query('select * from pragma_foreign_key_list(?)', [name])
  const foreignKeys: ForeignKeyModel[] = []
  for (const id of [...new Set(fkRows.map((f) => Number(f.id)))].sort((a, b) => b - a)) {
    const group = fkRows.filter((f) => Number(f.id) === id).sort((a, b) => Number(a.seq) - Number(b.seq))
    const first = group[0]
    if (first === undefined) continue
    const cols = group.map((f) => text(f.from))
    foreignKeys.push({
      name: named('foreignKey', cols),
      columns: cols,
      references: {
        table: text(first.table),
        columns: group.every((f) => f.to !== null) ? group.map((f) => text(f.to)) : [],
      },
      onDelete: action(text(first.on_delete)),
      onUpdate: action(text(first.on_update)),
    })
  }
  const checks = parsed.constraints
    .filter((c) => c.type === 'check')
    .map((c) => ({ name: c.name, expression: norm(c.check ?? '') }))
  return {
    name,
    columns,
    primaryKey:
      keyColumns.length === 0 ? undefined : { name: named('primaryKey', keyColumns), columns: keyColumns },
    uniques,
    foreignKeys,
    checks,
    indexes: byName(indexes),
  }
}

function action(value: string): ReferentialAction {
  const lower = value.toLowerCase()
  return lower === '' ? 'no action' : (lower as ReferentialAction)
}

/** A `COLLATE name` written on the column in the CREATE TABLE text, other than the default BINARY. */
function collationOf(createSql: string, column: string): string | undefined {
  const quoted = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const item = new RegExp(
    `(?:^|[(,])\\s*["\`\\[]?${quoted}["\`\\]]?\\s[^,]*?\\bcollate\\s+["\`]?(\\w+)`,
    'i',
  ).exec(createSql)
  const collation = item?.[1]?.toLowerCase()
  return collation === undefined || collation === 'binary' ? undefined : collation
}

/** The key parts of a CREATE INDEX text, as written (without ASC/DESC). */
function indexParts(definition: string): string[] {
  const open = definition.indexOf('(')
  if (open === -1) return []
  const parts: string[] = []
  let depth = 0
  let current = ''
  let quote: string | undefined
  for (let i = open + 1; i < definition.length; i++) {
    const c = definition[i] as string
    if (quote !== undefined) {
      current += c
      if (c === quote) quote = undefined
      continue
    }
    if (c === "'" || c === '"' || c === '`') quote = c
    if (c === '(') depth++
    if (c === ')') {
      if (depth === 0) break
      depth--
    }
    if (c === ',' && depth === 0) {
      parts.push(current)
      current = ''
      continue
    }
    current += c
  }
  parts.push(current)
  return parts.map((p) => p.trim().replace(/\s+(asc|desc)$/i, ''))
}

/** The query of a `CREATE VIEW … AS query` text. */
function viewQuery(createSql: string): string {
  const match =
    /^\s*create\s+(?:temp(?:orary)?\s+)?view\s+(?:if\s+not\s+exists\s+)?(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[\w.]+)\s*(?:\([^)]*\)\s*)?as\s+/i.exec(
      createSql,
    )
  return norm(match === null ? createSql : createSql.slice(match[0].length))
}
