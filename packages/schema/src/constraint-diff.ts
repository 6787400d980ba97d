import { type CreateForeignKeyOp, type Op, type QualifiedName, sql } from '@migraph/operations'
import type { CheckModel, ForeignKeyModel, UniqueModel } from './model.js'
import { tableName } from './op-data.js'
import { compilerFor, freezeOp, type Phase, type PlanContext } from './plan-context.js'

// The ops that add and drop a table's constraints (keys, uniques, checks) and its comment.

/** Default constraint names where the model has none (SQLite), in PostgreSQL's style. */
export function nameFor(table: string, columns: readonly string[], suffix: string): string {
  return `${table}_${columns.join('_')}_${suffix}`
}

/** Drops each named unique or check constraint of `table`; an unnamed one has no name to drop. */
export function dropConstraints(
  ctx: PlanContext,
  phase: Phase,
  table: QualifiedName,
  constraints: readonly (UniqueModel | CheckModel)[],
  type: 'unique' | 'check',
): void {
  for (const constraint of constraints) {
    if (constraint.name !== undefined)
      ctx.add(phase, freezeOp({ kind: 'dropConstraint', table, name: constraint.name, type }))
  }
}

/** What a foreign key of the model references, as `createForeignKey` states it. */
export function referencesOf(fk: ForeignKeyModel): CreateForeignKeyOp['references'] {
  return {
    table: tableName(fk.references.table),
    columns: fk.references.columns,
    onDelete: fk.onDelete === 'no action' ? undefined : fk.onDelete,
    onUpdate: fk.onUpdate === 'no action' ? undefined : fk.onUpdate,
  }
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
        references: referencesOf(fk),
      }),
    ]
  }
  const ids = (names: readonly string[]) => sql.join(names.map((n) => sql.id(n)))
  const statement = sql`alter table ${sql.id(table)} add constraint ${sql.id(name)} foreign key (${ids(fk.columns)}) references ${sql.id(fk.references.table)} (${ids(fk.references.columns)}) on delete ${sql.raw(fk.onDelete)} on update ${sql.raw(fk.onUpdate)} deferrable initially ${sql.raw(fk.deferrable)}`
  return [freezeOp({ kind: 'execute', query: statement.compile(compilerFor(ctx.dialect)) })]
}

/** Sets or clears a table's comment. */
export function commentOnTable(ctx: PlanContext, table: string, comment: string | null): Op {
  const query =
    ctx.dialect === 'mysql'
      ? sql`alter table ${sql.id(table)} comment = ${sql.lit(comment ?? '')}`
      : sql`comment on table ${sql.id(table)} is ${comment === null ? sql`null` : sql.lit(comment)}`
  return freezeOp({ kind: 'execute', query: query.compile(compilerFor(ctx.dialect)) })
}
