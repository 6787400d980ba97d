import type { ColumnCallback, ReferenceOptions } from './builders.js'
import type { ColumnType } from './column-types.js'
import {
  addColumnOp,
  alterColumnOp,
  createCheckConstraintOp,
  createForeignKeyOp,
  createIndexOp,
  createPrimaryKeyOp,
  createUniqueConstraintOp,
  dropColumnOp,
  dropConstraintOp,
  dropIndexOp,
} from './op-factory.js'
import type {
  BatchOp,
  ConstraintType,
  DefaultValue,
  ExistingColumn,
  Op,
  QualifiedName,
  SqlExpression,
  TableRef,
} from './ops.js'

/** What `alterColumn` may change. */
export interface AlterColumnOptions {
  /** New type; on PostgreSQL add `using` to convert existing values. */
  readonly type?: ColumnType
  /** PostgreSQL only: `USING` expression for the type change, e.g. `` sql`amount::numeric` ``. */
  readonly using?: SqlExpression | string
  readonly nullable?: boolean
  /** New default; `null` drops it. */
  readonly default?: DefaultValue | null
  /** New column name. */
  readonly rename?: string
  /** New comment; `null` removes it. */
  readonly comment?: string | null
  /**
   * The column as it is now. MySQL restates whole columns to change them; online this is read
   * from the database, offline it must be given unless the table was created in the same run.
   */
  readonly existing?: ExistingColumn
}

/** Options of `createIndex`. */
export interface CreateIndexOptions {
  readonly unique?: boolean
  /** Partial index condition (PostgreSQL, SQLite). */
  readonly where?: SqlExpression | string
  /** PostgreSQL: build without locking writes (the revision must set `transactional = false`). */
  readonly concurrently?: boolean
  readonly ifNotExists?: boolean
}

/** Options of `dropIndex`. */
export interface DropIndexOptions {
  /** The index's table: required on MySQL, where indexes belong to tables. */
  readonly table?: TableRef
  /** PostgreSQL: the index's schema when `table` is not given. */
  readonly schema?: string
  readonly ifExists?: boolean
  /** PostgreSQL: drop without locking. */
  readonly concurrently?: boolean
}

/** Options of `dropConstraint`. */
export interface DropConstraintOptions {
  /** The constraint's kind; MySQL needs it offline (online it is looked up). */
  readonly type?: ConstraintType
}

const QUALIFIED_PLACEHOLDER: QualifiedName = { name: '' }

function strip(op: Op): BatchOp {
  const { table: _table, ...rest } = op as Op & { table?: QualifiedName }
  return rest as BatchOp
}

/**
 * Records the changes of one table for `batchAlterTable`. Immutable: return the chain.
 *
 * @example
 * ```ts
 * await op.batchAlterTable('account', (batch) =>
 *   batch.alterColumn('email', { nullable: false }).createUniqueConstraint('account_email_key', ['email']),
 * )
 * ```
 */
export class BatchBuilder {
  readonly #ops: readonly BatchOp[]

  /** @internal Authors receive it in the `batchAlterTable` callback. */
  constructor(ops: readonly BatchOp[] = []) {
    this.#ops = Object.freeze(ops)
  }

  #add(op: Op): BatchBuilder {
    return new BatchBuilder([...this.#ops, strip(op)])
  }

  addColumn(name: string, type: ColumnType, build?: ColumnCallback): BatchBuilder {
    return this.#add(addColumnOp(QUALIFIED_PLACEHOLDER, name, type, build))
  }

  dropColumn(name: string): BatchBuilder {
    return this.#add(dropColumnOp(QUALIFIED_PLACEHOLDER, name))
  }

  alterColumn(name: string, changes: AlterColumnOptions): BatchBuilder {
    return this.#add(alterColumnOp(QUALIFIED_PLACEHOLDER, name, changes))
  }

  createPrimaryKey(name: string, columns: readonly string[]): BatchBuilder {
    return this.#add(createPrimaryKeyOp(name, QUALIFIED_PLACEHOLDER, columns))
  }

  createUniqueConstraint(name: string, columns: readonly string[]): BatchBuilder {
    return this.#add(createUniqueConstraintOp(name, QUALIFIED_PLACEHOLDER, columns))
  }

  createForeignKey(
    name: string,
    columns: readonly string[],
    referencedTable: TableRef,
    referencedColumns: readonly string[],
    options?: ReferenceOptions,
  ): BatchBuilder {
    return this.#add(
      createForeignKeyOp(name, QUALIFIED_PLACEHOLDER, columns, referencedTable, referencedColumns, options),
    )
  }

  createCheckConstraint(name: string, condition: SqlExpression | string): BatchBuilder {
    return this.#add(createCheckConstraintOp(name, QUALIFIED_PLACEHOLDER, condition))
  }

  dropConstraint(name: string, options?: DropConstraintOptions): BatchBuilder {
    return this.#add(dropConstraintOp(name, QUALIFIED_PLACEHOLDER, options))
  }

  createIndex(
    name: string,
    columns: string | SqlExpression | readonly (string | SqlExpression)[],
    options?: CreateIndexOptions,
  ): BatchBuilder {
    return this.#add(createIndexOp(name, QUALIFIED_PLACEHOLDER, columns, options))
  }

  dropIndex(name: string, options?: Omit<DropIndexOptions, 'table'>): BatchBuilder {
    return this.#add(dropIndexOp(name, QUALIFIED_PLACEHOLDER, options))
  }

  /** @internal The recorded ops. */
  toOps(): readonly BatchOp[] {
    return this.#ops
  }
}

/** Callback that records a batch; returns the builder chain. */
export type BatchCallback = (batch: BatchBuilder) => BatchBuilder
