import { CompiledQuery, isExpression, type RawBuilder, sql } from 'kysely'
import type { ColumnType } from '../column-types.js'
import { UnsupportedOperationError } from '../errors.js'
import { inlineParameters } from '../literals.js'
import type {
  ColumnDef,
  DefaultValue,
  IndexPart,
  QualifiedName,
  ReferenceSpec,
  TableConstraint,
} from '../ops.js'
import type { CompileContext, OpPlan, SqlDialect } from './dialect.js'

// Shared pieces of DDL. Names only ever reach SQL through sql.id (Kysely's identifier quoting)
// and values through sql.lit (Kysely's literal escaping for the dialect); sql.raw is kept for
// keywords and for SQL text the author wrote or the database itself returned.

/** `"schema"."name"` or `"name"`. */
export function qualified(name: QualifiedName): RawBuilder<unknown> {
  return name.schema === undefined ? sql.id(name.name) : sql.id(name.schema, name.name)
}

/** `"a", "b"`. */
export function idList(names: readonly string[]): RawBuilder<unknown> {
  return sql.join(names.map((n) => sql.id(n)))
}

/** The SQL of a column type for the dialect, and whether it implies auto-increment. */
export function typeSql(
  type: ColumnType,
  dialect: SqlDialect,
): { sql: RawBuilder<unknown>; autoIncrement: boolean } {
  if (isExpression(type)) return { sql: sql`${type}`, autoIncrement: false }
  const mapped = dialect.mapType(type)
  return { sql: sql.raw(mapped.sql), autoIncrement: mapped.autoIncrement }
}

/** A DEFAULT value: literals quoted by the dialect, expressions parenthesised where required. */
export function defaultSql(value: DefaultValue, dialect: SqlDialect): RawBuilder<unknown> {
  if (isExpression(value))
    return dialect.columnSyntax.parenthesizeDefaultExpressions ? sql`(${value})` : sql`${value}`
  if (value instanceof Date) {
    const iso = value.toISOString()
    return sql.lit(dialect.flavour === 'mysql' ? iso.replace('T', ' ').replace('Z', '') : iso)
  }
  return sql.lit(value)
}

/** `references "t" ("c") [on delete …] [on update …]`. */
export function referencesSql(ref: ReferenceSpec): RawBuilder<unknown> {
  const parts = [sql`references ${qualified(ref.table)} (${idList(ref.columns)})`]
  if (ref.onDelete !== undefined) parts.push(sql`on delete ${sql.raw(ref.onDelete)}`)
  if (ref.onUpdate !== undefined) parts.push(sql`on update ${sql.raw(ref.onUpdate)}`)
  return sql.join(parts, sql` `)
}

/** Options for one column definition. */
export interface ColumnSqlOptions {
  /** Leave out key, unique, references and check (MySQL MODIFY restates only the column). */
  readonly bare?: boolean
}

/** `"name" type [not null] [default …] [auto_increment] [unique] [primary key] [comment] [references] [check]`. */
export function columnSql(
  column: ColumnDef,
  dialect: SqlDialect,
  options: ColumnSqlOptions = {},
): RawBuilder<unknown> {
  const syntax = dialect.columnSyntax
  const type = typeSql(column.type, dialect)
  const parts: RawBuilder<unknown>[] = [sql.id(column.name), type.sql]
  const bare = options.bare === true
  if (column.nullable === false || column.primaryKey === true) parts.push(sql`not null`)
  if (column.default !== undefined) parts.push(sql`default ${defaultSql(column.default, dialect)}`)
  const autoIncrement = type.autoIncrement || column.autoIncrement === true
  if (autoIncrement && syntax.autoIncrementKeyword !== undefined)
    parts.push(sql.raw(syntax.autoIncrementKeyword))
  if (!bare && column.unique === true) parts.push(sql`unique`)
  if (!bare && column.primaryKey === true) {
    parts.push(
      autoIncrement && syntax.primaryKeyAutoIncrement ? sql`primary key autoincrement` : sql`primary key`,
    )
  }
  if (syntax.inlineComment && column.comment !== undefined)
    parts.push(sql`comment ${sql.lit(column.comment)}`)
  if (!bare && syntax.inlineReferences && column.references !== undefined) {
    parts.push(referencesSql(column.references))
  }
  if (!bare && column.check !== undefined) parts.push(sql`check (${column.check})`)
  return sql.join(parts, sql` `)
}

/** Column-level references the dialect ignores, restated as table-level foreign keys. */
export function hoistedReferences(columns: readonly ColumnDef[], dialect: SqlDialect): TableConstraint[] {
  if (dialect.columnSyntax.inlineReferences) return []
  return columns.flatMap((c) =>
    c.references === undefined
      ? []
      : [{ type: 'foreignKey' as const, columns: [c.name], references: c.references }],
  )
}

/** `[constraint "name"] primary key (…)` and friends. */
export function constraintSql(constraint: TableConstraint): RawBuilder<unknown> {
  const name = constraint.name === undefined ? sql`` : sql`constraint ${sql.id(constraint.name)} `
  switch (constraint.type) {
    case 'primaryKey':
      return sql`${name}primary key (${idList(constraint.columns)})`
    case 'unique':
      return sql`${name}unique (${idList(constraint.columns)})`
    case 'foreignKey':
      return sql`${name}foreign key (${idList(constraint.columns)}) ${referencesSql(constraint.references)}`
    case 'check':
      return sql`${name}check (${constraint.expression})`
  }
}

/** The key parts of an index: quoted columns and parenthesised expressions. */
export function indexPartsSql(parts: readonly IndexPart[], expressionWrap: boolean): RawBuilder<unknown> {
  return sql.join(
    parts.map((p) =>
      'column' in p ? sql.id(p.column) : expressionWrap ? sql`(${p.expression})` : sql`${p.expression}`,
    ),
  )
}

/**
 * Compiles DDL for the dialect. Parameters are inlined as literals because DDL cannot take
 * bound parameters (a `${value}` inside a check or a default would otherwise be `$1`).
 */
export function ddl(ctx: CompileContext, statement: RawBuilder<unknown>): CompiledQuery {
  const compiled = statement.compile(ctx.kysely)
  return compiled.parameters.length === 0
    ? compiled
    : CompiledQuery.raw(inlineParameters(compiled, ctx.dialect.flavour))
}

/** A plan of DDL statements. */
export function plan(ctx: CompileContext, ...statements: RawBuilder<unknown>[]): OpPlan {
  return { statements: statements.map((s) => ddl(ctx, s)) }
}

/** A compiler for an op kind the dialect cannot do at all; `unsupported()` stops it earlier. */
export function notSupported(feature: string) {
  return (_op: unknown, ctx: CompileContext): never => {
    throw new UnsupportedOperationError(feature, ctx.dialect.flavour, { op: feature })
  }
}
