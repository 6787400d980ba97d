import { isExpression } from 'kysely'
import type { ColumnDef, Op, QualifiedName } from '../ops.js'

// Helpers for the dialects' `unsupported` checks, which look through every place an op can
// carry a given feature (including the ops inside a batch).

/** Column definitions an op creates. */
export function columnsOf(op: Op): readonly ColumnDef[] {
  switch (op.kind) {
    case 'createTable':
      return op.columns
    case 'addColumn':
      return [op.column]
    case 'batchAlterTable':
      return op.ops.flatMap((o) => (o.kind === 'addColumn' ? [o.column] : []))
    default:
      return []
  }
}

/** Portable type names an op uses. */
export function columnTypes(op: Op): readonly string[] {
  const types = columnsOf(op).map((c) => c.type)
  if (op.kind === 'alterColumn' && op.changes.type !== undefined) types.push(op.changes.type)
  if (op.kind === 'batchAlterTable') {
    for (const o of op.ops)
      if (o.kind === 'alterColumn' && o.changes.type !== undefined) types.push(o.changes.type)
  }
  return types.flatMap((t) => (isExpression(t) ? [] : [t]))
}

/** True when an op sets or changes a column comment. */
export function setsComment(op: Op): boolean {
  if (columnsOf(op).some((c) => c.comment !== undefined)) return true
  if (op.kind === 'alterColumn') return op.changes.comment !== undefined
  if (op.kind === 'batchAlterTable')
    return op.ops.some((o) => o.kind === 'alterColumn' && o.changes.comment !== undefined)
  return false
}

/** Every schema-qualified name an op mentions. */
export function qualifiedNames(op: Op): readonly QualifiedName[] {
  const names: QualifiedName[] = []
  if ('table' in op && op.table !== undefined) names.push(op.table)
  if (op.kind === 'createEnum' || op.kind === 'addEnumValue' || op.kind === 'dropEnum') names.push(op.name)
  if (op.kind === 'createView' || op.kind === 'dropView') names.push(op.name)
  if (op.kind === 'dropIndex' && op.schema !== undefined) names.push({ schema: op.schema, name: op.name })
  for (const column of columnsOf(op)) if (column.references !== undefined) names.push(column.references.table)
  if (op.kind === 'createTable') {
    for (const c of op.constraints) if (c.type === 'foreignKey') names.push(c.references.table)
  }
  if (op.kind === 'createForeignKey') names.push(op.references.table)
  return names
}
