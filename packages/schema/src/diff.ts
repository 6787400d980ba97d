import { sql } from '@migraph/operations'
import { commentOnTable, dropForeignKeyOps, foreignKeyOps } from './constraint-diff.js'
import type { Difference, DiffStep, RenameCandidate, SchemaDiff } from './differences.js'
import { SchemaDialectMismatchError } from './errors.js'
import { createIndexOp } from './index-diff.js'
import type { EnumModel, SchemaModel, SequenceModel, TableModel, ViewModel } from './model.js'
import { tableDefinition, tableName } from './op-data.js'
import { compilerFor, createPlanContext, freezeOp, Phase, type PlanContext } from './plan-context.js'
import { diffTable } from './table-diff.js'

/**
 * Renames to apply instead of a drop and an add. Tables: `{ old: 'new' }`; columns:
 * `{ 'table.old': 'new' }`, the table named as it is in the second model.
 */
export interface Renames {
  readonly tables?: Readonly<Record<string, string>> | undefined
  readonly columns?: Readonly<Record<string, string>> | undefined
}

/** Options of {@link diffSchemas}. */
export interface DiffOptions {
  readonly renames?: Renames | undefined
}

/**
 * Compares two models of one dialect and returns the differences with the ops that turn
 * `from` into `to` (upgrade) and back (downgrade). A table or column dropped while a similar one
 * is added is never taken for a rename: it is reported in `renameCandidates`, and becomes a
 * rename when `options.renames` names it.
 *
 * @example
 * ```ts
 * const diff = diffSchemas(await introspect(live, 'postgres'), await introspect(shadow, 'postgres'))
 * for (const step of diff.upgrade) console.log(step.op.kind, step.destructive ?? '')
 * ```
 */
export function diffSchemas(from: SchemaModel, to: SchemaModel, options: DiffOptions = {}): SchemaDiff {
  if (from.dialect !== to.dialect) throw new SchemaDialectMismatchError(from.dialect, to.dialect)
  const tables = options.renames?.tables ?? {}
  const columns = options.renames?.columns ?? {}
  const forward = plan(from, to, new Map(Object.entries(tables)), new Map(Object.entries(columns)))
  const backTables = new Map(Object.entries(tables).map(([a, b]) => [b, a]))
  // Column renames name the table as the second model does; going back, that is the first's name.
  const backColumns = new Map(
    Object.entries(columns).map(([key, newName]) => {
      const dot = key.lastIndexOf('.')
      const table = key.slice(0, dot)
      return [`${backTables.get(table) ?? table}.${newName}`, key.slice(dot + 1)]
    }),
  )
  const backward = plan(to, from, backTables, backColumns)
  return Object.freeze({
    differences: Object.freeze(forward.differences),
    upgrade: Object.freeze(forward.steps),
    downgrade: Object.freeze(backward.steps),
    renameCandidates: Object.freeze(forward.candidates),
    irreversible: Object.freeze(backward.differences.filter((d) => d.unsupported !== undefined)),
  })
}

interface PlanResult {
  readonly steps: DiffStep[]
  readonly differences: Difference[]
  readonly candidates: RenameCandidate[]
}

function plan(
  from: SchemaModel,
  to: SchemaModel,
  tableRenames: ReadonlyMap<string, string>,
  columnRenames: ReadonlyMap<string, string>,
): PlanResult {
  const ctx = createPlanContext(to.dialect, columnRenames)
  const fromTables = new Map(from.tables.map((t) => [tableRenames.get(t.name) ?? t.name, t]))
  const toTables = new Map(to.tables.map((t) => [t.name, t]))

  diffEnums(ctx, from.enums, to.enums)
  diffSequences(ctx, from.sequences, to.sequences)
  const changedTables = new Set<string>()
  for (const [name, table] of toTables) {
    const old = fromTables.get(name)
    if (old === undefined) {
      createTable(ctx, table)
      changedTables.add(name)
    } else {
      if (old.name !== name) {
        ctx.add(Phase.Rename, freezeOp({ kind: 'renameTable', table: tableName(old.name), newName: name }))
        renameDerivedNames(ctx, old, table)
        ctx.differences.push({ action: 'rename', object: 'table', name: old.name, detail: name })
      }
      if (diffTable(ctx, old, table)) changedTables.add(name)
    }
  }
  for (const [name, table] of fromTables) {
    if (toTables.has(name)) continue
    dropTable(ctx, table)
    changedTables.add(name)
  }
  reportTableRenameCandidates(ctx, from.tables, to.tables, fromTables, toTables)
  diffViews(ctx, from.views, to.views, changedTables)
  return { steps: ctx.steps(), differences: ctx.differences, candidates: ctx.candidates }
}

/**
 * PostgreSQL and MySQL keep constraint and index names through a table rename; names derived
 * from the old table name (`account_pkey`) follow it when the target has the derived new name.
 */
function renameDerivedNames(ctx: PlanContext, old: TableModel, table: TableModel): void {
  if (ctx.dialect !== 'postgres') return
  const compiler = compilerFor(ctx.dialect)
  const names = (t: TableModel) => [
    ...(t.primaryKey?.name === undefined ? [] : [t.primaryKey.name]),
    ...[...t.uniques, ...t.foreignKeys, ...t.checks].flatMap((c) => (c.name === undefined ? [] : [c.name])),
  ]
  const wanted = new Set(names(table))
  for (const name of names(old)) {
    if (!name.startsWith(`${old.name}_`)) continue
    const renamed = `${table.name}${name.slice(old.name.length)}`
    if (!wanted.has(renamed) || names(old).includes(renamed)) continue
    const statement = sql`alter table ${sql.id(table.name)} rename constraint ${sql.id(name)} to ${sql.id(renamed)}`
    ctx.add(Phase.Rename, freezeOp({ kind: 'execute', query: statement.compile(compiler) }))
  }
  const indexes = new Set(table.indexes.map((i) => i.name))
  for (const index of old.indexes) {
    if (!index.name.startsWith(`${old.name}_`)) continue
    const renamed = `${table.name}${index.name.slice(old.name.length)}`
    if (!indexes.has(renamed)) continue
    const statement = sql`alter index ${sql.id(index.name)} rename to ${sql.id(renamed)}`
    ctx.add(Phase.Rename, freezeOp({ kind: 'execute', query: statement.compile(compiler) }))
  }
}

function createTable(ctx: PlanContext, table: TableModel): void {
  // SQLite does not check a foreign key's target when the table is created, and cannot add
  // one later without a rebuild: its keys go inline. Elsewhere they follow once all tables exist.
  const inlineKeys = ctx.dialect === 'sqlite'
  const definition = tableDefinition(table, ctx.dialect, { foreignKeys: inlineKeys })
  const { indexes: _indexes, ...rest } = definition
  ctx.add(Phase.CreateTable, freezeOp({ kind: 'createTable', ...rest, ifNotExists: false }))
  ctx.differences.push({ action: 'add', object: 'table', name: table.name })
  for (const index of table.indexes) {
    ctx.add(Phase.AddIndex, createIndexOp(ctx, table.name, index))
  }
  if (!inlineKeys) {
    for (const fk of table.foreignKeys) ctx.add(Phase.AddForeignKey, ...foreignKeyOps(ctx, table.name, fk))
  }
  if (table.comment !== undefined && ctx.dialect !== 'sqlite') {
    ctx.add(Phase.AddConstraint, commentOnTable(ctx, table.name, table.comment))
  }
}

function dropTable(ctx: PlanContext, table: TableModel): void {
  if (ctx.dialect !== 'sqlite') {
    for (const fk of table.foreignKeys) {
      if (fk.name === undefined) continue
      ctx.add(Phase.DropForeignKey, ...dropForeignKeyOps(ctx, table.name, fk.name))
    }
  }
  ctx.addDestructive(
    Phase.DropTable,
    freezeOp({ kind: 'dropTable', table: tableName(table.name), ifExists: false, cascade: false }),
    `drops table ${table.name} and its rows`,
  )
  ctx.differences.push({ action: 'drop', object: 'table', name: table.name, destructive: 'drops its rows' })
}

function reportTableRenameCandidates(
  ctx: PlanContext,
  fromList: readonly TableModel[],
  toList: readonly TableModel[],
  fromTables: ReadonlyMap<string, TableModel>,
  toTables: ReadonlyMap<string, TableModel>,
): void {
  const dropped = fromList.filter((t) => !toTables.has(t.name) && fromTables.get(t.name) === t)
  const added = toList.filter((t) => !fromTables.has(t.name))
  for (const d of dropped) {
    for (const a of added) {
      if (similarColumns(d, a)) ctx.candidates.push({ object: 'table', from: d.name, to: a.name })
    }
  }
}

/** Tables whose columns are mostly the same names and types: at least half of the larger one. */
function similarColumns(a: TableModel, b: TableModel): boolean {
  const key = (t: TableModel) => new Set(t.columns.map((c) => `${c.name}:${c.type}`))
  const left = key(a)
  const right = key(b)
  const shared = [...left].filter((k) => right.has(k)).length
  return shared > 0 && shared * 2 >= Math.max(left.size, right.size)
}

function diffEnums(ctx: PlanContext, from: readonly EnumModel[], to: readonly EnumModel[]): void {
  const old = new Map(from.map((e) => [e.name, e]))
  const next = new Map(to.map((e) => [e.name, e]))
  for (const e of to) {
    const before = old.get(e.name)
    if (before === undefined) {
      ctx.add(Phase.CreateType, freezeOp({ kind: 'createEnum', name: tableName(e.name), values: e.values }))
      ctx.differences.push({ action: 'add', object: 'enum', name: e.name })
      continue
    }
    if (JSON.stringify(before.values) === JSON.stringify(e.values)) continue
    const kept = e.values.filter((v) => before.values.includes(v))
    if (JSON.stringify(kept) !== JSON.stringify(before.values)) {
      ctx.differences.push({
        action: 'change',
        object: 'enum',
        name: e.name,
        detail: `values ${before.values.join(', ')} -> ${e.values.join(', ')}`,
        unsupported: 'PostgreSQL cannot remove or reorder enum values; write this migration by hand',
      })
      continue
    }
    e.values.forEach((value, i) => {
      if (before.values.includes(value)) return
      const after = e.values
        .slice(0, i)
        .reverse()
        .find((v) => before.values.includes(v))
      const beforeValue =
        after === undefined ? e.values.slice(i + 1).find((v) => before.values.includes(v)) : undefined
      ctx.add(
        Phase.CreateType,
        freezeOp({
          kind: 'addEnumValue',
          name: tableName(e.name),
          value,
          after,
          before: beforeValue,
          ifNotExists: false,
        }),
      )
    })
    ctx.differences.push({
      action: 'change',
      object: 'enum',
      name: e.name,
      detail: `values ${before.values.join(', ')} -> ${e.values.join(', ')}`,
    })
  }
  for (const e of from) {
    if (next.has(e.name)) continue
    ctx.add(Phase.DropType, freezeOp({ kind: 'dropEnum', name: tableName(e.name), ifExists: false }))
    ctx.differences.push({ action: 'drop', object: 'enum', name: e.name })
  }
}

function sequenceSql(s: SequenceModel) {
  return sql`create sequence ${sql.id(s.name)} as ${sql.raw(s.type)} increment by ${sql.raw(s.increment)} minvalue ${sql.raw(s.min)} maxvalue ${sql.raw(s.max)} start with ${sql.raw(s.start)} cache ${sql.raw(s.cache)}${s.cycle ? sql` cycle` : sql``}`
}

function diffSequences(ctx: PlanContext, from: readonly SequenceModel[], to: readonly SequenceModel[]): void {
  const compiler = compilerFor(ctx.dialect)
  const old = new Map(from.map((s) => [s.name, s]))
  const next = new Map(to.map((s) => [s.name, s]))
  for (const s of to) {
    const before = old.get(s.name)
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(s)) continue
    if (before !== undefined) {
      ctx.add(
        Phase.DropType,
        freezeOp({ kind: 'execute', query: sql`drop sequence ${sql.id(s.name)}`.compile(compiler) }),
      )
    }
    ctx.add(Phase.CreateType, freezeOp({ kind: 'execute', query: sequenceSql(s).compile(compiler) }))
    ctx.differences.push({
      action: before === undefined ? 'add' : 'change',
      object: 'sequence',
      name: s.name,
    })
  }
  for (const s of from) {
    if (next.has(s.name)) continue
    ctx.add(
      Phase.DropType,
      freezeOp({ kind: 'execute', query: sql`drop sequence ${sql.id(s.name)}`.compile(compiler) }),
    )
    ctx.differences.push({ action: 'drop', object: 'sequence', name: s.name })
  }
}

function diffViews(
  ctx: PlanContext,
  from: readonly ViewModel[],
  to: readonly ViewModel[],
  changedTables: ReadonlySet<string>,
): void {
  const old = new Map(from.map((v) => [v.name, v]))
  const next = new Map(to.map((v) => [v.name, v]))
  // A view over a changed table is dropped first and re-created last, so the table's change
  // never has to reach through it (PostgreSQL and SQLite both refuse some changes otherwise).
  const touches = (v: ViewModel) => [...changedTables].some((t) => v.definition.includes(t))
  for (const v of to) {
    const before = old.get(v.name)
    const same = before !== undefined && before.definition === v.definition
    if (same && !touches(v)) continue
    if (before !== undefined) {
      ctx.add(Phase.DropView, freezeOp({ kind: 'dropView', name: tableName(v.name), ifExists: false }))
    }
    ctx.add(
      Phase.CreateView,
      freezeOp({ kind: 'createView', name: tableName(v.name), query: v.definition, orReplace: false }),
    )
    if (!same)
      ctx.differences.push({ action: before === undefined ? 'add' : 'change', object: 'view', name: v.name })
  }
  for (const v of from) {
    if (next.has(v.name)) continue
    ctx.add(Phase.DropView, freezeOp({ kind: 'dropView', name: tableName(v.name), ifExists: false }))
    ctx.differences.push({ action: 'drop', object: 'view', name: v.name })
  }
}
