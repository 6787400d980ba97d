import { isExpression, sql } from 'kysely'
import { type ColumnType, isColumnDataType } from './column-types.js'
import { InvalidOperationArgumentsError } from './errors.js'
import type { ConstraintType, DefaultValue, QualifiedName, ReferentialAction, SqlExpression } from './ops.js'

// Run-time checks for callers without types (plain JS revisions, `any`): each failure names the op
// and the argument, so the author sees what to fix before any SQL runs.

/** Throws InvalidOperationArgumentsError for `argument` of `op`. */
export function invalidArgument(op: string, argument: string, problem: string): never {
  throw new InvalidOperationArgumentsError(argument, problem, { op })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string '${value}'`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/** A non-empty string (a name). */
export function checkName(op: string, argument: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    invalidArgument(op, argument, `expected a non-empty string, got ${describe(value)}`)
  }
  return value
}

/** A name, or undefined when absent. */
export function checkOptionalName(op: string, argument: string, value: unknown): string | undefined {
  return value === undefined ? undefined : checkName(op, argument, value)
}

/** A table name: `'t'` or `{ schema, name }`. */
export function checkTable(op: string, argument: string, value: unknown): QualifiedName {
  if (typeof value === 'string') return Object.freeze({ name: checkName(op, argument, value) })
  if (isPlainObject(value)) {
    const name = checkName(op, `${argument}.name`, value.name)
    const schema = checkOptionalName(op, `${argument}.schema`, value.schema)
    return Object.freeze(schema === undefined ? { name } : { schema, name })
  }
  return invalidArgument(op, argument, `expected a table name or { schema, name }, got ${describe(value)}`)
}

/** A non-empty array of column names. */
export function checkColumns(op: string, argument: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    invalidArgument(op, argument, `expected a non-empty array of column names, got ${describe(value)}`)
  }
  return Object.freeze(value.map((column, i) => checkName(op, `${argument}[${i}]`, column)))
}

/** SQL the author wrote: text or a Kysely expression. */
export function checkExpression(op: string, argument: string, value: unknown): SqlExpression {
  // A string here is SQL the author wrote (a condition), never a name we build SQL from.
  if (typeof value === 'string' && value.trim() !== '') return sql.raw(value)
  if (isExpression(value)) return value
  return invalidArgument(op, argument, `expected SQL (a string or sql\`...\`), got ${describe(value)}`)
}

/** A portable type name or raw SQL type. */
export function checkColumnType(op: string, argument: string, value: unknown): ColumnType {
  if (typeof value === 'string' && isColumnDataType(value)) return value
  if (isExpression(value)) return value
  return invalidArgument(
    op,
    argument,
    `expected a column type such as 'integer', 'varchar(255)' or sql\`citext\`, got ${describe(value)}`,
  )
}

/** A literal or SQL default value. */
export function checkDefault(op: string, argument: string, value: unknown): DefaultValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value
    case 'number':
      if (Number.isFinite(value)) return value
      break
    case 'object':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value
      if (isExpression(value)) return value
  }
  return invalidArgument(
    op,
    argument,
    `expected a string, number, boolean, Date or sql\`...\`, got ${describe(value)}`,
  )
}

const ACTIONS: readonly string[] = ['cascade', 'set null', 'set default', 'restrict', 'no action']

/** A referential action, or undefined. */
export function checkAction(op: string, argument: string, value: unknown): ReferentialAction | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && ACTIONS.includes(value)) return value as ReferentialAction
  return invalidArgument(
    op,
    argument,
    `expected one of ${ACTIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`,
  )
}

const CONSTRAINT_TYPES: readonly string[] = ['primaryKey', 'unique', 'foreignKey', 'check']

/** A constraint kind, or undefined. */
export function checkConstraintType(
  op: string,
  argument: string,
  value: unknown,
): ConstraintType | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && CONSTRAINT_TYPES.includes(value)) return value as ConstraintType
  return invalidArgument(
    op,
    argument,
    `expected one of ${CONSTRAINT_TYPES.join(', ')}, got ${describe(value)}`,
  )
}

/** A boolean option; absent means false. */
export function checkBoolean(op: string, argument: string, value: unknown): boolean {
  if (value === undefined) return false
  if (typeof value === 'boolean') return value
  return invalidArgument(op, argument, `expected true or false, got ${describe(value)}`)
}

/** A boolean, or undefined when absent. */
export function checkOptionalBoolean(op: string, argument: string, value: unknown): boolean | undefined {
  return value === undefined ? undefined : checkBoolean(op, argument, value)
}

/** An options object; absent means empty. */
export function checkOptions(
  op: string,
  argument: string,
  value: unknown,
): Readonly<Record<string, unknown>> {
  if (value === undefined) return {}
  if (isPlainObject(value)) return value
  return invalidArgument(op, argument, `expected an options object, got ${describe(value)}`)
}

/** A callback. */
export function checkFunction(op: string, argument: string, value: unknown): (arg: never) => unknown {
  if (typeof value === 'function') return value as (arg: never) => unknown
  return invalidArgument(op, argument, `expected a function, got ${describe(value)}`)
}

/** True for `{ ... }` literals (not arrays, class instances or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Freezes plain objects and arrays all the way down; Kysely nodes are already immutable. */
export function deepFreeze<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item)
    return Object.freeze(value)
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) deepFreeze(value[key])
    return Object.freeze(value)
  }
  return value
}
