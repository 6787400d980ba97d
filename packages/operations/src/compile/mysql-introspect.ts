import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { AnySchema, ColumnDef, QualifiedName, TableConstraint } from '../ops.js'
import type { TableState } from '../table-model.js'

interface ColumnRow {
  name: string
  columnType: string
  isNullable: string
  columnDefault: string | null
  extra: string
  comment: string
}
interface ConstraintRow {
  name: string
  type: string
  column: string | null
  checkClause: string | null
}

async function rows<T>(db: Kysely<AnySchema>, query: RawBuilder<unknown>): Promise<T[]> {
  return (await query.execute(db)).rows as T[]
}

/**
 * Reads a live MySQL/MariaDB table from information_schema: what MODIFY COLUMN must restate
 * (type, nullability, default, comment, auto_increment) and which kind each constraint is.
 */
export async function introspectMysqlTable(
  db: Kysely<AnySchema>,
  table: QualifiedName,
): Promise<TableState | undefined> {
  const schema = table.schema === undefined ? sql`database()` : sql`${table.schema}`
  const columnRows = await rows<ColumnRow>(
    db,
    sql`select column_name as name, column_type as columnType, is_nullable as isNullable,
          column_default as columnDefault, extra, column_comment as comment
        from information_schema.columns where table_schema = ${schema} and table_name = ${table.name}
        order by ordinal_position`,
  )
  if (columnRows.length === 0) return undefined
  const [version] = await rows<{ v: string }>(db, sql`select version() as v`)
  const mariadb = version?.v.includes('MariaDB') ?? false
  const columns = columnRows.map(
    (row): ColumnDef => ({
      name: row.name,
      // The type and default are SQL text the server itself produced.
      type: sql.raw(row.columnType),
      nullable: row.isNullable === 'YES',
      default: defaultOf(row, mariadb),
      comment: row.comment === '' ? undefined : row.comment,
      autoIncrement: row.extra.toLowerCase().includes('auto_increment') ? true : undefined,
    }),
  )
  const constraintRows = await rows<ConstraintRow>(
    db,
    sql`select tc.constraint_name as name, tc.constraint_type as type, k.column_name as ${sql.id('column')},
          cc.check_clause as checkClause
        from information_schema.table_constraints tc
        left join information_schema.key_column_usage k
          on k.constraint_schema = tc.constraint_schema and k.table_name = tc.table_name
          and k.constraint_name = tc.constraint_name
        left join information_schema.check_constraints cc
          on cc.constraint_schema = tc.constraint_schema and cc.constraint_name = tc.constraint_name
          and cc.table_name = tc.table_name
        where tc.table_schema = ${schema} and tc.table_name = ${table.name}
        order by tc.constraint_name, k.ordinal_position`,
  )
  const constraints: TableConstraint[] = []
  for (const name of new Set(constraintRows.map((r) => r.name))) {
    const group = constraintRows.filter((r) => r.name === name)
    const type = group[0]?.type ?? ''
    const columns = group.flatMap((r) => (r.column === null ? [] : [r.column]))
    if (type === 'PRIMARY KEY') constraints.push({ type: 'primaryKey', name, columns })
    else if (type === 'UNIQUE') constraints.push({ type: 'unique', name, columns })
    else if (type === 'CHECK')
      constraints.push({ type: 'check', name, expression: sql.raw(group[0]?.checkClause ?? 'true') })
    else if (type === 'FOREIGN KEY') {
      constraints.push({
        type: 'foreignKey',
        name,
        columns,
        references: { table: { name: '' }, columns: [] },
      })
    }
  }
  return { table, columns, constraints, indexes: [] }
}

function defaultOf(row: ColumnRow, mariadb: boolean): ColumnDef['default'] {
  const value = row.columnDefault
  if (value === null) return undefined
  // MariaDB reports defaults as SQL (quoted literals, `NULL`, expressions); MySQL reports the
  // bare value and flags expressions with DEFAULT_GENERATED.
  if (mariadb) return value === 'NULL' ? undefined : sql.raw(value)
  if (row.extra.includes('DEFAULT_GENERATED')) return sql.raw(value)
  return value
}
