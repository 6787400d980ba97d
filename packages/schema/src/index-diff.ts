import { type Op, sql } from '@migraph/operations'
import type { RawBuilder } from 'kysely'
import type { IndexModel, TableModel } from './model.js'
import { indexDefinition, isPlainIndex, tableName } from './op-data.js'
import { compilerFor, freezeOp, type PlanContext } from './plan-context.js'

// The ops that create an index of the model.

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
