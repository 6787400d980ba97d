import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  TableModel,
  UniqueModel,
} from './model.js'
import type { PlanContext } from './plan-context.js'
import { isWidening } from './type-widening.js'

// What differs between two versions of one table, compared in the new table's column names, and
// reported as differences; the dialects' ops are built from it.

/** Deep equality of plain model data. */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Names match, or one side has none (SQLite keeps most constraints unnamed). */
const sameName = (a: string | undefined, b: string | undefined) =>
  a === undefined || b === undefined || a === b

/** The same unique constraint, where names that are known agree. */
export function sameUnique(a: UniqueModel, b: UniqueModel): boolean {
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
export function renamed(columns: readonly string[], renames: ReadonlyMap<string, string>): string[] {
  return columns.map((c) => renames.get(c) ?? c)
}

/** A column present in both tables, as it was and as it is to be. */
export interface ColumnChange {
  readonly from: ColumnModel
  readonly to: ColumnModel
}

/** What differs between two versions of a table, in the new table's column names. */
export interface TableChanges {
  readonly added: ColumnModel[]
  readonly dropped: ColumnModel[]
  readonly changed: ColumnChange[]
  readonly keyChanged: boolean
  readonly uniques: { dropped: UniqueModel[]; added: UniqueModel[] }
  readonly checks: { dropped: CheckModel[]; added: CheckModel[] }
  readonly foreignKeys: { dropped: ForeignKeyModel[]; added: ForeignKeyModel[] }
  readonly indexes: { dropped: IndexModel[]; added: IndexModel[] }
}

/** Records every difference of the table in `ctx` and returns them for the dialect's ops. */
export function collectChanges(
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
