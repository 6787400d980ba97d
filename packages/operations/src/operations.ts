import type { Compilable, Kysely } from 'kysely'
import type {
  AlterColumnOptions,
  BatchCallback,
  CreateIndexOptions,
  DropConstraintOptions,
  DropIndexOptions,
} from './batch-builder.js'
import { BatchBuilder } from './batch-builder.js'
import type { ColumnCallback, ReferenceOptions, TableCallback } from './builders.js'
import { buildTable } from './builders.js'
import type { ColumnType, SqlFlavour } from './column-types.js'
import { dialectFor } from './compile/dialects.js'
import { compilerKysely } from './compiler-kysely.js'
import { OfflineDatabaseAccessError, OperationError, UnsupportedOperationError } from './errors.js'
import { checkIdentifierLengths } from './identifiers.js'
import * as make from './op-factory.js'
import type { AnySchema, BatchRecreate, Op, SqlExpression, TableRef } from './ops.js'
import type { OpSink } from './sinks.js'
import { checkFunction, checkOptions, checkTable, deepFreeze, invalidArgument } from './validate.js'

/**
 * The `op` object a revision's `upgrade(op)` and `downgrade(op)` receive. Every method records
 * one op, checks it for the target database, and runs it (online) or writes its SQL (`--sql`).
 * Always `await` each call.
 *
 * @example
 * ```ts
 * import type { Operations } from 'migraph'
 *
 * export async function upgrade(op: Operations): Promise<void> {
 *   await op.createTable('account', (t) =>
 *     t.addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('email', 'text', (c) => c.notNull().unique()),
 *   )
 *   await op.createIndex('account_email_lower', 'account', [sql`lower(email)`])
 * }
 * ```
 */
export interface Operations {
  /** The SQL dialect this revision runs against. */
  readonly dialect: SqlFlavour
  /** Kysely on the migration's connection, for data migrations. Throws OfflineDatabaseAccessError under `--sql`. */
  readonly db: Kysely<AnySchema>
  /** A compile-only Kysely of the dialect: build queries for `execute` that also work under `--sql`. */
  readonly builder: Kysely<AnySchema>

  /** `CREATE TABLE`, with columns, constraints and indexes from the callback. */
  createTable(
    table: TableRef,
    build: TableCallback,
    options?: { readonly ifNotExists?: boolean },
  ): Promise<void>
  /** `DROP TABLE`. `cascade` is PostgreSQL only. */
  dropTable(
    table: TableRef,
    options?: { readonly ifExists?: boolean; readonly cascade?: boolean },
  ): Promise<void>
  /** Renames a table (it stays in its schema). */
  renameTable(table: TableRef, newName: string): Promise<void>
  /** Adds a column. On SQLite a key or unique column rebuilds the table. */
  addColumn(table: TableRef, column: string, type: ColumnType, build?: ColumnCallback): Promise<void>
  /** Drops a column. On SQLite a column in a key, index or constraint rebuilds the table. */
  dropColumn(table: TableRef, column: string): Promise<void>
  /**
   * Changes a column's type (with `using` on PostgreSQL), nullability, default, name or comment.
   * On SQLite anything but a rename rebuilds the table (batch "move and copy").
   *
   * @example
   * ```ts
   * await op.alterColumn('invoice', 'amount', { type: 'numeric(12, 2)', using: sql`amount::numeric(12, 2)` })
   * ```
   */
  alterColumn(table: TableRef, column: string, changes: AlterColumnOptions): Promise<void>
  /** `CREATE INDEX` on columns and/or expressions. */
  createIndex(
    name: string,
    table: TableRef,
    columns: string | SqlExpression | readonly (string | SqlExpression)[],
    options?: CreateIndexOptions,
  ): Promise<void>
  /** `DROP INDEX` (MySQL needs `{ table }`). */
  dropIndex(name: string, options?: DropIndexOptions): Promise<void>
  /** Adds a primary key (SQLite: rebuilds the table). */
  createPrimaryKey(name: string, table: TableRef, columns: readonly string[]): Promise<void>
  /** Adds a unique constraint (SQLite: rebuilds the table). */
  createUniqueConstraint(name: string, table: TableRef, columns: readonly string[]): Promise<void>
  /** Adds a foreign key (SQLite: rebuilds the table). */
  createForeignKey(
    name: string,
    table: TableRef,
    columns: readonly string[],
    referencedTable: TableRef,
    referencedColumns: readonly string[],
    options?: ReferenceOptions,
  ): Promise<void>
  /** Adds a CHECK constraint (SQLite: rebuilds the table). */
  createCheckConstraint(name: string, table: TableRef, condition: SqlExpression | string): Promise<void>
  /** Drops a named constraint (SQLite: rebuilds the table; MySQL offline: give `type`). */
  dropConstraint(name: string, table: TableRef, options?: DropConstraintOptions): Promise<void>
  /** `CREATE SCHEMA` (PostgreSQL; a database on MySQL). */
  createSchema(name: string, options?: { readonly ifNotExists?: boolean }): Promise<void>
  /** `DROP SCHEMA` (MySQL requires `cascade: true`, since it always drops the contents). */
  dropSchema(
    name: string,
    options?: { readonly ifExists?: boolean; readonly cascade?: boolean },
  ): Promise<void>
  /** PostgreSQL `CREATE TYPE … AS ENUM`. */
  createEnum(name: TableRef, values: readonly string[]): Promise<void>
  /** PostgreSQL `ALTER TYPE … ADD VALUE`. */
  addEnumValue(
    name: TableRef,
    value: string,
    options?: { readonly before?: string; readonly after?: string; readonly ifNotExists?: boolean },
  ): Promise<void>
  /** PostgreSQL `DROP TYPE`. */
  dropEnum(name: TableRef, options?: { readonly ifExists?: boolean }): Promise<void>
  /** `CREATE VIEW … AS <query>`; the query may be SQL text, `sql\`…\`` or a Kysely query. */
  createView(
    name: TableRef,
    query: string | SqlExpression | Compilable,
    options?: { readonly orReplace?: boolean; readonly columns?: readonly string[] },
  ): Promise<void>
  /** `DROP VIEW`. */
  dropView(name: TableRef, options?: { readonly ifExists?: boolean }): Promise<void>
  /** Runs SQL text, `sql\`…\`` or a Kysely query (parameters inlined as literals under `--sql`). */
  execute(statement: string | SqlExpression | Compilable): Promise<void>
  /** Inserts rows; values are bound online and written as escaped literals under `--sql`. */
  bulkInsert(table: TableRef, rows: readonly Readonly<Record<string, unknown>>[]): Promise<void>
  /**
   * Several changes to one table. On SQLite what ALTER TABLE cannot do runs as one "move and
   * copy" (new table, copy rows, drop, rename, re-create indexes); elsewhere as ALTER statements.
   * Offline, SQLite needs the table's current shape: created earlier in the same run, or `copyFrom`.
   *
   * @example
   * ```ts
   * await op.batchAlterTable('account', (batch) =>
   *   batch.alterColumn('email', { type: 'varchar(320)', nullable: false }).dropColumn('legacy'),
   * )
   * ```
   */
  batchAlterTable(
    table: TableRef,
    build: BatchCallback,
    options?: { readonly recreate?: BatchRecreate; readonly copyFrom?: TableCallback },
  ): Promise<void>
}

/** The `op` object of one revision, with its bookkeeping. */
export interface RevisionOperations {
  readonly op: Operations
  /** Ops called but not finished; above 0 after `upgrade()` resolved means a missing `await`. */
  pendingCount(): number
  /** Failures of ops whose promise nobody awaited (so the revision must not count as done). */
  unobservedErrors(): readonly unknown[]
}

/** A promise that knows whether anyone awaited it. */
class OpPromise extends Promise<undefined> {
  observed = false
  static override get [Symbol.species]() {
    return Promise
  }
  // biome-ignore lint/suspicious/noThenProperty: awaiting is what we need to observe
  override then<A = undefined, B = never>(
    onFulfilled?: ((value: undefined) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.observed = true
    return super.then(onFulfilled, onRejected)
  }
}

/**
 * Builds the `op` object for one revision; `revision` names it in every error.
 *
 * @example
 * ```ts
 * const { op, pendingCount } = createOperations(createOnlineSink(trx, 'sqlite'), { revision: 'ae1027a6acf' })
 * await module.upgrade(op)
 * if (pendingCount() > 0) throw new Error('a call on op was not awaited')
 * ```
 */
export function createOperations(sink: OpSink, context: { revision: string }): RevisionOperations {
  const dialect = dialectFor(sink.flavour)
  const builder = compilerKysely(sink.flavour)
  const revision = context.revision
  let pending = 0
  let queue: Promise<unknown> = Promise.resolve()
  const unobserved: { promise: OpPromise; error: unknown }[] = []

  const withRevision = (error: unknown, kind: string): unknown => {
    if (error instanceof OperationError) return error.withRevision(revision)
    const detail = error instanceof Error ? error.message : String(error)
    return new OperationError(detail, { op: kind, revision, cause: error })
  }

  // Ops run one after another in call order, even when a call was not awaited.
  const submit = (kind: string, build: () => Op): Promise<void> => {
    pending++
    let op: Op | undefined
    let failure: unknown
    try {
      const built = build()
      checkIdentifierLengths(built, dialect)
      const missing = dialect.unsupported(built)
      if (missing !== undefined) {
        throw new UnsupportedOperationError(missing.feature, dialect.flavour, {
          op: kind,
          hint: missing.hint,
        })
      }
      op = built
    } catch (error) {
      failure = withRevision(error, kind)
    }
    const run = async () => {
      try {
        if (op === undefined) throw failure
        await sink.run(op)
      } catch (error) {
        throw withRevision(error, kind)
      } finally {
        pending--
      }
    }
    const result = queue.then(run, run)
    queue = result.catch(() => undefined)
    const promise = new OpPromise((resolve, reject) => {
      Promise.prototype.then.call(result, resolve, (error: unknown) => {
        unobserved.push({ promise, error })
        reject(error)
      })
    })
    // Marks the rejection handled without counting as an observer; unobservedErrors() reports it.
    Promise.prototype.then.call(promise, undefined, () => undefined)
    promise.observed = false
    return promise
  }

  const table = (kind: string, value: unknown) => checkTable(kind, 'table', value)

  const op: Operations = {
    dialect: sink.flavour,
    get db(): Kysely<AnySchema> {
      if (sink.db === null) throw new OfflineDatabaseAccessError({ op: 'db', revision })
      return sink.db
    },
    builder,
    createTable: (t, build, options) => submit('createTable', () => make.createTableOp(t, build, options)),
    dropTable: (t, options) => submit('dropTable', () => make.dropTableOp(t, options)),
    renameTable: (t, newName) => submit('renameTable', () => make.renameTableOp(t, newName)),
    addColumn: (t, column, type, build) =>
      submit('addColumn', () => make.addColumnOp(table('addColumn', t), column, type, build)),
    dropColumn: (t, column) => submit('dropColumn', () => make.dropColumnOp(table('dropColumn', t), column)),
    alterColumn: (t, column, changes) =>
      submit('alterColumn', () => make.alterColumnOp(table('alterColumn', t), column, changes)),
    createIndex: (name, t, columns, options) =>
      submit('createIndex', () => make.createIndexOp(name, table('createIndex', t), columns, options)),
    dropIndex: (name, options) => submit('dropIndex', () => make.dropIndexOp(name, undefined, options)),
    createPrimaryKey: (name, t, columns) =>
      submit('createPrimaryKey', () => make.createPrimaryKeyOp(name, table('createPrimaryKey', t), columns)),
    createUniqueConstraint: (name, t, columns) =>
      submit('createUniqueConstraint', () =>
        make.createUniqueConstraintOp(name, table('createUniqueConstraint', t), columns),
      ),
    createForeignKey: (name, t, columns, refTable, refColumns, options) =>
      submit('createForeignKey', () =>
        make.createForeignKeyOp(name, table('createForeignKey', t), columns, refTable, refColumns, options),
      ),
    createCheckConstraint: (name, t, condition) =>
      submit('createCheckConstraint', () =>
        make.createCheckConstraintOp(name, table('createCheckConstraint', t), condition),
      ),
    dropConstraint: (name, t, options) =>
      submit('dropConstraint', () => make.dropConstraintOp(name, table('dropConstraint', t), options)),
    createSchema: (name, options) => submit('createSchema', () => make.createSchemaOp(name, options)),
    dropSchema: (name, options) => submit('dropSchema', () => make.dropSchemaOp(name, options)),
    createEnum: (name, values) => submit('createEnum', () => make.createEnumOp(name, values)),
    addEnumValue: (name, value, options) =>
      submit('addEnumValue', () => make.addEnumValueOp(name, value, options)),
    dropEnum: (name, options) => submit('dropEnum', () => make.dropEnumOp(name, options)),
    createView: (name, query, options) =>
      submit('createView', () => make.createViewOp(name, query, options, builder, sink.flavour)),
    dropView: (name, options) => submit('dropView', () => make.dropViewOp(name, options)),
    execute: (statement) => submit('execute', () => make.executeOp(statement, builder)),
    bulkInsert: (t, rows) => submit('bulkInsert', () => make.bulkInsertOp(t, rows)),
    batchAlterTable: (t, build, options) =>
      submit('batchAlterTable', () => {
        const k = 'batchAlterTable'
        const name = table(k, t)
        const opts = checkOptions(k, 'options', options)
        const result = (checkFunction(k, 'build', build) as BatchCallback)(new BatchBuilder())
        if (!(result instanceof BatchBuilder))
          invalidArgument(k, 'build', 'must return the batch builder chain')
        const recreate = opts.recreate ?? 'auto'
        if (recreate !== 'auto' && recreate !== 'always' && recreate !== 'never') {
          invalidArgument(k, 'options.recreate', "expected 'auto', 'always' or 'never'")
        }
        const copyFrom = opts.copyFrom === undefined ? undefined : buildTable(k, name, opts.copyFrom)
        return deepFreeze({ kind: k, table: name, ops: result.toOps(), recreate, copyFrom })
      }),
  }
  return {
    op: Object.freeze(op),
    pendingCount: () => pending,
    unobservedErrors: () => unobserved.filter((u) => !u.promise.observed).map((u) => u.error),
  }
}
