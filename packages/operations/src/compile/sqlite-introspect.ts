import { type Kysely, type RawBuilder, sql } from 'kysely'
import { UnsupportedOperationError } from '../errors.js'
import type {
  AnySchema,
  ColumnDef,
  DefaultValue,
  IndexDefinition,
  IndexPart,
  QualifiedName,
  ReferentialAction,
  TableConstraint,
} from '../ops.js'
import type { TableState } from '../table-model.js'
import { type ParsedConstraint, parseCreateTable, parseIndexWhere } from './sqlite-parse.js'

interface ColumnRow {
  name: string
  type: string
  notnull: number
  dflt_value: string | null
  pk: number
  hidden: number
}
interface ForeignKeyRow {
  id: number
  seq: number
  table: string
  from: string
  to: string | null
  on_update: string
  on_delete: string
}
interface IndexRow {
  name: string
  unique: number
  origin: string
  partial: number
}
interface IndexColumnRow {
  name: string | null
  desc: number
  coll: string
  key: number
}

/** An introspected index that must be re-created from its original text (DESC, COLLATE, expressions). */
export interface VerbatimIndex extends IndexDefinition {
  readonly verbatim?: string | undefined
}

/**
 * Reads a live SQLite table through PRAGMA table_xinfo, foreign_key_list, index_list,
 * index_xinfo and sqlite_master. Undefined when the table does not exist.
 */
export async function introspectSqliteTable(
  db: Kysely<AnySchema>,
  table: QualifiedName,
): Promise<TableState | undefined> {
  const master = await rows<{ type: string; name: string; sql: string | null }>(
    db,
    sql`select type, name, sql from sqlite_master where tbl_name = ${table.name}`,
  )
  const tableSql = master.find((m) => m.type === 'table' && m.name === table.name)?.sql
  if (tableSql === undefined || tableSql === null) return undefined
  const parsed = parseCreateTable(tableSql)
  const columnRows = await rows<ColumnRow>(db, sql`select * from pragma_table_xinfo(${table.name})`)
  const columns = columnRows.map((row): ColumnDef => {
    if (row.hidden !== 0) {
      throw new UnsupportedOperationError(
        `rebuilding table '${table.name}' with generated column '${row.name}'`,
        'sqlite',
        {
          op: 'batchAlterTable',
        },
      )
    }
    return {
      name: row.name,
      // Declared types and defaults are SQL text SQLite stored from a valid statement.
      type: sql.raw(parsed.types.get(row.name) ?? row.type),
      nullable: row.notnull === 0,
      default: row.dflt_value === null ? undefined : defaultValue(row.dflt_value),
      autoIncrement: parsed.autoIncrement.includes(row.name) ? true : undefined,
    }
  })
  const constraints: TableConstraint[] = []
  const keyColumns = columnRows
    .filter((r) => r.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((r) => r.name)
  if (keyColumns.length > 0) {
    constraints.push({
      type: 'primaryKey',
      name: nameOf(parsed.constraints, 'primaryKey', keyColumns),
      columns: keyColumns,
    })
  }
  const indexRows = await rows<IndexRow>(db, sql`select * from pragma_index_list(${table.name})`)
  const indexes: VerbatimIndex[] = []
  for (const index of [...indexRows].reverse()) {
    const parts = await rows<IndexColumnRow>(db, sql`select * from pragma_index_xinfo(${index.name})`)
    const keyParts = parts.filter((p) => p.key === 1)
    if (index.origin === 'u') {
      const cols = keyParts.map((p) => p.name ?? '')
      constraints.push({ type: 'unique', name: nameOf(parsed.constraints, 'unique', cols), columns: cols })
    } else if (index.origin === 'c') {
      const text = master.find((m) => m.type === 'index' && m.name === index.name)?.sql ?? undefined
      const plain = keyParts.every(
        (p) => p.name !== null && p.desc === 0 && p.coll.toUpperCase() === 'BINARY',
      )
      const where = text === undefined ? undefined : parseIndexWhere(text)
      indexes.push({
        name: index.name,
        unique: index.unique === 1,
        parts: keyParts.map((p): IndexPart => ({ column: p.name ?? '' })),
        where: where === undefined ? undefined : sql.raw(where),
        verbatim: plain ? undefined : text,
      })
    }
  }
  const foreignKeys = await rows<ForeignKeyRow>(db, sql`select * from pragma_foreign_key_list(${table.name})`)
  for (const id of [...new Set(foreignKeys.map((f) => f.id))].sort((a, b) => b - a)) {
    const group = foreignKeys.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq)
    const first = group[0]
    if (first === undefined) continue
    const cols = group.map((f) => f.from)
    constraints.push({
      type: 'foreignKey',
      name: nameOf(parsed.constraints, 'foreignKey', cols),
      columns: cols,
      references: {
        table: { name: first.table },
        columns: group.every((f) => f.to !== null) ? group.map((f) => f.to as string) : [],
        onDelete: action(first.on_delete),
        onUpdate: action(first.on_update),
      },
    })
  }
  for (const check of parsed.constraints.filter((c) => c.type === 'check')) {
    constraints.push({ type: 'check', name: check.name, expression: sql.raw(check.check ?? 'true') })
  }
  return { table, columns, constraints, indexes }
}

/** Literals come back as values (re-rendered the same way); anything else as SQL text. */
function defaultValue(text: string): DefaultValue {
  if (/^'([^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'")
  if (/^-?\d+(\.\d+)?$/.test(text) && String(Number(text)) === text) return Number(text)
  return sql.raw(text)
}

async function rows<T>(db: Kysely<AnySchema>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows as T[]
}

function nameOf(
  parsed: readonly ParsedConstraint[],
  type: ParsedConstraint['type'],
  columns: readonly string[],
) {
  const key = JSON.stringify(columns)
  return parsed.find((c) => c.type === type && JSON.stringify(c.columns) === key)?.name
}

function action(text: string): ReferentialAction | undefined {
  const lower = text.toLowerCase()
  return lower === 'no action' || lower === '' ? undefined : (lower as ReferentialAction)
}

/** Tables (including itself) whose foreign keys point at `table`. */
export async function sqliteReferencingTables(db: Kysely<AnySchema>, table: string): Promise<string[]> {
  const result = await rows<{ name: string }>(
    db,
    sql`select m.name from sqlite_master m, pragma_foreign_key_list(m.name) f
        where m.type = 'table' and f."table" = ${table} collate nocase group by m.name`,
  )
  return result.map((r) => r.name)
}
