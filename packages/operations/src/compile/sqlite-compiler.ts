import { type CompiledQuery, type Kysely, sql } from 'kysely'
import type { ColumnDataType } from '../column-types.js'
import { UnsupportedOperationError } from '../errors.js'
import type { AlterColumnOp, AnySchema, BatchOp, DropIndexOp, Op, OpOfKind } from '../ops.js'
import * as common from './common.js'
import { notSupported } from './ddl.js'
import type { CompileContext, MappedType, OpPlan, SqlDialect, Unsupported } from './dialect.js'
import { sqliteBatchAlterTable, sqliteDropIndex } from './sqlite-batch.js'
import { introspectSqliteTable, sqliteReferencingTables } from './sqlite-introspect.js'
import { qualifiedNames, setsComment } from './support.js'

function mapType(type: ColumnDataType): MappedType {
  // Only a column declared exactly INTEGER PRIMARY KEY becomes the auto-assigned rowid.
  return { sql: type === 'serial' || type === 'bigserial' ? 'integer' : type, autoIncrement: false }
}

function unsupported(op: Op): Unsupported | undefined {
  if (qualifiedNames(op).some((n) => n.schema !== undefined)) {
    return { feature: 'schema-qualified names', hint: 'SQLite has no schemas; use plain table names' }
  }
  if (setsComment(op)) return { feature: 'column comments' }
  switch (op.kind) {
    case 'createSchema':
    case 'dropSchema':
      return { feature: op.kind, hint: 'SQLite has no schemas' }
    case 'createEnum':
    case 'addEnumValue':
    case 'dropEnum':
      return {
        feature: 'named enum types',
        hint: "use a text column with a check such as c.check(sql`x in ('a', 'b')`)",
      }
    case 'alterColumn':
      return op.changes.using === undefined ? undefined : { feature: 'alterColumn using' }
    case 'createIndex':
      return op.concurrently ? { feature: 'createIndex concurrently' } : undefined
    case 'dropIndex':
      return op.concurrently ? { feature: 'dropIndex concurrently' } : undefined
    case 'dropTable':
      return op.cascade ? { feature: 'dropTable cascade' } : undefined
    case 'createView':
      return op.orReplace ? { feature: 'createView orReplace', hint: 'drop the view first' } : undefined
    case 'batchAlterTable':
      for (const batchOp of op.ops) {
        const found = unsupported({ ...batchOp, table: op.table } as Op)
        if (found !== undefined) return found
      }
      return undefined
    default:
      return undefined
  }
}

type SingleTableOp = OpOfKind<
  | 'addColumn'
  | 'dropColumn'
  | 'alterColumn'
  | 'createPrimaryKey'
  | 'createUniqueConstraint'
  | 'createForeignKey'
  | 'createCheckConstraint'
  | 'dropConstraint'
>

/** A single op that SQLite may have to run as move-and-copy: a batch of one, as Alembic does. */
function asBatch(op: SingleTableOp, ctx: CompileContext): Promise<OpPlan> {
  const { table, ...batchOp } = op
  return sqliteBatchAlterTable(
    { kind: 'batchAlterTable', table, ops: [batchOp as BatchOp], recreate: 'auto' },
    ctx,
  )
}

function alterColumn(op: AlterColumnOp, ctx: CompileContext): Promise<OpPlan> {
  return asBatch(op, ctx)
}

function dropIndex(op: DropIndexOp, ctx: CompileContext): OpPlan {
  return sqliteDropIndex(op, ctx)
}

function normalizeParameter(value: unknown): unknown {
  // better-sqlite3 binds only numbers, strings, bigints, buffers and null.
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value)
  if (value !== null && typeof value === 'object') return JSON.stringify(value)
  return value
}

async function runPlan(
  opPlan: OpPlan,
  db: Kysely<AnySchema>,
  execute: (query: CompiledQuery) => Promise<void>,
): Promise<void> {
  const table = opPlan.rebuildsReferencedTable
  const runAll = async () => {
    for (const statement of opPlan.statements) await execute(statement)
  }
  if (table === undefined || !(await foreignKeysOn(db))) return runAll()
  if ((await sqliteReferencingTables(db, table.name)).length === 0) return runAll()
  // Dropping a referenced table with enforcement on would cascade or fail; SQLite only lets us
  // switch enforcement off outside a transaction.
  await sql`pragma foreign_keys = off`.execute(db)
  try {
    if (await foreignKeysOn(db)) {
      throw new UnsupportedOperationError(
        `rebuilding table '${table.name}', which foreign keys reference, inside a transaction with foreign keys enforced`,
        'sqlite',
        {
          op: 'batchAlterTable',
          hint: 'SQLite cannot turn enforcement off inside a transaction; run this revision with export const transactional = false',
        },
      )
    }
    await sql`savepoint mig_rebuild`.execute(db)
    try {
      await runAll()
      const violations = await sql`select * from pragma_foreign_key_check`.execute(db)
      if (violations.rows.length > 0) {
        throw new UnsupportedOperationError(
          `rebuilding table '${table.name}' would break foreign keys`,
          'sqlite',
          {
            op: 'batchAlterTable',
          },
        )
      }
      await sql`release mig_rebuild`.execute(db)
    } catch (error) {
      await sql`rollback to mig_rebuild`.execute(db)
      await sql`release mig_rebuild`.execute(db)
      throw error
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db)
  }
}

async function foreignKeysOn(db: Kysely<AnySchema>): Promise<boolean> {
  const result = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)
  return result.rows[0]?.foreign_keys === 1
}

/**
 * SQLite: transactional DDL, no schemas, comments or enum types; what ALTER TABLE cannot do
 * runs as Alembic's batch "move and copy". No practical identifier length limit.
 */
export const sqliteDialect: SqlDialect = {
  flavour: 'sqlite',
  identifierLimit: undefined,
  transactionalDdl: true,
  columnSyntax: {
    autoIncrementKeyword: undefined,
    primaryKeyAutoIncrement: true,
    inlineComment: false,
    inlineReferences: true,
    parenthesizeDefaultExpressions: true,
  },
  mapType,
  unsupported,
  introspectTable: introspectSqliteTable,
  normalizeParameter,
  compilers: {
    ...common.commonCompilers,
    addColumn: asBatch,
    dropColumn: asBatch,
    alterColumn,
    dropIndex,
    createPrimaryKey: asBatch,
    createUniqueConstraint: asBatch,
    createForeignKey: asBatch,
    createCheckConstraint: asBatch,
    dropConstraint: asBatch,
    createEnum: notSupported('createEnum'),
    addEnumValue: notSupported('addEnumValue'),
    dropEnum: notSupported('dropEnum'),
    createSchema: notSupported('createSchema'),
    dropSchema: notSupported('dropSchema'),
    batchAlterTable: sqliteBatchAlterTable,
  },
  runPlan,
}
