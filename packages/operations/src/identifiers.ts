import type { SqlDialect } from './compile/dialect.js'
import { IdentifierTooLongError, UnsupportedOperationError } from './errors.js'
import type { BatchOp, ColumnDef, Op, QualifiedName, TableConstraint, TableDefinition } from './ops.js'

const utf8 = new TextEncoder()
const ASTRAL = /[\u{10000}-\u{10FFFF}]/u

/** Rejects the first name longer than the dialect allows, before anything is compiled or run. */
export function checkIdentifierLengths(op: Op, dialect: SqlDialect): void {
  const limit = dialect.identifierLimit
  if (limit === undefined) return
  for (const name of identifiersOf(op)) {
    const length = limit.unit === 'bytes' ? utf8.encode(name).length : [...name].length
    if (length > limit.max) {
      throw new IdentifierTooLongError(name, limit.max, limit.unit, dialect.flavour, { op: op.kind })
    }
    if (limit.basicPlaneOnly === true && ASTRAL.test(name)) {
      throw new UnsupportedOperationError(
        `identifier '${name}', which has characters outside the Basic Multilingual Plane (such as emoji)`,
        dialect.flavour,
        { op: op.kind },
      )
    }
  }
}

const qualified = (n: QualifiedName | undefined) =>
  n === undefined ? [] : n.schema === undefined ? [n.name] : [n.schema, n.name]

function constraintNames(c: TableConstraint): string[] {
  const own = c.name === undefined ? [] : [c.name]
  if (c.type === 'check') return own
  if (c.type === 'foreignKey')
    return [...own, ...c.columns, ...qualified(c.references.table), ...c.references.columns]
  return [...own, ...c.columns]
}

function columnNames(c: ColumnDef): string[] {
  const refs = c.references === undefined ? [] : [...qualified(c.references.table), ...c.references.columns]
  return [c.name, ...refs]
}

function definitionNames(d: TableDefinition): string[] {
  return [
    ...qualified(d.table),
    ...d.columns.flatMap(columnNames),
    ...d.constraints.flatMap(constraintNames),
    ...(d.indexes ?? []).map((i) => i.name),
  ]
}

function batchOpNames(op: BatchOp): string[] {
  switch (op.kind) {
    case 'addColumn':
      return columnNames(op.column)
    case 'dropColumn':
      return [op.column]
    case 'alterColumn':
      return [op.column, ...(op.changes.rename === undefined ? [] : [op.changes.rename])]
    case 'createPrimaryKey':
    case 'createUniqueConstraint':
      return [op.name, ...op.columns]
    case 'createForeignKey':
      return [op.name, ...op.columns, ...qualified(op.references.table), ...op.references.columns]
    case 'createCheckConstraint':
    case 'dropConstraint':
    case 'dropIndex':
      return [op.name]
    case 'createIndex':
      return [op.name, ...op.parts.flatMap((p) => ('column' in p ? [p.column] : []))]
  }
}

/** Every identifier an op will put into SQL. */
export function identifiersOf(op: Op): string[] {
  switch (op.kind) {
    case 'createTable':
      return definitionNames(op)
    case 'dropTable':
      return qualified(op.table)
    case 'renameTable':
      return [...qualified(op.table), op.newName]
    case 'addColumn':
    case 'dropColumn':
    case 'alterColumn':
    case 'createPrimaryKey':
    case 'createUniqueConstraint':
    case 'createForeignKey':
    case 'createCheckConstraint':
    case 'dropConstraint':
    case 'createIndex':
      return [...qualified(op.table), ...batchOpNames(op)]
    case 'dropIndex':
      return [...qualified(op.table), ...(op.schema === undefined ? [] : [op.schema]), op.name]
    case 'createSchema':
    case 'dropSchema':
      return [op.name]
    case 'createEnum':
      // PostgreSQL enum labels share the NAMEDATALEN limit.
      return [...qualified(op.name), ...op.values]
    case 'addEnumValue':
      return [...qualified(op.name), op.value]
    case 'dropEnum':
    case 'dropView':
      return qualified(op.name)
    case 'createView':
      return [...qualified(op.name), ...(op.columns ?? [])]
    case 'bulkInsert':
      return [...qualified(op.table), ...new Set(op.rows.flatMap((r) => Object.keys(r)))]
    case 'batchAlterTable':
      return [
        ...qualified(op.table),
        ...op.ops.flatMap(batchOpNames),
        ...(op.copyFrom === undefined ? [] : definitionNames(op.copyFrom)),
      ]
    case 'execute':
      return []
  }
}
