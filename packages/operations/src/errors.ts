import { MigraphError } from '@migraph/graph'
import type { SqlFlavour } from './column-types.js'

/** Options shared by every {@link OperationError}. */
export interface OperationErrorOptions {
  /** The op's `kind` (`createTable`, `alterColumn`, …). */
  readonly op: string
  /** The revision that recorded the op; empty until the operations layer knows it. */
  readonly revision?: string | undefined
  readonly cause?: unknown
}

/**
 * Base class of every error raised by `op`. `code` is stable and machine readable; `op` and
 * `revision` say which call failed.
 *
 * @example
 * ```ts
 * try { await op.alterColumn('t', 'c', { using: 'c::int' }) }
 * catch (e) { if (e instanceof OperationError) console.error(e.code, e.op, e.revision) }
 * ```
 */
export class OperationError extends MigraphError {
  override readonly name: string = 'OperationError'
  readonly op: string
  readonly revision: string
  /** The message without the op/revision prefix, kept so `withRevision` can rebuild it. */
  readonly detail: string

  constructor(detail: string, options: OperationErrorOptions) {
    super('operation_error', formatMessage(detail, options.op, options.revision ?? ''), {
      cause: options.cause,
    })
    this.op = options.op
    this.revision = options.revision ?? ''
    this.detail = detail
  }

  /** A copy naming `revision`; errors raised below the `op` object do not know it yet. */
  withRevision(revision: string): OperationError {
    if (this.revision !== '') return this
    const copy = Object.create(Object.getPrototypeOf(this)) as OperationError
    const message = formatMessage(this.detail, this.op, revision)
    Object.assign(copy, this, { revision, message })
    const stack = this.stack?.replace(this.message, message)
    Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true })
    // `cause` is not enumerable, so `Object.assign` leaves it behind: the driver's error (its
    // SQLSTATE, say) must stay reachable from the copy.
    if ('cause' in this) {
      Object.defineProperty(copy, 'cause', { value: this.cause, writable: true, configurable: true })
    }
    return copy
  }
}

function formatMessage(detail: string, op: string, revision: string): string {
  return revision === '' ? `${op}: ${detail}` : `${op} in revision ${revision}: ${detail}`
}

/** The target database cannot do this op, or this option of it. Raised before any SQL of the op runs. */
export class UnsupportedOperationError extends OperationError {
  override readonly name: string = 'UnsupportedOperationError'
  override readonly code = 'unsupported_operation'
  readonly dialect: SqlFlavour
  /** What exactly is missing, e.g. `alterColumn.using`. */
  readonly feature: string

  constructor(feature: string, dialect: SqlFlavour, options: OperationErrorOptions & { hint?: string }) {
    const hint = options.hint === undefined ? '' : `; ${options.hint}`
    super(`${dialectLabel(dialect)} does not support ${feature}${hint}`, options)
    this.dialect = dialect
    this.feature = feature
  }
}

/** `op.db` was used while rendering SQL offline (`--sql`), where there is no connection. */
export class OfflineDatabaseAccessError extends OperationError {
  override readonly name: string = 'OfflineDatabaseAccessError'
  override readonly code = 'offline_database_access'

  constructor(options: OperationErrorOptions) {
    super(
      'op.db is not available when generating SQL offline (--sql); build queries with op.builder ' +
        'and pass them to op.execute(), or run this migration online',
      options,
    )
  }
}

/** A name is longer than the database allows (PostgreSQL 63 bytes, MySQL 64 characters). */
export class IdentifierTooLongError extends OperationError {
  override readonly name: string = 'IdentifierTooLongError'
  override readonly code = 'identifier_too_long'
  readonly identifier: string
  readonly limit: number
  readonly dialect: SqlFlavour

  constructor(
    identifier: string,
    limit: number,
    unit: string,
    dialect: SqlFlavour,
    options: OperationErrorOptions,
  ) {
    super(
      `identifier '${identifier}' is longer than the ${limit} ${unit} ${dialectLabel(dialect)} allows; ` +
        'choose a shorter name',
      options,
    )
    this.identifier = identifier
    this.limit = limit
    this.dialect = dialect
  }
}

/** An op was called with arguments of the wrong shape (caught at run time for untyped callers). */
export class InvalidOperationArgumentsError extends OperationError {
  override readonly name: string = 'InvalidOperationArgumentsError'
  override readonly code = 'invalid_operation_arguments'
  /** The argument at fault, e.g. `columns[1]` or `changes.nullable`. */
  readonly argument: string

  constructor(argument: string, problem: string, options: OperationErrorOptions) {
    super(`invalid argument ${argument}: ${problem}`, options)
    this.argument = argument
  }
}

/**
 * Offline, an op needs a table's current definition that nothing in this run described (SQLite
 * move-and-copy, MySQL MODIFY COLUMN). Pass it explicitly (`copyFrom`, `existing`) or run online.
 */
export class MissingTableDefinitionError extends OperationError {
  override readonly name: string = 'MissingTableDefinitionError'
  override readonly code = 'missing_table_definition'
  readonly table: string

  constructor(table: string, hint: string, options: OperationErrorOptions) {
    super(`the current definition of table '${table}' is not known offline; ${hint}`, options)
    this.table = table
  }
}

/** A table or column the op refers to does not exist in the database (seen by introspection). */
export class UnknownObjectError extends OperationError {
  override readonly name: string = 'UnknownObjectError'
  override readonly code = 'unknown_object'
  readonly object: string

  constructor(object: string, options: OperationErrorOptions) {
    super(`${object} does not exist`, options)
    this.object = object
  }
}

/** A statement failed in the database; carries the SQL text and the database's error as `cause`. */
export class StatementExecutionError extends OperationError {
  override readonly name: string = 'StatementExecutionError'
  override readonly code = 'statement_failed'
  readonly statement: string

  constructor(statement: string, options: OperationErrorOptions) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause)
    super(`${reason}\n  while running: ${statement}`, options)
    this.statement = statement
  }
}

function dialectLabel(dialect: SqlFlavour): string {
  switch (dialect) {
    case 'postgres':
      return 'PostgreSQL'
    case 'mysql':
      return 'MySQL/MariaDB'
    case 'sqlite':
      return 'SQLite'
  }
}
