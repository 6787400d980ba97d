import { type BatchOp, type ColumnChanges, type Op, sql } from '@migraph/operations'
import type { RawBuilder } from 'kysely'
import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  TableModel,
  UniqueModel,
} from './model.js'
import {
  columnDef,
  columnType,
  indexDefinition,
  isPlainIndex,
  raw,
  tableDefinition,
  tableName,
} from './op-data.js'
import { compilerFor, freezeOp, Phase, type PlanContext } from './plan-context.js'
import { isWidening } from './type-widening.js'

// One table present in both models: its columns, keys, constraints and indexes. PostgreSQL and
// MySQL get one ALTER per change; SQLite gets one batch per table, which rebuilds it when its
// ALTER TABLE cannot do the change.

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Names match, or one side has none (SQLite keeps most constraints unnamed). */
const sameName = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined || a === b

function sameUnique(a: UniqueModel, b: UniqueModel): boolean {
  return sameName(a.name, b.name) && same(a.columns, b.columns)
}
function sameCheck(a: CheckModel, b: CheckModel): boolean {
  return sameName(a.name, b.name) && a.expression === b.expression
}
function sameForeignKey(a: ForeignKeyModel, b: ForeignKeyModel): boolean {
  const { name: _a, ...left } = a
  const { name: _b, ...right } = b
  return sameName(a.name, b.name) && same(left, right)
}
function sameIndex(a: IndexModel, b: IndexModel): boolean {
  const { definition: _a, ...left } = a
  const { definition: _b, ...right } = b
  return same(left, right)
}

/** Items of `from` with no equal in `to`, and of `to` with no equal in `from`. */
function match<T>(from: readonly T[], to: readonly T[], equal: (a: T, b: T) => boolean) {
  const dropped = from.filter((a) => !to.some((b) => equal(a, b)))
  const added = to.filter((b) => !from.some((a) => equal(a, b)))
  return { dropped, added }
}

/** Renames a column list of the old table into the new table's names. */
function renamed(columns: readonly string[], renames: ReadonlyMap<string, string>): string[] {
  return columns.map((c) => renames.get(c) ?? c)
}

/** Default constraint names where the model has none (SQLite), in PostgreSQL's style. */
function nameFor(table: string, columns: readonly string[], suffix: string): string {
  return `${table}_${columns.join('_')}_${suffix}`
}

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
  const changes = collect(ctx, old, oldView, table, renames)
  if (ctx.dialect === 'sqlite') applySqlite(ctx, old, table, changes, renames)
  else applyAlter(ctx, old, table, changes, renames)
  return ctx.differences.length > before
}

interface ColumnChange {
  readonly from: ColumnModel
  readonly to: ColumnModel
}

interface TableChanges {
  readonly added: ColumnModel[]
  readonly dropped: ColumnModel[]
  readonly changed: ColumnChange[]
  readonly keyChanged: boolean
  readonly uniques: { dropped: UniqueModel[]; added: UniqueModel[] }
  readonly checks: { dropped: CheckModel[]; added: CheckModel[] }
  readonly foreignKeys: { dropped: ForeignKeyModel[]; added: ForeignKeyModel[] }
  readonly indexes: { dropped: IndexModel[]; added: IndexModel[] }
}

function collect(
  ctx: PlanContext,
  old: TableModel,
  oldView: TableModel,
  table: TableModel,
  renames: ReadonlyMap<string, string>,
): TableChanges {
  const t = table.name
  for (const [from, to] of renames) {
    ctx.differences.push({ action: 'rename', object: 'column', name: `${t}.${from}`, detail: to })
  }
  const oldColumns = new Map(oldView.columns.map((c) => [c.name, c]))
  const newColumns = new Map(table.columns.map((c) => [c.name, c]))
  const added = table.columns.filter((c) => !oldColumns.has(c.name))
  const dropped = old.columns.filter((c) => !newColumns.has(renames.get(c.name) ?? c.name))
  const changed: ColumnChange[] = []
  for (const column of table.columns) {
    const from = oldColumns.get(column.name)
    if (from === undefined || same(from, column)) continue
    changed.push({ from, to: column })
    const detail = (['type', 'nullable', 'default', 'identity', 'generated', 'collation', 'comment'] as const)
      .filter((k) => !same(from[k], column[k]))
      .map((k) => `${k} ${show(from[k])} -> ${show(column[k])}`)
      .join(', ')
    const narrowing = from.type !== column.type && !isWidening(from.type, column.type, ctx.dialect)
    ctx.differences.push({
      action: 'change',
      object: 'column',
      name: `${t}.${column.name}`,
      detail,
      destructive: narrowing ? `type ${from.type} -> ${column.type} may not hold every value` : undefined,
    })
  }
  for (const c of added) ctx.differences.push({ action: 'add', object: 'column', name: `${t}.${c.name}` })
  for (const c of dropped) {
    ctx.differences.push({
      action: 'drop',
      object: 'column',
      name: `${t}.${c.name}`,
      destructive: 'drops its values',
    })
  }
  for (const d of dropped) {
    for (const a of added) {
      if (d.type === a.type)
        ctx.candidates.push({ object: 'column', from: `${t}.${d.name}`, to: `${t}.${a.name}` })
    }
  }
  const keyChanged = !same(oldView.primaryKey?.columns, table.primaryKey?.columns)
  if (keyChanged) {
    ctx.differences.push({
      action: 'change',
      object: 'primary key',
      name: t,
      detail: `(${oldView.primaryKey?.columns.join(', ') ?? ''}) -> (${table.primaryKey?.columns.join(', ') ?? ''})`,
    })
  }
  const uniques = match(oldView.uniques, table.uniques, sameUnique)
  const checks = match(oldView.checks, table.checks, sameCheck)
  const foreignKeys = match(oldView.foreignKeys, table.foreignKeys, sameForeignKey)
  const indexes = match(oldView.indexes, table.indexes, sameIndex)
  const report = (
    object: 'unique constraint' | 'check constraint' | 'foreign key' | 'index',
    list: {
      dropped: readonly { name?: string | undefined; columns?: readonly string[]; expression?: string }[]
      added: readonly { name?: string | undefined; columns?: readonly string[]; expression?: string }[]
    },
  ) => {
    const label = (x: { name?: string | undefined; columns?: readonly string[]; expression?: string }) =>
      `${t}.${x.name ?? `(${x.columns?.join(', ') ?? x.expression ?? ''})`}`
    for (const x of list.dropped) ctx.differences.push({ action: 'drop', object, name: label(x) })
    for (const x of list.added) ctx.differences.push({ action: 'add', object, name: label(x) })
  }
  report('unique constraint', uniques)
  report('check constraint', checks)
  report('foreign key', foreignKeys)
  report('index', indexes)
  if (old.comment !== table.comment && ctx.dialect !== 'sqlite') {
    ctx.differences.push({
      action: 'change',
      object: 'table',
      name: t,
      detail: `comment ${show(old.comment)} -> ${show(table.comment)}`,
    })
  }
  return { added, dropped, changed, keyChanged, uniques, checks, foreignKeys, indexes }
}

function show(value: unknown): string {
  return value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value)
}

/** The `alterColumn` changes for a changed column (type, nullability, default, comment). */
function columnChanges(ctx: PlanContext, change: ColumnChange): ColumnChanges | undefined {
  const { from, to } = change
  const typeChanged = from.type !== to.type || from.collation !== to.collation
  const changes: ColumnChanges = {
    type: typeChanged
      ? columnType({ ...to, generated: undefined, identity: undefined }, ctx.dialect)
      : undefined,
    using:
      typeChanged && ctx.dialect === 'postgres' ? sql`${sql.id(to.name)}::${sql.raw(to.type)}` : undefined,
    nullable: from.nullable !== to.nullable ? to.nullable : undefined,
    default: from.default !== to.default ? (to.default === undefined ? null : raw(to.default)) : undefined,
    comment: from.comment !== to.comment ? (to.comment ?? null) : undefined,
  }
  return Object.values(changes).some((v) => v !== undefined) ? changes : undefined
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
  const compiler = compilerFor(ctx.dialect)
  for (const fk of changes.foreignKeys.dropped) {
    if (fk.name !== undefined) ctx.add(Phase.DropForeignKey, ...dropForeignKeyOps(ctx, old.name, fk.name))
  }
  for (const index of changes.indexes.dropped) {
    ctx.add(
      Phase.DropConstraint,
      freezeOp({ kind: 'dropIndex', name: index.name, table: oldName, ifExists: false, concurrently: false }),
    )
  }
  for (const u of changes.uniques.dropped) {
    if (u.name !== undefined)
      ctx.add(
        Phase.DropConstraint,
        freezeOp({ kind: 'dropConstraint', table: oldName, name: u.name, type: 'unique' }),
      )
  }
  for (const c of changes.checks.dropped) {
    if (c.name !== undefined)
      ctx.add(
        Phase.DropConstraint,
        freezeOp({ kind: 'dropConstraint', table: oldName, name: c.name, type: 'check' }),
      )
  }
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
  for (const change of changes.changed) {
    const { from, to } = change
    if (!same(from.generated, to.generated)) {
      // A generated column's values come from its expression: replace the column.
      ctx.add(Phase.AlterTable, freezeOp({ kind: 'dropColumn', table: name, column: from.name }))
      ctx.add(
        Phase.AlterTable,
        freezeOp({ kind: 'addColumn', table: name, column: columnDef(to, ctx.dialect) }),
      )
      continue
    }
    if (from.identity !== to.identity) {
      if (ctx.dialect !== 'postgres') {
        ctx.differences.push({
          action: 'change',
          object: 'column',
          name: `${table.name}.${to.name}`,
          unsupported: 'changing auto_increment is not generated; write it by hand',
        })
      } else {
        const column = sql`alter table ${sql.id(table.name)} alter column ${sql.id(to.name)}`
        const statement =
          to.identity === undefined
            ? sql`${column} drop identity`
            : from.identity === undefined
              ? sql`${column} add generated ${sql.raw(to.identity)} as identity`
              : sql`${column} set generated ${sql.raw(to.identity)}`
        ctx.add(Phase.AlterTable, freezeOp({ kind: 'execute', query: statement.compile(compiler) }))
      }
    }
    const columnChange = columnChanges(ctx, change)
    if (columnChange === undefined) continue
    const narrowing = from.type !== to.type && !isWidening(from.type, to.type, ctx.dialect)
    const op = freezeOp({
      kind: 'alterColumn',
      table: name,
      column: to.name,
      changes: columnChange,
      existing: {
        type: columnType({ ...from, generated: undefined, identity: undefined }, ctx.dialect),
        nullable: from.nullable,
        default: from.default === undefined ? undefined : raw(from.default),
        comment: from.comment,
        autoIncrement: from.identity !== undefined ? true : undefined,
      },
    } satisfies Op)
    if (narrowing)
      ctx.addDestructive(Phase.AlterTable, op, `type ${from.type} -> ${to.type} may not hold every value`)
    else ctx.add(Phase.AlterTable, op)
  }
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
  for (const change of changes.changed) {
    if (change.from.collation !== change.to.collation) {
      // The rebuild copies rows through CAST, which takes no COLLATE.
      ctx.differences.push({
        action: 'change',
        object: 'column',
        name: `${table.name}.${change.to.name}`,
        detail: `collation ${change.from.collation ?? 'binary'} -> ${change.to.collation ?? 'binary'}`,
        unsupported: 'SQLite batch mode cannot change a collation; write this migration by hand',
      })
      continue
    }
    if (change.from.identity !== change.to.identity || !same(change.from.generated, change.to.generated)) {
      ops.push({ kind: 'dropColumn', column: change.from.name })
      ops.push({ kind: 'addColumn', column: columnDef(change.to, ctx.dialect) })
      continue
    }
    const columnChange = columnChanges(ctx, change)
    if (columnChange !== undefined)
      ops.push({ kind: 'alterColumn', column: change.to.name, changes: columnChange })
  }
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
      references: {
        table: tableName(fk.references.table),
        columns: fk.references.columns,
        onDelete: fk.onDelete === 'no action' ? undefined : fk.onDelete,
        onUpdate: fk.onUpdate === 'no action' ? undefined : fk.onUpdate,
      },
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

/**
 * Ops dropping a foreign key. MySQL creates an index named after a foreign key that has none to
 * use, and keeps it when the key goes: it goes too, when it is there.
 */
export function dropForeignKeyOps(ctx: PlanContext, table: string, name: string): Op[] {
  const drop = freezeOp({
    kind: 'dropConstraint',
    table: tableName(table),
    name,
    type: 'foreignKey',
  } satisfies Op)
  if (ctx.dialect !== 'mysql') return [drop]
  return [
    drop,
    freezeOp({ kind: 'dropIndex', name, table: tableName(table), ifExists: true, concurrently: false }),
  ]
}

/** Ops adding a foreign key: `createForeignKey`, or a statement when it is deferrable. */
export function foreignKeyOps(ctx: PlanContext, table: string, fk: ForeignKeyModel): Op[] {
  const name = fk.name ?? nameFor(table, fk.columns, 'fkey')
  if (fk.deferrable === undefined || ctx.dialect !== 'postgres') {
    return [
      freezeOp({
        kind: 'createForeignKey',
        table: tableName(table),
        name,
        columns: fk.columns,
        references: {
          table: tableName(fk.references.table),
          columns: fk.references.columns,
          onDelete: fk.onDelete === 'no action' ? undefined : fk.onDelete,
          onUpdate: fk.onUpdate === 'no action' ? undefined : fk.onUpdate,
        },
      }),
    ]
  }
  const ids = (names: readonly string[]) => sql.join(names.map((n) => sql.id(n)))
  const statement = sql`alter table ${sql.id(table)} add constraint ${sql.id(name)} foreign key (${ids(fk.columns)}) references ${sql.id(fk.references.table)} (${ids(fk.references.columns)}) on delete ${sql.raw(fk.onDelete)} on update ${sql.raw(fk.onUpdate)} deferrable initially ${sql.raw(fk.deferrable)}`
  return [freezeOp({ kind: 'execute', query: statement.compile(compilerFor(ctx.dialect)) })]
}

/** `CREATE INDEX` with what the op API has no words for: order, method, INCLUDE. */
export function richIndexSql(ctx: PlanContext, table: string, index: IndexModel): RawBuilder<unknown> {
  if (ctx.dialect === 'sqlite' && index.definition !== undefined) return sql.raw(index.definition)
  const parts = sql.join(
    index.parts.map((p) => {
      const key =
        'column' in p
          ? p.length === undefined
            ? sql.id(p.column)
            : sql`${sql.id(p.column)}(${sql.lit(p.length)})`
          : sql`(${sql.raw(p.expression)})`
      return p.descending === true ? sql`${key} desc` : key
    }),
  )
  const mysqlKind =
    ctx.dialect === 'mysql' && index.method !== undefined && /^(fulltext|spatial)$/.test(index.method)
  const kind = index.unique ? sql`unique ` : mysqlKind ? sql`${sql.raw(index.method ?? '')} ` : sql``
  const using =
    ctx.dialect === 'postgres' && index.method !== undefined ? sql` using ${sql.raw(index.method)}` : sql``
  const include =
    index.include !== undefined && index.include.length > 0
      ? sql` include (${sql.join(index.include.map((c) => sql.id(c)))})`
      : sql``
  const where = index.where === undefined ? sql`` : sql` where ${sql.raw(index.where)}`
  return sql`create ${kind}index ${sql.id(index.name)} on ${sql.id(table)}${using} (${parts})${include}${where}`
}

/** `createIndex`, or the index's own statement when the op API cannot state it. */
export function createIndexOp(ctx: PlanContext, table: string, index: TableModel['indexes'][number]): Op {
  if (!isPlainIndex(index)) {
    return freezeOp({
      kind: 'execute',
      query: richIndexSql(ctx, table, index).compile(compilerFor(ctx.dialect)),
    })
  }
  const { verbatim: _verbatim, ...definition } = indexDefinition(index)
  return freezeOp({
    kind: 'createIndex',
    table: tableName(table),
    ...definition,
    concurrently: false,
    ifNotExists: false,
  })
}

export function commentOnTable(ctx: PlanContext, table: string, comment: string | null): Op {
  const query =
    ctx.dialect === 'mysql'
      ? sql`alter table ${sql.id(table)} comment = ${sql.lit(comment ?? '')}`
      : sql`comment on table ${sql.id(table)} is ${comment === null ? sql`null` : sql.lit(comment)}`
  return freezeOp({ kind: 'execute', query: query.compile(compilerFor(ctx.dialect)) })
}
