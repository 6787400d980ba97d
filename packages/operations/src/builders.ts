import { isExpression } from 'kysely'
import type { ColumnType } from './column-types.js'
import type {
  ColumnDef,
  DefaultValue,
  IndexDefinition,
  IndexPart,
  QualifiedName,
  ReferentialAction,
  SqlExpression,
  TableConstraint,
  TableDefinition,
  TableRef,
} from './ops.js'
import {
  checkAction,
  checkColumns,
  checkColumnType,
  checkDefault,
  checkExpression,
  checkName,
  checkOptionalName,
  checkOptions,
  checkTable,
  invalidArgument,
} from './validate.js'

/** Options of a foreign key. */
export interface ReferenceOptions {
  readonly onDelete?: ReferentialAction
  readonly onUpdate?: ReferentialAction
}

/** Options of an index. */
export interface IndexOptions {
  readonly unique?: boolean
  /** Partial index condition (PostgreSQL, SQLite). */
  readonly where?: SqlExpression | string
}

/** Options of a named table-level constraint. */
export interface ConstraintOptions {
  /** Let the database pick a name when absent (SQLite and PostgreSQL do; MySQL names it too). */
  readonly name?: string
}

/**
 * Describes one column. Immutable: every method returns a new builder, so return the chain.
 *
 * @example
 * ```ts
 * await op.addColumn('account', 'email', 'varchar(320)', (c) => c.notNull().unique().comment('login'))
 * ```
 */
export class ColumnBuilder {
  readonly #def: ColumnDef
  readonly #op: string

  /** @internal Built by `createTable`/`addColumn`; authors receive it in a callback. */
  constructor(def: ColumnDef, op: string) {
    this.#def = Object.freeze(def)
    this.#op = op
  }

  #with(changes: Partial<ColumnDef>): ColumnBuilder {
    return new ColumnBuilder({ ...this.#def, ...changes }, this.#op)
  }

  /** Part of the primary key (implies NOT NULL). */
  primaryKey(): ColumnBuilder {
    return this.#with({ primaryKey: true })
  }

  /** Rejects NULL. */
  notNull(): ColumnBuilder {
    return this.#with({ nullable: false })
  }

  /** Accepts NULL (the default for non-key columns; states it explicitly). */
  nullable(): ColumnBuilder {
    return this.#with({ nullable: true })
  }

  /** The value used when an insert leaves the column out; literals are quoted by the dialect. */
  defaultTo(value: DefaultValue): ColumnBuilder {
    return this.#with({ default: checkDefault(this.#op, `${this.#def.name}.defaultTo`, value) })
  }

  /** Values must be distinct. */
  unique(): ColumnBuilder {
    return this.#with({ unique: true })
  }

  /** Auto-generated integer; implied by `serial`/`bigserial`. */
  autoIncrement(): ColumnBuilder {
    return this.#with({ autoIncrement: true })
  }

  /** A foreign key to `table(column)`. */
  references(table: TableRef, column: string, options?: ReferenceOptions): ColumnBuilder {
    const where = `${this.#def.name}.references`
    const opts = checkOptions(this.#op, `${where} options`, options)
    return this.#with({
      references: {
        table: checkTable(this.#op, where, table),
        columns: [checkName(this.#op, `${where} column`, column)],
        onDelete: checkAction(this.#op, `${where} onDelete`, opts.onDelete),
        onUpdate: checkAction(this.#op, `${where} onUpdate`, opts.onUpdate),
      },
    })
  }

  /** A CHECK constraint on this column. */
  check(condition: SqlExpression | string): ColumnBuilder {
    return this.#with({ check: checkExpression(this.#op, `${this.#def.name}.check`, condition) })
  }

  /** A comment stored with the column (PostgreSQL, MySQL). */
  comment(text: string): ColumnBuilder {
    if (typeof text !== 'string') invalidArgument(this.#op, `${this.#def.name}.comment`, 'expected a string')
    return this.#with({ comment: text })
  }

  /** @internal The recorded definition. */
  toColumnDef(): ColumnDef {
    return this.#def
  }
}

/** Callback that describes a column; must return the builder it was given (or a chain from it). */
export type ColumnCallback = (column: ColumnBuilder) => ColumnBuilder

/** @internal Builds a column definition from the authoring arguments. */
export function buildColumn(op: string, name: unknown, type: unknown, build: unknown): ColumnDef {
  const columnName = checkName(op, 'column name', name)
  const start = new ColumnBuilder(
    { name: columnName, type: checkColumnType(op, `${columnName} type`, type) },
    op,
  )
  if (build === undefined) return start.toColumnDef()
  if (typeof build !== 'function')
    invalidArgument(op, `${columnName} callback`, 'expected a function such as (c) => c.notNull()')
  const result = (build as ColumnCallback)(start)
  if (!(result instanceof ColumnBuilder)) {
    invalidArgument(op, `${columnName} callback`, 'must return the column builder, e.g. (c) => c.notNull()')
  }
  return result.toColumnDef()
}

/**
 * Describes a table for `createTable` (and `copyFrom` in batch mode). Immutable: return the chain.
 *
 * @example
 * ```ts
 * await op.createTable('member', (t) =>
 *   t
 *     .addColumn('id', 'serial', (c) => c.primaryKey())
 *     .addColumn('team_id', 'integer', (c) => c.notNull().references('team', 'id', { onDelete: 'cascade' }))
 *     .addColumn('email', 'text', (c) => c.notNull())
 *     .unique(['team_id', 'email'], { name: 'member_team_email_key' }),
 * )
 * ```
 */
export class TableBuilder {
  readonly #definition: TableDefinition
  readonly #op: string

  /** @internal Authors receive it in the `createTable` callback. */
  constructor(definition: TableDefinition, op: string) {
    this.#definition = Object.freeze(definition)
    this.#op = op
  }

  /** Adds a column; `build` sets its constraints. */
  addColumn(name: string, type: ColumnType, build?: ColumnCallback): TableBuilder {
    const column = buildColumn(this.#op, name, type, build)
    return this.#next({ columns: [...this.#definition.columns, column] })
  }

  /** A primary key over several columns. */
  primaryKey(columns: readonly string[], options?: ConstraintOptions): TableBuilder {
    return this.#constraint({ type: 'primaryKey', columns: this.#columns('primaryKey', columns) }, options)
  }

  /** A unique constraint over several columns. */
  unique(columns: readonly string[], options?: ConstraintOptions): TableBuilder {
    return this.#constraint({ type: 'unique', columns: this.#columns('unique', columns) }, options)
  }

  /** A foreign key from `columns` to `table(referencedColumns)`. */
  foreignKey(
    columns: readonly string[],
    table: TableRef,
    referencedColumns: readonly string[],
    options?: ConstraintOptions & ReferenceOptions,
  ): TableBuilder {
    const opts = checkOptions(this.#op, 'foreignKey options', options)
    return this.#constraint(
      {
        type: 'foreignKey',
        columns: this.#columns('foreignKey', columns),
        references: {
          table: checkTable(this.#op, 'foreignKey table', table),
          columns: this.#columns('foreignKey referencedColumns', referencedColumns),
          onDelete: checkAction(this.#op, 'foreignKey onDelete', opts.onDelete),
          onUpdate: checkAction(this.#op, 'foreignKey onUpdate', opts.onUpdate),
        },
      },
      options,
    )
  }

  /** A CHECK constraint over the row. */
  check(condition: SqlExpression | string, options?: ConstraintOptions): TableBuilder {
    return this.#constraint(
      { type: 'check', expression: checkExpression(this.#op, 'check', condition) },
      options,
    )
  }

  /** An index created right after the table (and kept by SQLite batch rebuilds). */
  index(name: string, columns: readonly (string | SqlExpression)[], options?: IndexOptions): TableBuilder {
    const opts = checkOptions(this.#op, 'index options', options)
    if (!Array.isArray(columns) || columns.length === 0) {
      invalidArgument(this.#op, `index ${name} columns`, 'expected a non-empty array')
    }
    const index: IndexDefinition = {
      name: checkName(this.#op, 'index name', name),
      parts: columns.map(
        (c, i): IndexPart =>
          isExpression(c)
            ? { expression: c }
            : { column: checkName(this.#op, `index ${name} columns[${i}]`, c) },
      ),
      unique: opts.unique === true,
      where:
        opts.where === undefined ? undefined : checkExpression(this.#op, `index ${name} where`, opts.where),
    }
    return this.#next({ indexes: [...(this.#definition.indexes ?? []), index] })
  }

  /** @internal The recorded definition. */
  toTableDefinition(): TableDefinition {
    return this.#definition
  }

  #columns(argument: string, columns: unknown): readonly string[] {
    return checkColumns(this.#op, argument, columns)
  }

  #constraint(constraint: TableConstraint, options: ConstraintOptions | undefined): TableBuilder {
    const name = checkOptionalName(
      this.#op,
      `${constraint.type} name`,
      checkOptions(this.#op, 'options', options).name,
    )
    const named = name === undefined ? constraint : { ...constraint, name }
    return this.#next({ constraints: [...this.#definition.constraints, named] })
  }

  #next(changes: Partial<TableDefinition>): TableBuilder {
    return new TableBuilder({ ...this.#definition, ...changes }, this.#op)
  }
}

/** Callback that describes a table; returns the builder chain. */
export type TableCallback = (table: TableBuilder) => TableBuilder

/** @internal Runs a table callback and checks what it returned. */
export function buildTable(op: string, table: QualifiedName, build: unknown): TableDefinition {
  if (typeof build !== 'function')
    invalidArgument(op, 'table callback', 'expected a function such as (t) => t.addColumn(...)')
  const result = (build as TableCallback)(new TableBuilder({ table, columns: [], constraints: [] }, op))
  if (!(result instanceof TableBuilder)) {
    invalidArgument(op, 'table callback', 'must return the table builder chain, e.g. (t) => t.addColumn(...)')
  }
  const definition = result.toTableDefinition()
  if (definition.columns.length === 0) {
    invalidArgument(op, 'table callback', 'a table needs at least one column')
  }
  return definition
}
