import { CompiledQuery, isCompilable, isExpression, type Kysely, sql } from 'kysely'
import { buildColumn, buildTable, type ColumnCallback, type TableCallback } from './builders.js'
import type { SqlFlavour } from './column-types.js'
import { inlineParameters } from './literals.js'
import type {
  AddColumnOp,
  AlterColumnOp,
  AnySchema,
  BulkInsertOp,
  ColumnChanges,
  CreateCheckConstraintOp,
  CreateForeignKeyOp,
  CreateIndexOp,
  CreatePrimaryKeyOp,
  CreateTableOp,
  CreateUniqueConstraintOp,
  CreateViewOp,
  DropColumnOp,
  DropConstraintOp,
  DropIndexOp,
  DropTableOp,
  DropViewOp,
  ExecuteOp,
  ExistingColumn,
  IndexPart,
  QualifiedName,
  RenameTableOp,
} from './ops.js'
import {
  checkAction,
  checkBoolean,
  checkColumns,
  checkColumnType,
  checkConstraintType,
  checkDefault,
  checkExpression,
  checkName,
  checkOptionalBoolean,
  checkOptionalName,
  checkOptions,
  checkTable,
  deepFreeze,
  invalidArgument,
  isPlainObject,
} from './validate.js'

// Turns the authoring arguments of each op into frozen op data, checking every argument at run
// time. `op` (operations.ts) and the batch builder share these.

export * from './schema-op-factory.js'

/** Checks the arguments of `op.createTable` and returns its frozen op. */
export function createTableOp(table: unknown, build: unknown, options: unknown): CreateTableOp {
  const k = 'createTable'
  const name = checkTable(k, 'table', table)
  const opts = checkOptions(k, 'options', options)
  const definition = buildTable(k, name, build as TableCallback)
  return deepFreeze({
    kind: k,
    ...definition,
    ifNotExists: checkBoolean(k, 'options.ifNotExists', opts.ifNotExists),
  })
}

/** Checks the arguments of `op.dropTable` and returns its frozen op. */
export function dropTableOp(table: unknown, options: unknown): DropTableOp {
  const k = 'dropTable'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    table: checkTable(k, 'table', table),
    ifExists: checkBoolean(k, 'options.ifExists', opts.ifExists),
    cascade: checkBoolean(k, 'options.cascade', opts.cascade),
  })
}

/** Checks the arguments of `op.renameTable` and returns its frozen op. */
export function renameTableOp(table: unknown, newName: unknown): RenameTableOp {
  const k = 'renameTable'
  return deepFreeze({
    kind: k,
    table: checkTable(k, 'table', table),
    newName: checkName(k, 'newName', newName),
  })
}

/** Checks the arguments of `op.addColumn` and returns its frozen op. */
export function addColumnOp(
  table: QualifiedName,
  column: unknown,
  type: unknown,
  build: unknown,
): AddColumnOp {
  return deepFreeze({
    kind: 'addColumn',
    table,
    column: buildColumn('addColumn', column, type, build as ColumnCallback),
  })
}

/** Checks the arguments of `op.dropColumn` and returns its frozen op. */
export function dropColumnOp(table: QualifiedName, column: unknown): DropColumnOp {
  return deepFreeze({ kind: 'dropColumn', table, column: checkName('dropColumn', 'column', column) })
}

const CHANGE_KEYS = ['type', 'using', 'nullable', 'default', 'rename', 'comment', 'existing']

/** Checks the arguments of `op.alterColumn` and returns its frozen op. */
export function alterColumnOp(table: QualifiedName, column: unknown, changes: unknown): AlterColumnOp {
  const k = 'alterColumn'
  const name = checkName(k, 'column', column)
  if (!isPlainObject(changes))
    return invalidArgument(k, 'changes', 'expected an object such as { nullable: false }')
  const unknownKey = Object.keys(changes).find((key) => !CHANGE_KEYS.includes(key))
  if (unknownKey !== undefined) {
    invalidArgument(k, `changes.${unknownKey}`, `unknown change; expected one of ${CHANGE_KEYS.join(', ')}`)
  }
  const checked: ColumnChanges = {
    type: changes.type === undefined ? undefined : checkColumnType(k, 'changes.type', changes.type),
    using: changes.using === undefined ? undefined : checkExpression(k, 'changes.using', changes.using),
    nullable: checkOptionalBoolean(k, 'changes.nullable', changes.nullable),
    default:
      changes.default === undefined || changes.default === null
        ? changes.default
        : checkDefault(k, 'changes.default', changes.default),
    rename: checkOptionalName(k, 'changes.rename', changes.rename),
    comment:
      changes.comment === undefined || changes.comment === null || typeof changes.comment === 'string'
        ? changes.comment
        : invalidArgument(k, 'changes.comment', 'expected a string or null'),
  }
  if (Object.values(checked).every((v) => v === undefined)) {
    invalidArgument(
      k,
      'changes',
      'nothing to change; give at least one of type, nullable, default, rename, comment',
    )
  }
  if (checked.using !== undefined && checked.type === undefined) {
    invalidArgument(k, 'changes.using', 'using converts values to a new type; give changes.type too')
  }
  const existing = changes.existing === undefined ? undefined : existingColumn(changes.existing)
  return deepFreeze({ kind: k, table, column: name, changes: dropUndefined(checked), existing })
}

function existingColumn(value: unknown): ExistingColumn {
  const k = 'alterColumn'
  if (!isPlainObject(value)) return invalidArgument(k, 'changes.existing', 'expected { type, nullable, ... }')
  return {
    type: checkColumnType(k, 'changes.existing.type', value.type),
    nullable:
      value.nullable === undefined ? true : checkBoolean(k, 'changes.existing.nullable', value.nullable),
    default:
      value.default === undefined ? undefined : checkDefault(k, 'changes.existing.default', value.default),
    comment: checkOptionalName(k, 'changes.existing.comment', value.comment),
    autoIncrement: checkOptionalBoolean(k, 'changes.existing.autoIncrement', value.autoIncrement),
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** Checks the arguments of `op.createIndex` and returns its frozen op. */
export function createIndexOp(
  name: unknown,
  table: QualifiedName,
  columns: unknown,
  options: unknown,
): CreateIndexOp {
  const k = 'createIndex'
  const opts = checkOptions(k, 'options', options)
  const list = typeof columns === 'string' || isExpression(columns) ? [columns] : columns
  if (!Array.isArray(list) || list.length === 0) {
    return invalidArgument(
      k,
      'columns',
      'expected a column name, sql`expression`, or a non-empty array of them',
    )
  }
  const parts = list.map(
    (part, i): IndexPart =>
      isExpression(part) ? { expression: part } : { column: checkName(k, `columns[${i}]`, part) },
  )
  return deepFreeze({
    kind: k,
    name: checkName(k, 'name', name),
    table,
    parts,
    unique: checkBoolean(k, 'options.unique', opts.unique),
    where: opts.where === undefined ? undefined : checkExpression(k, 'options.where', opts.where),
    concurrently: checkBoolean(k, 'options.concurrently', opts.concurrently),
    ifNotExists: checkBoolean(k, 'options.ifNotExists', opts.ifNotExists),
  })
}

/** Checks the arguments of `op.dropIndex` and returns its frozen op. */
export function dropIndexOp(name: unknown, table: QualifiedName | undefined, options: unknown): DropIndexOp {
  const k = 'dropIndex'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    name: checkName(k, 'name', name),
    table: table ?? (opts.table === undefined ? undefined : checkTable(k, 'options.table', opts.table)),
    schema: checkOptionalName(k, 'options.schema', opts.schema),
    ifExists: checkBoolean(k, 'options.ifExists', opts.ifExists),
    concurrently: checkBoolean(k, 'options.concurrently', opts.concurrently),
  })
}

/** Checks the arguments of `op.createPrimaryKey` and returns its frozen op. */
export function createPrimaryKeyOp(
  name: unknown,
  table: QualifiedName,
  columns: unknown,
): CreatePrimaryKeyOp {
  const k = 'createPrimaryKey'
  return deepFreeze({
    kind: k,
    table,
    name: checkName(k, 'name', name),
    columns: checkColumns(k, 'columns', columns),
  })
}

/** Checks the arguments of `op.createUniqueConstraint` and returns its frozen op. */
export function createUniqueConstraintOp(
  name: unknown,
  table: QualifiedName,
  columns: unknown,
): CreateUniqueConstraintOp {
  const k = 'createUniqueConstraint'
  return deepFreeze({
    kind: k,
    table,
    name: checkName(k, 'name', name),
    columns: checkColumns(k, 'columns', columns),
  })
}

/** Checks the arguments of `op.createForeignKey` and returns its frozen op. */
export function createForeignKeyOp(
  name: unknown,
  table: QualifiedName,
  columns: unknown,
  referencedTable: unknown,
  referencedColumns: unknown,
  options: unknown,
): CreateForeignKeyOp {
  const k = 'createForeignKey'
  const opts = checkOptions(k, 'options', options)
  const own = checkColumns(k, 'columns', columns)
  const references = {
    table: checkTable(k, 'referencedTable', referencedTable),
    columns: checkColumns(k, 'referencedColumns', referencedColumns),
    onDelete: checkAction(k, 'options.onDelete', opts.onDelete),
    onUpdate: checkAction(k, 'options.onUpdate', opts.onUpdate),
  }
  if (references.columns.length !== own.length) {
    invalidArgument(k, 'referencedColumns', `expected ${own.length} column(s) to match columns`)
  }
  return deepFreeze({ kind: k, table, name: checkName(k, 'name', name), columns: own, references })
}

/** Checks the arguments of `op.createCheckConstraint` and returns its frozen op. */
export function createCheckConstraintOp(
  name: unknown,
  table: QualifiedName,
  condition: unknown,
): CreateCheckConstraintOp {
  const k = 'createCheckConstraint'
  return deepFreeze({
    kind: k,
    table,
    name: checkName(k, 'name', name),
    expression: checkExpression(k, 'condition', condition),
  })
}

/** Checks the arguments of `op.dropConstraint` and returns its frozen op. */
export function dropConstraintOp(name: unknown, table: QualifiedName, options: unknown): DropConstraintOp {
  const k = 'dropConstraint'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    table,
    name: checkName(k, 'name', name),
    type: checkConstraintType(k, 'options.type', opts.type),
  })
}

/** Checks the arguments of `op.createView` and returns its frozen op. */
export function createViewOp(
  name: unknown,
  query: unknown,
  options: unknown,
  builder: Kysely<AnySchema>,
  flavour: SqlFlavour,
): CreateViewOp {
  const k = 'createView'
  const opts = checkOptions(k, 'options', options)
  // A view body is DDL: parameters cannot be bound, so they become literals.
  const text = inlineParameters(compileStatement(k, 'query', query, builder), flavour)
  return deepFreeze({
    kind: k,
    name: checkTable(k, 'name', name),
    query: text,
    orReplace: checkBoolean(k, 'options.orReplace', opts.orReplace),
    columns: opts.columns === undefined ? undefined : checkColumns(k, 'options.columns', opts.columns),
  })
}

/** Checks the arguments of `op.dropView` and returns its frozen op. */
export function dropViewOp(name: unknown, options: unknown): DropViewOp {
  const k = 'dropView'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    name: checkTable(k, 'name', name),
    ifExists: checkBoolean(k, 'options.ifExists', opts.ifExists),
  })
}

/** Checks the arguments of `op.execute` and returns its frozen op. */
export function executeOp(statement: unknown, builder: Kysely<AnySchema>): ExecuteOp {
  return Object.freeze({
    kind: 'execute',
    query: compileStatement('execute', 'statement', statement, builder),
  })
}

/** SQL text, `sql\`...\``, or any Kysely query (built with `op.db` or `op.builder`). */
function compileStatement(
  op: string,
  argument: string,
  value: unknown,
  builder: Kysely<AnySchema>,
): CompiledQuery {
  if (typeof value === 'string' && value.trim() !== '') return CompiledQuery.raw(value)
  if (isExpression(value) && value.toOperationNode().kind === 'RawNode') return sql`${value}`.compile(builder)
  if (isCompilable(value)) return value.compile()
  return invalidArgument(op, argument, 'expected SQL text, sql`...`, or a Kysely query')
}

/** Checks the arguments of `op.bulkInsert` and returns its frozen op. */
export function bulkInsertOp(table: unknown, rows: unknown): BulkInsertOp {
  const k = 'bulkInsert'
  if (!Array.isArray(rows)) return invalidArgument(k, 'rows', 'expected an array of row objects')
  rows.forEach((row, i) => {
    if (!isPlainObject(row) || Object.keys(row).length === 0) {
      invalidArgument(k, `rows[${i}]`, 'expected an object of column values')
    }
    for (const column of Object.keys(row)) checkName(k, `rows[${i}] column`, column)
  })
  return deepFreeze({ kind: k, table: checkTable(k, 'table', table), rows: rows.map((r) => ({ ...r })) })
}
