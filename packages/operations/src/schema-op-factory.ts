import type { AddEnumValueOp, CreateEnumOp, CreateSchemaOp, DropEnumOp, DropSchemaOp } from './ops.js'
import {
  checkBoolean,
  checkColumns,
  checkName,
  checkOptionalName,
  checkOptions,
  checkTable,
  deepFreeze,
  invalidArgument,
} from './validate.js'

// The ops on schemas and PostgreSQL enum types: argument checks, then frozen op data.

/** Checks the arguments of `op.createSchema` and returns its frozen op. */
export function createSchemaOp(name: unknown, options: unknown): CreateSchemaOp {
  const k = 'createSchema'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    name: checkName(k, 'name', name),
    ifNotExists: checkBoolean(k, 'options.ifNotExists', opts.ifNotExists),
  })
}

/** Checks the arguments of `op.dropSchema` and returns its frozen op. */
export function dropSchemaOp(name: unknown, options: unknown): DropSchemaOp {
  const k = 'dropSchema'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    name: checkName(k, 'name', name),
    ifExists: checkBoolean(k, 'options.ifExists', opts.ifExists),
    cascade: checkBoolean(k, 'options.cascade', opts.cascade),
  })
}

/** Checks the arguments of `op.createEnum` and returns its frozen op. */
export function createEnumOp(name: unknown, values: unknown): CreateEnumOp {
  const k = 'createEnum'
  return deepFreeze({ kind: k, name: checkTable(k, 'name', name), values: checkColumns(k, 'values', values) })
}

/** Checks the arguments of `op.addEnumValue` and returns its frozen op. */
export function addEnumValueOp(name: unknown, value: unknown, options: unknown): AddEnumValueOp {
  const k = 'addEnumValue'
  const opts = checkOptions(k, 'options', options)
  if (opts.before !== undefined && opts.after !== undefined)
    invalidArgument(k, 'options', 'give before or after, not both')
  return deepFreeze({
    kind: k,
    name: checkTable(k, 'name', name),
    value: checkName(k, 'value', value),
    before: checkOptionalName(k, 'options.before', opts.before),
    after: checkOptionalName(k, 'options.after', opts.after),
    ifNotExists: checkBoolean(k, 'options.ifNotExists', opts.ifNotExists),
  })
}

/** Checks the arguments of `op.dropEnum` and returns its frozen op. */
export function dropEnumOp(name: unknown, options: unknown): DropEnumOp {
  const k = 'dropEnum'
  const opts = checkOptions(k, 'options', options)
  return deepFreeze({
    kind: k,
    name: checkTable(k, 'name', name),
    ifExists: checkBoolean(k, 'options.ifExists', opts.ifExists),
  })
}
