import type { BatchOp, Op } from '@migraph/operations'
import { alterColumn, batchAlterColumn } from './column-diff.js'
import {
  commentOnTable,
  dropConstraints,
  dropForeignKeyOps,
  foreignKeyOps,
  nameFor,
  referencesOf,
} from './constraint-diff.js'
import { createIndexOp } from './index-diff.js'
import type { TableModel } from './model.js'
import { columnDef, raw, tableDefinition, tableName } from './op-data.js'
import { freezeOp, Phase, type PlanContext } from './plan-context.js'
import { collectChanges, renamed, same, sameUnique, type TableChanges } from './table-changes.js'

// One table present in both models: its columns, keys, constraints and indexes. PostgreSQL and
// MySQL get one ALTER per change; SQLite gets one batch per table, which rebuilds it when its
// ALTER TABLE cannot do the change.

/** Diffs one table. True when anything changed. */
export function diffTable(ctx: PlanContext, old: TableModel, table: TableModel): boolean {
  const before = ctx.differences.length
  const renames = new Map<string, string>()
  for (const column of old.columns) {
    const to = ctx.columnRenames.get(`${table.name}.${column.name}`)
    if (to !== undefined) renames.set(column.name, to)
  }
  // The old table restated in new column names, so constraints compare as they will read.
  const oldView: TableModel = {
    ...old,
    columns: old.columns.map((c) => ({ ...c, name: renames.get(c.name) ?? c.name })),
    primaryKey: old.primaryKey && { ...old.primaryKey, columns: renamed(old.primaryKey.columns, renames) },
    uniques: old.uniques.map((u) => ({ ...u, columns: renamed(u.columns, renames) })),
    foreignKeys: old.foreignKeys.map((f) => ({ ...f, columns: renamed(f.columns, renames) })),
    indexes: old.indexes.map((i) => ({
      ...i,
      parts: i.parts.map((p) => ('column' in p ? { ...p, column: renames.get(p.column) ?? p.column } : p)),
    })),
  }
  const changes = collectChanges(ctx, old, oldView, table, renames)
  if (ctx.dialect === 'sqlite') applySqlite(ctx, old, table, changes, renames)
  else applyAlter(ctx, old, table, changes, renames)
  return ctx.differences.length > before
}

/** PostgreSQL and MySQL: one ALTER per change. */
function applyAlter(
  ctx: PlanContext,
  old: TableModel,
  table: TableModel,
  changes: TableChanges,
  renames: ReadonlyMap<string, string>,
): void {
  const oldName = tableName(old.name)
  const name = tableName(table.name)
  for (const fk of changes.foreignKeys.dropped) {
    if (fk.name !== undefined) ctx.add(Phase.DropForeignKey, ...dropForeignKeyOps(ctx, old.name, fk.name))
  }
  for (const index of changes.indexes.dropped) {
    ctx.add(
      Phase.DropConstraint,
      freezeOp({ kind: 'dropIndex', name: index.name, table: oldName, ifExists: false, concurrently: false }),
    )
  }
  dropConstraints(ctx, Phase.DropConstraint, oldName, changes.uniques.dropped, 'unique')
  dropConstraints(ctx, Phase.DropConstraint, oldName, changes.checks.dropped, 'check')
  if (changes.keyChanged && old.primaryKey !== undefined) {
    ctx.add(
      Phase.DropConstraint,
      freezeOp({
        kind: 'dropConstraint',
        table: oldName,
        name: old.primaryKey.name ?? `${old.name}_pkey`,
        type: 'primaryKey',
      }),
    )
  }
  for (const [from, to] of renames) {
    ctx.add(
      Phase.Rename,
      freezeOp({ kind: 'alterColumn', table: name, column: from, changes: { rename: to } }),
    )
  }
  for (const column of changes.added) {
    ctx.add(
      Phase.AlterTable,
      freezeOp({ kind: 'addColumn', table: name, column: columnDef(column, ctx.dialect) }),
    )
  }
  for (const change of changes.changed) alterColumn(ctx, table, change)
  for (const column of changes.dropped) {
    ctx.addDestructive(
      Phase.DropColumn,
      freezeOp({ kind: 'dropColumn', table: name, column: column.name }),
      `drops column ${table.name}.${column.name} and its values`,
    )
  }
  if (changes.keyChanged && table.primaryKey !== undefined) {
    ctx.add(
      Phase.AddConstraint,
      freezeOp({
        kind: 'createPrimaryKey',
        table: name,
        name: table.primaryKey.name ?? `${table.name}_pkey`,
        columns: table.primaryKey.columns,
      }),
    )
  }
  for (const u of changes.uniques.added) {
    ctx.add(
      Phase.AddConstraint,
      freezeOp({
        kind: 'createUniqueConstraint',
        table: name,
        name: u.name ?? nameFor(table.name, u.columns, 'key'),
        columns: u.columns,
      }),
    )
  }
  for (const c of changes.checks.added) {
    ctx.add(
      Phase.AddConstraint,
      freezeOp({
        kind: 'createCheckConstraint',
        table: name,
        name: c.name ?? `${table.name}_check`,
        expression: raw(c.expression),
      }),
    )
  }
  for (const index of changes.indexes.added) ctx.add(Phase.AddIndex, createIndexOp(ctx, table.name, index))
  for (const fk of changes.foreignKeys.added)
    ctx.add(Phase.AddForeignKey, ...foreignKeyOps(ctx, table.name, fk))
  if (old.comment !== table.comment)
    ctx.add(Phase.AddConstraint, commentOnTable(ctx, table.name, table.comment ?? null))
}

/** SQLite: native ALTERs where they do, one rebuilding batch per table where they do not. */
function applySqlite(
  ctx: PlanContext,
  old: TableModel,
  table: TableModel,
  changes: TableChanges,
  renames: ReadonlyMap<string, string>,
): void {
  const name = tableName(table.name)
  for (const index of changes.indexes.dropped) {
    ctx.add(
      Phase.DropConstraint,
      freezeOp({ kind: 'dropIndex', name: index.name, ifExists: false, concurrently: false }),
    )
  }
  const ops: BatchOp[] = []
  for (const [from, to] of renames) ops.push({ kind: 'alterColumn', column: from, changes: { rename: to } })
  for (const column of changes.added) ops.push({ kind: 'addColumn', column: columnDef(column, ctx.dialect) })
  for (const change of changes.changed) ops.push(...batchAlterColumn(ctx, table, change))
  for (const column of changes.dropped) ops.push({ kind: 'dropColumn', column: column.name })
  if (changes.keyChanged && table.primaryKey !== undefined) {
    ops.push({
      kind: 'createPrimaryKey',
      name: table.primaryKey.name ?? `${table.name}_pkey`,
      columns: table.primaryKey.columns,
    })
  }
  for (const u of changes.uniques.added) {
    ops.push({
      kind: 'createUniqueConstraint',
      name: u.name ?? nameFor(table.name, u.columns, 'key'),
      columns: u.columns,
    })
  }
  for (const c of changes.checks.added) {
    ops.push({
      kind: 'createCheckConstraint',
      name: c.name ?? `${table.name}_check`,
      expression: raw(c.expression),
    })
  }
  for (const fk of changes.foreignKeys.added) {
    ops.push({
      kind: 'createForeignKey',
      name: fk.name ?? nameFor(table.name, fk.columns, 'fkey'),
      columns: fk.columns,
      references: referencesOf(fk),
    })
  }
  const dropsConstraint =
    changes.keyChanged ||
    changes.uniques.dropped.length > 0 ||
    changes.checks.dropped.length > 0 ||
    changes.foreignKeys.dropped.length > 0
  if (ops.length > 0 || dropsConstraint) {
    // The rebuild starts from the table as it is, less what is dropped: SQLite cannot name
    // an unnamed constraint to drop it, so it is simply not carried over.
    const start: TableModel = {
      ...old,
      name: table.name,
      primaryKey: changes.keyChanged ? undefined : old.primaryKey,
      uniques: old.uniques.filter(
        (u) =>
          !changes.uniques.dropped.some((d) => sameUnique(d, { ...u, columns: renamed(u.columns, renames) })),
      ),
      checks: old.checks.filter((c) => !changes.checks.dropped.includes(c)),
      foreignKeys: old.foreignKeys.filter(
        (f) =>
          !changes.foreignKeys.dropped.some(
            (d) => same(d.references, f.references) && same(d.columns, renamed(f.columns, renames)),
          ),
      ),
      indexes: old.indexes.filter((i) => !changes.indexes.dropped.some((d) => d.name === i.name)),
    }
    const destructive =
      changes.dropped.length > 0
        ? `drops ${changes.dropped.map((c) => `${table.name}.${c.name}`).join(', ')}`
        : undefined
    const op = freezeOp({
      kind: 'batchAlterTable',
      table: name,
      ops,
      recreate: dropsConstraint ? 'always' : 'auto',
      copyFrom: tableDefinition(start, ctx.dialect, { foreignKeys: true }),
    } satisfies Op)
    if (destructive !== undefined) ctx.addDestructive(Phase.AlterTable, op, destructive)
    else ctx.add(Phase.AlterTable, op)
  }
  for (const index of changes.indexes.added) ctx.add(Phase.AddIndex, createIndexOp(ctx, table.name, index))
}
