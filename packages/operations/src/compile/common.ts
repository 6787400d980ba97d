import { type CompiledQuery, type RawBuilder, sql } from 'kysely'
import type { Catalog } from '../catalog.js'
import type {
  AddColumnOp,
  BatchAlterTableOp,
  BulkInsertOp,
  CreateCheckConstraintOp,
  CreateForeignKeyOp,
  CreateIndexOp,
  CreatePrimaryKeyOp,
  CreateSchemaOp,
  CreateTableOp,
  CreateUniqueConstraintOp,
  CreateViewOp,
  DropColumnOp,
  DropSchemaOp,
  DropTableOp,
  DropViewOp,
  ExecuteOp,
  IndexDefinition,
  Op,
  QualifiedName,
  RenameTableOp,
} from '../ops.js'
import { applyBatchOp, normalizeTable, sameTable } from '../table-model.js'
import { columnSql, constraintSql, hoistedReferences, idList, indexPartsSql, plan, qualified } from './ddl.js'
import type { CompileContext, OpPlan } from './dialect.js'

// Compilers whose SQL is the same on every dialect that can run them; the differences they do
// have come from the dialect object (column syntax, type names).

const when = (condition: boolean, fragment: RawBuilder<unknown>) => (condition ? fragment : sql``)

/** `createTable` as every dialect that has it writes it. */
export function createTable(op: CreateTableOp, ctx: CompileContext): OpPlan {
  const items = [
    ...op.columns.map((c) => columnSql(c, ctx.dialect)),
    ...op.constraints.map(constraintSql),
    ...hoistedReferences(op.columns, ctx.dialect).map(constraintSql),
  ]
  const create = sql`create table ${when(op.ifNotExists, sql`if not exists `)}${qualified(op.table)} (${sql.join(items)})`
  return plan(
    ctx,
    create,
    ...(op.indexes ?? []).map((index) => indexSql({ ...index, table: op.table }, false, op.ifNotExists)),
  )
}

/** `dropTable` as every dialect that has it writes it. */
export function dropTable(op: DropTableOp, ctx: CompileContext): OpPlan {
  return plan(
    ctx,
    sql`drop table ${when(op.ifExists, sql`if exists `)}${qualified(op.table)}${when(op.cascade, sql` cascade`)}`,
  )
}

/** `renameTable` as every dialect that has it writes it. */
export function renameTable(op: RenameTableOp, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`alter table ${qualified(op.table)} rename to ${sql.id(op.newName)}`)
}

/** `addColumn` as every dialect that has it writes it. */
export function addColumn(op: AddColumnOp, ctx: CompileContext): OpPlan {
  const clauses = [
    sql`add column ${columnSql(op.column, ctx.dialect)}`,
    ...hoistedReferences([op.column], ctx.dialect).map((c) => sql`add ${constraintSql(c)}`),
  ]
  return plan(ctx, sql`alter table ${qualified(op.table)} ${sql.join(clauses)}`)
}

/** `dropColumn` as every dialect that has it writes it. */
export function dropColumn(op: DropColumnOp, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`alter table ${qualified(op.table)} drop column ${sql.id(op.column)}`)
}

/** `create [unique] index [concurrently] [if not exists] "name" on … (…) [where …]`. */
export function createIndex(op: CreateIndexOp, ctx: CompileContext): OpPlan {
  return plan(ctx, indexSql(op, op.concurrently, op.ifNotExists))
}

function indexSql(
  index: IndexDefinition & { table: QualifiedName },
  concurrently: boolean,
  ifNotExists: boolean,
) {
  const head = sql`create ${when(index.unique, sql`unique `)}index ${when(concurrently, sql`concurrently `)}`
  const where = index.where === undefined ? sql`` : sql` where ${index.where}`
  const on = sql`${sql.id(index.name)} on ${qualified(index.table)} (${indexPartsSql(index.parts, true)})`
  return sql`${head}${when(ifNotExists, sql`if not exists `)}${on}${where}`
}

type AddConstraintOp =
  | CreatePrimaryKeyOp
  | CreateUniqueConstraintOp
  | CreateForeignKeyOp
  | CreateCheckConstraintOp

/** `alter table … add constraint "name" …`, for dialects with ALTER TABLE ADD CONSTRAINT. */
export function addConstraint(op: AddConstraintOp, ctx: CompileContext): OpPlan {
  const constraint = (() => {
    switch (op.kind) {
      case 'createPrimaryKey':
        return constraintSql({ type: 'primaryKey', name: op.name, columns: op.columns })
      case 'createUniqueConstraint':
        return constraintSql({ type: 'unique', name: op.name, columns: op.columns })
      case 'createForeignKey':
        return constraintSql({
          type: 'foreignKey',
          name: op.name,
          columns: op.columns,
          references: op.references,
        })
      case 'createCheckConstraint':
        return constraintSql({ type: 'check', name: op.name, expression: op.expression })
    }
  })()
  return plan(ctx, sql`alter table ${qualified(op.table)} add ${constraint}`)
}

/** `createSchema` as every dialect that has it writes it. */
export function createSchema(op: CreateSchemaOp, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`create schema ${when(op.ifNotExists, sql`if not exists `)}${sql.id(op.name)}`)
}

/** `dropSchema` as every dialect that has it writes it. */
export function dropSchema(op: DropSchemaOp, ctx: CompileContext): OpPlan {
  return plan(
    ctx,
    sql`drop schema ${when(op.ifExists, sql`if exists `)}${sql.id(op.name)}${when(op.cascade, sql` cascade`)}`,
  )
}

/** `createView` as every dialect that has it writes it. */
export function createView(op: CreateViewOp, ctx: CompileContext): OpPlan {
  const columns = op.columns === undefined ? sql`` : sql` (${idList(op.columns)})`
  // The query is the author's SQL (already compiled, parameters inlined), not a name.
  return plan(
    ctx,
    sql`create ${when(op.orReplace, sql`or replace `)}view ${qualified(op.name)}${columns} as ${sql.raw(op.query)}`,
  )
}

/** `dropView` as every dialect that has it writes it. */
export function dropView(op: DropViewOp, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`drop view ${when(op.ifExists, sql`if exists `)}${qualified(op.name)}`)
}

/** Runs the author's statement as compiled. */
export function execute(op: ExecuteOp): OpPlan {
  return { statements: [op.query] }
}

// Stay well under every driver's bound-parameter limit (SQLite: 32766, PostgreSQL/MySQL: 65535).
const MAX_PARAMETERS = 10_000

/** INSERTs in batches, rows with the same columns together, parameters bound. */
export function bulkInsert(op: BulkInsertOp, ctx: CompileContext): OpPlan {
  const statements: CompiledQuery[] = []
  // Rows with the same columns share one INSERT; SQLite has no DEFAULT keyword to fill gaps.
  const groups = new Map<string, { columns: string[]; rows: Readonly<Record<string, unknown>>[] }>()
  for (const row of op.rows) {
    const columns = Object.keys(row).sort()
    const key = JSON.stringify(columns)
    const group = groups.get(key) ?? { columns, rows: [] }
    group.rows.push(row)
    groups.set(key, group)
  }
  for (const { columns, rows } of groups.values()) {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)))
    for (let start = 0; start < rows.length; start += perStatement) {
      const values = rows
        .slice(start, start + perStatement)
        .map((row) => sql`(${sql.join(columns.map((c) => sql`${ctx.dialect.normalizeParameter(row[c])}`))})`)
      const insert = sql`insert into ${qualified(op.table)} (${idList(columns)}) values ${sql.join(values)}`
      statements.push(insert.compile(ctx.kysely))
    }
  }
  return { statements }
}

/** Batch mode where ALTER TABLE can do everything: each op in turn. */
export async function batchAsAlters(op: BatchAlterTableOp, ctx: CompileContext): Promise<OpPlan> {
  const statements: CompiledQuery[] = []
  // `copyFrom` describes the table for ops that restate it (MySQL MODIFY), as it evolves.
  let state = op.copyFrom === undefined ? undefined : normalizeTable(op.copyFrom)
  const catalog: Catalog = {
    online: ctx.catalog.online,
    describeTable: async (table) =>
      state !== undefined && sameTable(table, op.table) ? state : ctx.catalog.describeTable(table),
  }
  for (const batchOp of op.ops) {
    const single = { ...batchOp, table: op.table } as Op
    const result = await compileOp(single, { ...ctx, catalog })
    statements.push(...result.statements)
    if (state !== undefined) state = applyBatchOp(state, batchOp)
  }
  return { statements }
}

/** Dispatches an op to its dialect's compiler. */
export function compileOp(op: Op, ctx: CompileContext): OpPlan | Promise<OpPlan> {
  // The table pairs each kind with its compiler; TypeScript cannot correlate the two here.
  const compiler = ctx.dialect.compilers[op.kind] as (op: Op, ctx: CompileContext) => OpPlan | Promise<OpPlan>
  return compiler(op, ctx)
}

/** The compilers most dialects share as they are. */
export const commonCompilers = {
  createTable,
  dropTable,
  renameTable,
  addColumn,
  dropColumn,
  createIndex,
  createSchema,
  dropSchema,
  createView,
  dropView,
  execute,
  bulkInsert,
} as const
