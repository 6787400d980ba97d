import { UnknownObjectError } from './errors.js'
import type {
  BatchOp,
  ColumnDef,
  IndexDefinition,
  IndexPart,
  QualifiedName,
  TableConstraint,
  TableDefinition,
} from './ops.js'

/**
 * A table as batch mode and offline tracking see it: columns carry only column properties;
 * every key, unique, foreign key and check lives in `constraints`, so renames and drops have
 * one place to look.
 */
export interface TableState extends TableDefinition {
  readonly indexes: readonly IndexDefinition[]
}

/** Moves column-level constraints to table level (one primary key over all key columns). */
export function normalizeTable(definition: TableDefinition): TableState {
  const columns: ColumnDef[] = []
  const constraints: TableConstraint[] = []
  const keyColumns: string[] = []
  for (const column of definition.columns) {
    const { plain, moved, primaryKey } = splitColumn(column)
    columns.push(plain)
    constraints.push(...moved)
    if (primaryKey) keyColumns.push(column.name)
  }
  const hasTableKey = definition.constraints.some((c) => c.type === 'primaryKey')
  const key: TableConstraint[] =
    keyColumns.length > 0 && !hasTableKey ? [{ type: 'primaryKey', columns: keyColumns }] : []
  return freezeState({
    table: definition.table,
    columns,
    constraints: [...key, ...definition.constraints, ...constraints],
    indexes: definition.indexes ?? [],
  })
}

function splitColumn(column: ColumnDef): { plain: ColumnDef; moved: TableConstraint[]; primaryKey: boolean } {
  const { unique, check, references, primaryKey, ...rest } = column
  const moved: TableConstraint[] = []
  if (unique === true) moved.push({ type: 'unique', columns: [column.name] })
  if (references !== undefined) moved.push({ type: 'foreignKey', columns: [column.name], references })
  if (check !== undefined) moved.push({ type: 'check', expression: check })
  const nullable = primaryKey === true ? false : rest.nullable
  return { plain: { ...rest, nullable }, moved, primaryKey: primaryKey === true }
}

function freezeState(state: TableState): TableState {
  return Object.freeze({
    ...state,
    columns: Object.freeze([...state.columns]),
    constraints: Object.freeze([...state.constraints]),
    indexes: Object.freeze([...state.indexes]),
  })
}

/** The table after `op`; throws UnknownObjectError for a column, constraint or index it lacks. */
export function applyBatchOp(state: TableState, op: BatchOp): TableState {
  const where = { op: op.kind }
  switch (op.kind) {
    case 'addColumn': {
      const added = normalizeTable({ table: state.table, columns: [op.column], constraints: [] })
      return freezeState({
        ...state,
        columns: [...state.columns, ...added.columns],
        constraints: [...state.constraints, ...added.constraints],
      })
    }
    case 'dropColumn': {
      requireColumn(state, op.column, op.kind)
      return freezeState({
        ...state,
        columns: state.columns.filter((c) => c.name !== op.column),
        constraints: state.constraints.filter((c) => !constraintColumns(c).includes(op.column)),
        indexes: state.indexes.filter((i) => !i.parts.some((p) => 'column' in p && p.column === op.column)),
      })
    }
    case 'alterColumn': {
      const current = requireColumn(state, op.column, op.kind)
      const { changes } = op
      const next: ColumnDef = {
        ...current,
        ...(changes.type === undefined ? {} : { type: changes.type, autoIncrement: undefined }),
        ...(changes.nullable === undefined ? {} : { nullable: changes.nullable }),
        ...(changes.default === undefined ? {} : { default: changes.default ?? undefined }),
        ...(changes.comment === undefined ? {} : { comment: changes.comment ?? undefined }),
        ...(changes.rename === undefined ? {} : { name: changes.rename }),
      }
      const renamed = changes.rename === undefined ? state : renameColumn(state, op.column, changes.rename)
      return freezeState({
        ...renamed,
        columns: renamed.columns.map((c) => (c.name === op.column ? next : c)),
      })
    }
    case 'createPrimaryKey':
      return freezeState({
        ...state,
        constraints: [
          { type: 'primaryKey', name: op.name, columns: op.columns },
          ...state.constraints.filter((c) => c.type !== 'primaryKey'),
        ],
      })
    case 'createUniqueConstraint':
      return addConstraint(state, { type: 'unique', name: op.name, columns: op.columns })
    case 'createForeignKey':
      return addConstraint(state, {
        type: 'foreignKey',
        name: op.name,
        columns: op.columns,
        references: op.references,
      })
    case 'createCheckConstraint':
      return addConstraint(state, { type: 'check', name: op.name, expression: op.expression })
    case 'dropConstraint': {
      if (!state.constraints.some((c) => c.name === op.name)) {
        throw new UnknownObjectError(`constraint '${op.name}' on table '${state.table.name}'`, where)
      }
      return freezeState({ ...state, constraints: state.constraints.filter((c) => c.name !== op.name) })
    }
    case 'createIndex': {
      const { kind: _kind, concurrently: _c, ifNotExists: _i, ...index } = op
      return freezeState({ ...state, indexes: [...state.indexes, index] })
    }
    case 'dropIndex': {
      if (!state.indexes.some((i) => i.name === op.name)) {
        throw new UnknownObjectError(`index '${op.name}' on table '${state.table.name}'`, where)
      }
      return freezeState({ ...state, indexes: state.indexes.filter((i) => i.name !== op.name) })
    }
  }
}

function requireColumn(state: TableState, column: string, op: string): ColumnDef {
  const found = state.columns.find((c) => c.name === column)
  if (found === undefined)
    throw new UnknownObjectError(`column '${column}' of table '${state.table.name}'`, { op })
  return found
}

function addConstraint(state: TableState, constraint: TableConstraint): TableState {
  return freezeState({ ...state, constraints: [...state.constraints, constraint] })
}

/** The columns of this table a constraint covers. */
export function constraintColumns(constraint: TableConstraint): readonly string[] {
  return constraint.type === 'check' ? [] : constraint.columns
}

function renameColumn(state: TableState, from: string, to: string): TableState {
  const swap = (columns: readonly string[]) => columns.map((c) => (c === from ? to : c))
  const selfReference = (table: QualifiedName) => sameTable(table, state.table)
  const constraints = state.constraints.map((c): TableConstraint => {
    switch (c.type) {
      case 'check':
        return c
      case 'foreignKey': {
        const references = selfReference(c.references.table)
          ? { ...c.references, columns: swap(c.references.columns) }
          : c.references
        return { ...c, columns: swap(c.columns), references }
      }
      default:
        return { ...c, columns: swap(c.columns) }
    }
  })
  const indexes = state.indexes.map((i) => ({
    ...i,
    parts: i.parts.map((p): IndexPart => ('column' in p && p.column === from ? { column: to } : p)),
  }))
  return { ...state, constraints, indexes }
}

/** Same table by schema and name. */
export function sameTable(a: QualifiedName, b: QualifiedName): boolean {
  return a.name === b.name && (a.schema ?? '') === (b.schema ?? '')
}

/** A map key for a table. */
export function tableKey(table: QualifiedName): string {
  return JSON.stringify([table.schema ?? '', table.name])
}

/** The table renamed, with its self references following it. */
export function renameTableState(state: TableState, newName: string): TableState {
  const table = { ...state.table, name: newName }
  const constraints = state.constraints.map((c) =>
    c.type === 'foreignKey' && sameTable(c.references.table, state.table)
      ? { ...c, references: { ...c.references, table } }
      : c,
  )
  return freezeState({ ...state, table, constraints })
}
