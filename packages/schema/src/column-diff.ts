import { type BatchOp, type ColumnChanges, type Op, sql } from '@migraph/operations'
import type { TableModel } from './model.js'
import { columnDef, columnType, raw, tableName } from './op-data.js'
import { compilerFor, freezeOp, Phase, type PlanContext } from './plan-context.js'
import { type ColumnChange, same } from './table-changes.js'
import { isWidening } from './type-widening.js'

// The ops that change a column present in both versions of a table.

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

/** PostgreSQL and MySQL: the ALTERs that change one column of `table`. */
export function alterColumn(ctx: PlanContext, table: TableModel, change: ColumnChange): void {
  const { from, to } = change
  const name = tableName(table.name)
  if (!same(from.generated, to.generated)) {
    // A generated column's values come from its expression: replace the column.
    ctx.add(Phase.AlterTable, freezeOp({ kind: 'dropColumn', table: name, column: from.name }))
    ctx.add(
      Phase.AlterTable,
      freezeOp({ kind: 'addColumn', table: name, column: columnDef(to, ctx.dialect) }),
    )
    return
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
      ctx.add(
        Phase.AlterTable,
        freezeOp({ kind: 'execute', query: statement.compile(compilerFor(ctx.dialect)) }),
      )
    }
  }
  const columnChange = columnChanges(ctx, change)
  if (columnChange === undefined) return
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

/** SQLite: the batch ops that change one column of `table`; none where batch mode cannot. */
export function batchAlterColumn(ctx: PlanContext, table: TableModel, change: ColumnChange): BatchOp[] {
  if (change.from.collation !== change.to.collation) {
    // The rebuild copies rows through CAST, which takes no COLLATE.
    ctx.differences.push({
      action: 'change',
      object: 'column',
      name: `${table.name}.${change.to.name}`,
      detail: `collation ${change.from.collation ?? 'binary'} -> ${change.to.collation ?? 'binary'}`,
      unsupported: 'SQLite batch mode cannot change a collation; write this migration by hand',
    })
    return []
  }
  if (change.from.identity !== change.to.identity || !same(change.from.generated, change.to.generated)) {
    return [
      { kind: 'dropColumn', column: change.from.name },
      { kind: 'addColumn', column: columnDef(change.to, ctx.dialect) },
    ]
  }
  const columnChange = columnChanges(ctx, change)
  return columnChange === undefined
    ? []
    : [{ kind: 'alterColumn', column: change.to.name, changes: columnChange }]
}
