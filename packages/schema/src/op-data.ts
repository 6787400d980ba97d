import {
  type ColumnDef,
  type ColumnType,
  type IndexDefinition,
  isColumnDataType,
  type QualifiedName,
  type ReferentialAction,
  type SqlExpression,
  sql,
  type TableConstraint,
  type TableDefinition,
} from '@migraph/operations'
import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  SchemaDialect,
  TableModel,
  UniqueModel,
} from './model.js'

// Model values turned into the op data of @migraph/operations. Text read from a catalog is SQL
// the database itself printed, so it goes back as raw SQL; names always go through sql.id.

/** A table name as ops take it. */
export function tableName(name: string): QualifiedName {
  return { name }
}

/** Catalog SQL text as an expression. */
export function raw(text: string): SqlExpression {
  return sql.raw(text)
}

/** The column's type, with what ColumnDef has no field for (identity always, generated, collation) folded in. */
export function columnType(column: ColumnModel, dialect: SchemaDialect): ColumnType {
  let base: SqlExpression = sql.raw(column.type)
  if (column.collation !== undefined) base = sql`${base} collate ${sql.id(column.collation)}`
  if (column.generated !== undefined) {
    const kind = column.generated.stored ? 'stored' : dialect === 'postgres' ? '' : 'virtual'
    base = sql`${base} generated always as (${sql.raw(column.generated.expression)}) ${sql.raw(kind)}`
  } else if (column.identity === 'always' && dialect === 'postgres') {
    base = sql`${base} generated always as identity`
  }
  const plain =
    column.collation === undefined && column.generated === undefined && column.identity !== 'always'
  // MySQL maps some portable names to others (`timestamp` to `datetime`): its types stay raw.
  return plain && dialect !== 'mysql' && isColumnDataType(column.type) ? column.type : base
}

/** The op API's column for a model column. */
export function columnDef(column: ColumnModel, dialect: SchemaDialect, primaryKey = false): ColumnDef {
  return {
    name: column.name,
    type: columnType(column, dialect),
    nullable: column.nullable,
    default: column.default === undefined ? undefined : raw(column.default),
    comment: column.comment,
    autoIncrement:
      column.identity === 'by default' || (column.identity === 'auto' && (dialect !== 'sqlite' || primaryKey))
        ? true
        : undefined,
    primaryKey: primaryKey ? true : undefined,
  }
}

function action(a: ReferentialAction): ReferentialAction | undefined {
  return a === 'no action' ? undefined : a
}

/** A foreign key as a table-level constraint. */
export function foreignKeyConstraint(fk: ForeignKeyModel): TableConstraint {
  return {
    type: 'foreignKey',
    name: fk.name,
    columns: fk.columns,
    references: {
      table: { schema: fk.references.schema, name: fk.references.table },
      columns: fk.references.columns,
      onDelete: action(fk.onDelete),
      onUpdate: action(fk.onUpdate),
    },
  }
}

/** A unique constraint as a table-level constraint. */
export function uniqueConstraint(u: UniqueModel): TableConstraint {
  return { type: 'unique', name: u.name, columns: u.columns }
}

/** A check as a table-level constraint. */
export function checkConstraint(c: CheckModel): TableConstraint {
  return { type: 'check', name: c.name, expression: raw(c.expression) }
}

/** True when the op API's index parts can state this index (no order, method or INCLUDE). */
export function isPlainIndex(index: IndexModel): boolean {
  return (
    index.method === undefined &&
    (index.include === undefined || index.include.length === 0) &&
    index.parts.every((p) => p.descending !== true && !('length' in p && p.length !== undefined))
  )
}

/** The index as op data; `verbatim` carries SQLite's own text for what the parts cannot say. */
export function indexDefinition(index: IndexModel): IndexDefinition & { readonly verbatim?: string } {
  return {
    name: index.name,
    unique: index.unique,
    parts: index.parts.map((p) => ('column' in p ? { column: p.column } : { expression: raw(p.expression) })),
    where: index.where === undefined ? undefined : raw(index.where),
    ...(index.definition !== undefined && !isPlainIndex(index) ? { verbatim: index.definition } : {}),
  }
}

/**
 * The table as `createTable` records it. A single-column key of an auto-increment column is
 * written on the column (SQLite only allows AUTOINCREMENT there); foreign keys are left out when
 * another op adds them once every table exists.
 */
export function tableDefinition(
  table: TableModel,
  dialect: SchemaDialect,
  options: { readonly foreignKeys: boolean; readonly name?: string },
): TableDefinition {
  const key = table.primaryKey
  const inlineKey =
    key !== undefined &&
    key.columns.length === 1 &&
    dialect === 'sqlite' &&
    table.columns.some((c) => c.name === key.columns[0] && c.identity === 'auto')
  const constraints: TableConstraint[] = []
  if (key !== undefined && !inlineKey)
    constraints.push({ type: 'primaryKey', name: key.name, columns: key.columns })
  constraints.push(...table.uniques.map(uniqueConstraint))
  if (options.foreignKeys) constraints.push(...table.foreignKeys.map(foreignKeyConstraint))
  constraints.push(...table.checks.map(checkConstraint))
  return {
    table: tableName(options.name ?? table.name),
    columns: table.columns.map((c) => columnDef(c, dialect, inlineKey && key?.columns[0] === c.name)),
    constraints,
    indexes: table.indexes.map(indexDefinition),
  }
}
