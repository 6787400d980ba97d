import { type RawBuilder, sql } from 'kysely'
import { MissingTableDefinitionError, UnknownObjectError, UnsupportedOperationError } from '../errors.js'
import type {
  BatchAlterTableOp,
  BatchOp,
  ColumnDef,
  DropIndexOp,
  QualifiedName,
  TableConstraint,
} from '../ops.js'
import { displayName } from '../ops.js'
import { applyBatchOp, normalizeTable, type TableState } from '../table-model.js'
import * as common from './common.js'
import { columnSql, constraintSql, ddl, indexPartsSql, plan, qualified, typeSql } from './ddl.js'
import type { CompileContext, OpPlan } from './dialect.js'
import type { VerbatimIndex } from './sqlite-introspect.js'

// SQLite's ALTER TABLE can add, drop and rename columns and nothing else. Everything else is
// Alembic's "move and copy": create the new shape under a temporary name, copy the rows, drop
// the old table, rename the new one into place, re-create the indexes.

/** Batch ops SQLite's ALTER TABLE does natively. */
function isNative(op: BatchOp): boolean {
  switch (op.kind) {
    case 'addColumn':
      return op.column.primaryKey !== true && op.column.unique !== true
    case 'alterColumn': {
      const { rename, ...rest } = op.changes
      return rename !== undefined && Object.values(rest).every((v) => v === undefined)
    }
    case 'dropColumn':
    case 'createIndex':
    case 'dropIndex':
      return true
    default:
      return false
  }
}

/** What SQLite's own ALTER TABLE, CREATE INDEX and DROP INDEX can do. */
function native(table: QualifiedName, op: BatchOp, ctx: CompileContext): OpPlan {
  switch (op.kind) {
    case 'addColumn':
      return common.addColumn({ ...op, table }, ctx)
    case 'dropColumn':
      return common.dropColumn({ ...op, table }, ctx)
    case 'createIndex':
      return common.createIndex({ ...op, table }, ctx)
    case 'dropIndex':
      return sqliteDropIndex(op, ctx)
    case 'alterColumn':
      if (op.changes.rename !== undefined) {
        return plan(
          ctx,
          sql`alter table ${qualified(table)} rename column ${sql.id(op.column)} to ${sql.id(op.changes.rename)}`,
        )
      }
  }
  throw new UnsupportedOperationError(
    `${op.kind} without rebuilding the table (recreate: 'never')`,
    'sqlite',
    {
      op: 'batchAlterTable',
    },
  )
}

/** `drop index [if exists] "name"`: SQLite index names are unique per database. */
export function sqliteDropIndex(op: Omit<DropIndexOp, 'table'>, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`drop index ${op.ifExists ? sql`if exists ` : sql``}${sql.id(op.name)}`)
}

/** Compiles `batchAlterTable` for SQLite. */
export async function sqliteBatchAlterTable(op: BatchAlterTableOp, ctx: CompileContext): Promise<OpPlan> {
  const recreate =
    op.recreate === 'always' ||
    (op.recreate === 'auto' && (!op.ops.every(isNative) || (await dropsInvolvedColumn(op, ctx))))
  if (!recreate) return { statements: op.ops.flatMap((batchOp) => native(op.table, batchOp, ctx).statements) }
  return rebuildTable(
    op.table,
    op.ops,
    op.copyFrom === undefined ? undefined : normalizeTable(op.copyFrom),
    ctx,
  )
}

/** SQLite refuses DROP COLUMN on a column in a key, index or constraint; those need a rebuild. */
async function dropsInvolvedColumn(op: BatchAlterTableOp, ctx: CompileContext): Promise<boolean> {
  const dropped = op.ops.flatMap((o) => (o.kind === 'dropColumn' ? [o.column] : []))
  if (dropped.length === 0) return false
  const state = await currentState(op.table, undefined, ctx, false)
  if (state === undefined) return false
  return dropped.some(
    (column) =>
      state.constraints.some((c) => c.type !== 'check' && c.columns.includes(column)) ||
      state.indexes.some((i) => i.parts.some((p) => 'column' in p && p.column === column)),
  )
}

async function currentState(
  table: QualifiedName,
  copyFrom: TableState | undefined,
  ctx: CompileContext,
  required: boolean,
): Promise<TableState | undefined> {
  const known = await ctx.catalog.describeTable(table)
  if (copyFrom !== undefined) {
    // An explicit definition wins; live indexes still have to come back after the rebuild.
    return { ...copyFrom, indexes: copyFrom.indexes.length > 0 ? copyFrom.indexes : (known?.indexes ?? []) }
  }
  if (known !== undefined || !required) return known
  if (ctx.catalog.online)
    throw new UnknownObjectError(`table '${displayName(table)}'`, { op: 'batchAlterTable' })
  throw new MissingTableDefinitionError(
    displayName(table),
    'SQLite must rebuild this table: create it earlier in the same --sql run, pass ' +
      'op.batchAlterTable(table, build, { copyFrom: (t) => ... }) with its current columns, or run online',
    { op: 'batchAlterTable' },
  )
}

/** Move and copy. */
export async function rebuildTable(
  table: QualifiedName,
  ops: readonly BatchOp[],
  copyFrom: TableState | undefined,
  ctx: CompileContext,
): Promise<OpPlan> {
  const before = (await currentState(table, copyFrom, ctx, true)) as TableState
  let after = before
  for (const op of ops) after = applyBatchOp(after, op)
  const sources = columnSources(before, ops)
  const temp = { name: `_mig_tmp_${table.name}` }
  const targets = after.columns.filter((c) => sources.has(c.name))
  const selected = targets.map((c) => {
    const source = sources.get(c.name) as { from: string; retyped: boolean }
    return source.retyped
      ? sql`cast(${sql.id(source.from)} as ${typeSql(c.type, ctx.dialect).sql})`
      : sql.id(source.from)
  })
  const statements: RawBuilder<unknown>[] = [
    sql`create table ${qualified(temp)} (${sql.join(tableItems(after, ctx))})`,
  ]
  if (targets.length > 0) {
    statements.push(
      sql`insert into ${qualified(temp)} (${sql.join(targets.map((c) => sql.id(c.name)))}) select ${sql.join(selected)} from ${qualified(table)}`,
    )
  }
  statements.push(
    sql`drop table ${qualified(table)}`,
    // Without legacy mode the rename fails when a view still names the dropped table.
    sql`pragma legacy_alter_table = on`,
    sql`alter table ${qualified(temp)} rename to ${sql.id(table.name)}`,
    sql`pragma legacy_alter_table = off`,
  )
  for (const index of after.indexes as readonly VerbatimIndex[]) {
    if (index.verbatim !== undefined) {
      statements.push(sql.raw(index.verbatim))
      continue
    }
    const where = index.where === undefined ? sql`` : sql` where ${index.where}`
    statements.push(
      sql`create ${index.unique ? sql`unique ` : sql``}index ${sql.id(index.name)} on ${qualified(table)} (${indexPartsSql(index.parts, true)})${where}`,
    )
  }
  return { statements: statements.map((s) => ddl(ctx, s)), rebuildsReferencedTable: table }
}

/** For each column of the new table that takes its values from an old column: which, and whether retyped. */
function columnSources(
  before: TableState,
  ops: readonly BatchOp[],
): Map<string, { from: string; retyped: boolean }> {
  const sources = new Map(before.columns.map((c) => [c.name, { from: c.name, retyped: false }]))
  for (const op of ops) {
    if (op.kind === 'dropColumn') sources.delete(op.column)
    if (op.kind !== 'alterColumn') continue
    const source = sources.get(op.column)
    if (source === undefined) continue
    const next = { from: source.from, retyped: source.retyped || op.changes.type !== undefined }
    sources.delete(op.column)
    sources.set(op.changes.rename ?? op.column, next)
  }
  return sources
}

// Live introspection cannot tell the original order of different kinds of constraint, so a
// rebuilt table lists them by kind: the same text whether the shape came online or offline.
const CONSTRAINT_ORDER: Readonly<Record<TableConstraint['type'], number>> = {
  primaryKey: 0,
  unique: 1,
  foreignKey: 2,
  check: 3,
}

/** Column definitions and constraints of a rebuilt table, SQLite style. */
function tableItems(state: TableState, ctx: CompileContext): RawBuilder<unknown>[] {
  const key = state.constraints.find((c) => c.type === 'primaryKey')
  // AUTOINCREMENT only exists as a column constraint on the single INTEGER key column.
  const autoKey =
    key !== undefined && key.columns.length === 1
      ? state.columns.find((c) => c.name === key.columns[0] && c.autoIncrement === true)
      : undefined
  const columns = state.columns.map((c: ColumnDef) =>
    c === autoKey
      ? columnSql({ ...c, primaryKey: true }, ctx.dialect)
      : columnSql({ ...c, autoIncrement: false }, ctx.dialect),
  )
  const constraints = state.constraints
    .filter((c: TableConstraint) => !(autoKey !== undefined && c === key))
    .sort((a, b) => CONSTRAINT_ORDER[a.type] - CONSTRAINT_ORDER[b.type])
  return [...columns, ...constraints.map(constraintSql)]
}
