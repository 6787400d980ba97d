import { isExpression, type RawBuilder, sql } from 'kysely'
import type { ColumnDataType } from '../column-types.js'
import { parseDataType } from '../column-types.js'
import { MissingTableDefinitionError, UnknownObjectError } from '../errors.js'
import type {
  AlterColumnOp,
  ColumnDef,
  DropConstraintOp,
  DropIndexOp,
  DropSchemaOp,
  ExistingColumn,
  Op,
  RenameTableOp,
} from '../ops.js'
import { displayName } from '../ops.js'
import * as common from './common.js'
import { columnSql, defaultSql, notSupported, plan, qualified } from './ddl.js'
import type { CompileContext, MappedType, OpPlan, SqlDialect, Unsupported } from './dialect.js'
import { introspectMysqlTable } from './mysql-introspect.js'
import { columnTypes } from './support.js'

const TYPE_NAMES: Readonly<Record<string, string>> = {
  timestamp: 'datetime',
  timestamptz: 'datetime',
  uuid: 'char(36)',
  jsonb: 'json',
  bytea: 'longblob',
}

function mapType(type: ColumnDataType): MappedType {
  if (type === 'serial') return { sql: 'integer', autoIncrement: true }
  if (type === 'bigserial') return { sql: 'bigint', autoIncrement: true }
  const { base, args } = parseDataType(type)
  return { sql: `${TYPE_NAMES[base] ?? base}${args}`, autoIncrement: false }
}

function unsupported(op: Op): Unsupported | undefined {
  if (columnTypes(op).includes('varchar')) {
    return { feature: 'varchar without a length', hint: "write 'varchar(255)' or 'text'" }
  }
  switch (op.kind) {
    case 'createEnum':
    case 'addEnumValue':
    case 'dropEnum':
      return { feature: 'named enum types', hint: "use a column type such as sql`enum('a', 'b')`" }
    case 'createIndex':
      if (op.where !== undefined) return { feature: 'partial indexes (createIndex where)' }
      if (op.concurrently) return { feature: 'createIndex concurrently' }
      return undefined
    case 'dropIndex':
      if (op.concurrently) return { feature: 'dropIndex concurrently' }
      if (op.table === undefined) return { feature: 'dropIndex without its table', hint: 'pass { table }' }
      return undefined
    case 'alterColumn':
      return op.changes.using === undefined ? undefined : { feature: 'alterColumn using' }
    case 'dropTable':
      return op.cascade ? { feature: 'dropTable cascade' } : undefined
    case 'dropSchema':
      return op.cascade
        ? undefined
        : {
            feature: 'dropping only an empty schema',
            hint: 'DROP SCHEMA drops every table in it; pass { cascade: true }',
          }
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

// MySQL keeps a table where it is unless the new name says otherwise: qualify it.
function renameTable(op: RenameTableOp, ctx: CompileContext): OpPlan {
  return plan(
    ctx,
    sql`alter table ${qualified(op.table)} rename to ${qualified({ ...op.table, name: op.newName })}`,
  )
}

// DROP SCHEMA always takes the contents with it here; `cascade: true` is the author's
// acknowledgement (checked in `unsupported`), not a keyword MySQL knows.
function dropSchema(op: DropSchemaOp, ctx: CompileContext): OpPlan {
  return plan(ctx, sql`drop schema ${op.ifExists ? sql`if exists ` : sql``}${sql.id(op.name)}`)
}

async function existingColumn(op: AlterColumnOp, ctx: CompileContext): Promise<ExistingColumn> {
  if (op.existing !== undefined) return op.existing
  const state = await ctx.catalog.describeTable(op.table)
  const column = state?.columns.find((c) => c.name === op.column)
  if (column !== undefined) return { ...column, nullable: column.nullable !== false }
  if (ctx.catalog.online || state !== undefined) {
    throw new UnknownObjectError(`column '${op.column}' of table '${displayName(op.table)}'`, { op: op.kind })
  }
  throw new MissingTableDefinitionError(
    displayName(op.table),
    `MySQL restates the whole column to change its type, nullability or comment; pass ` +
      `{ existing: { type, nullable, default, comment } } for column '${op.column}', or run online`,
    { op: op.kind },
  )
}

async function alterColumn(op: AlterColumnOp, ctx: CompileContext): Promise<OpPlan> {
  const { changes } = op
  const table = qualified(op.table)
  const restate =
    changes.type !== undefined ||
    changes.nullable !== undefined ||
    changes.comment !== undefined ||
    (changes.default !== undefined && changes.default !== null && isExpression(changes.default))
  if (!restate) {
    const statements: RawBuilder<unknown>[] = []
    const column = sql.id(op.column)
    if (changes.default === null)
      statements.push(sql`alter table ${table} alter column ${column} drop default`)
    else if (changes.default !== undefined) {
      statements.push(
        sql`alter table ${table} alter column ${column} set default ${defaultSql(changes.default, ctx.dialect)}`,
      )
    }
    if (changes.rename !== undefined) {
      statements.push(sql`alter table ${table} rename column ${column} to ${sql.id(changes.rename)}`)
    }
    return plan(ctx, ...statements)
  }
  const existing = await existingColumn(op, ctx)
  const next: ColumnDef = {
    name: changes.rename ?? op.column,
    type: changes.type ?? existing.type,
    nullable: changes.nullable ?? existing.nullable,
    default: changes.default === undefined ? existing.default : (changes.default ?? undefined),
    comment: changes.comment === undefined ? existing.comment : (changes.comment ?? undefined),
    autoIncrement: changes.type === undefined ? existing.autoIncrement : undefined,
  }
  const definition = columnSql(next, ctx.dialect, { bare: true })
  return plan(
    ctx,
    changes.rename === undefined
      ? sql`alter table ${table} modify column ${definition}`
      : sql`alter table ${table} change column ${sql.id(op.column)} ${definition}`,
  )
}

function dropIndex(op: DropIndexOp, ctx: CompileContext): OpPlan {
  const table = qualified(op.table ?? { name: '' })
  return plan(ctx, sql`drop index ${op.ifExists ? sql`if exists ` : sql``}${sql.id(op.name)} on ${table}`)
}

async function dropConstraint(op: DropConstraintOp, ctx: CompileContext): Promise<OpPlan> {
  let type = op.type
  if (type === undefined) {
    const state = await ctx.catalog.describeTable(op.table)
    type = state?.constraints.find((c) => c.name === op.name)?.type
    if (type === undefined && (ctx.catalog.online || state !== undefined)) {
      throw new UnknownObjectError(`constraint '${op.name}' on table '${displayName(op.table)}'`, {
        op: op.kind,
      })
    }
    if (type === undefined) {
      throw new MissingTableDefinitionError(
        displayName(op.table),
        `MySQL drops each kind of constraint differently; pass { type: 'unique' | 'foreignKey' | 'check' | 'primaryKey' }`,
        { op: op.kind },
      )
    }
  }
  const table = qualified(op.table)
  switch (type) {
    case 'primaryKey':
      return plan(ctx, sql`alter table ${table} drop primary key`)
    case 'foreignKey':
      return plan(ctx, sql`alter table ${table} drop foreign key ${sql.id(op.name)}`)
    case 'unique':
      return plan(ctx, sql`alter table ${table} drop index ${sql.id(op.name)}`)
    case 'check':
      return plan(ctx, sql`alter table ${table} drop constraint ${sql.id(op.name)}`)
  }
}

/** MySQL's drivers bind objects as `key = value` lists; send JSON text instead. */
function normalizeParameter(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array)
    return value
  return JSON.stringify(value)
}

/**
 * MySQL and MariaDB: DDL commits implicitly, schemas are databases, column changes restate the
 * whole column (MODIFY), constraints are dropped by kind. Identifiers are limited to 64 characters.
 */
export const mysqlDialect: SqlDialect = {
  flavour: 'mysql',
  identifierLimit: { max: 64, unit: 'characters', basicPlaneOnly: true },
  transactionalDdl: false,
  columnSyntax: {
    autoIncrementKeyword: 'auto_increment',
    primaryKeyAutoIncrement: false,
    inlineComment: true,
    inlineReferences: false,
    parenthesizeDefaultExpressions: true,
  },
  mapType,
  unsupported,
  introspectTable: introspectMysqlTable,
  normalizeParameter,
  compilers: {
    ...common.commonCompilers,
    renameTable,
    dropSchema,
    alterColumn,
    dropIndex,
    dropConstraint,
    createPrimaryKey: common.addConstraint,
    createUniqueConstraint: common.addConstraint,
    createForeignKey: common.addConstraint,
    createCheckConstraint: common.addConstraint,
    createEnum: notSupported('createEnum'),
    addEnumValue: notSupported('addEnumValue'),
    dropEnum: notSupported('dropEnum'),
    batchAlterTable: common.batchAsAlters,
  },
}
