import type { ReferentialAction } from '@migraph/operations'

/** The families of SQL a schema model is read from. PGlite reads as `postgres`, MariaDB as `mysql`. */
export type SchemaDialect = 'postgres' | 'mysql' | 'sqlite'

/**
 * A column as the catalog describes it, normalised so that two databases holding the same
 * column give equal objects. Text fields (`type`, `default`, `generated.expression`) are SQL in
 * the dialect's canonical spelling, see {@link normalizeSql}.
 */
export interface ColumnModel {
  readonly name: string
  /** Canonical type text: `integer`, `character varying(20)`, `mood` (an enum), `int(11)` → `int`. */
  readonly type: string
  readonly nullable: boolean
  /** The default as SQL text; absent when the column has none (or only an identity). */
  readonly default?: string | undefined
  /**
   * `always`/`by default`: a PostgreSQL identity; `auto`: MySQL `auto_increment` or SQLite
   * `AUTOINCREMENT`.
   */
  readonly identity?: 'always' | 'by default' | 'auto' | undefined
  /** A generated (computed) column. */
  readonly generated?: { readonly expression: string; readonly stored: boolean } | undefined
  /** A collation other than the column type's default. */
  readonly collation?: string | undefined
  readonly comment?: string | undefined
}

/** A primary key. */
export interface PrimaryKeyModel {
  readonly name?: string | undefined
  readonly columns: readonly string[]
}

/** A unique constraint (not a unique index: see {@link IndexModel}). */
export interface UniqueModel {
  readonly name?: string | undefined
  readonly columns: readonly string[]
}

/** A foreign key. Actions are always spelled out (`no action` when the catalog shows none). */
export interface ForeignKeyModel {
  readonly name?: string | undefined
  readonly columns: readonly string[]
  readonly references: {
    readonly schema?: string | undefined
    readonly table: string
    readonly columns: readonly string[]
  }
  readonly onDelete: ReferentialAction
  readonly onUpdate: ReferentialAction
  /** PostgreSQL and SQLite: `DEFERRABLE INITIALLY IMMEDIATE|DEFERRED`. Absent: not deferrable. */
  readonly deferrable?: 'immediate' | 'deferred' | undefined
}

/** A CHECK constraint; its expression is canonical SQL text without the outer parentheses. */
export interface CheckModel {
  readonly name?: string | undefined
  readonly expression: string
}

/** One key part of an index. */
export type IndexPartModel =
  | {
      readonly column: string
      readonly descending?: boolean | undefined
      /** MySQL: the key holds only this many leading characters (`name(20)`). */
      readonly length?: number | undefined
    }
  | { readonly expression: string; readonly descending?: boolean | undefined }

/** An index that is not the implementation of a primary key or unique constraint. */
export interface IndexModel {
  readonly name: string
  readonly unique: boolean
  readonly parts: readonly IndexPartModel[]
  /** Partial index condition, canonical SQL text. */
  readonly where?: string | undefined
  /** Access method other than the default (`gin`, `gist`, `hash`, MySQL `FULLTEXT`). */
  readonly method?: string | undefined
  /** PostgreSQL `INCLUDE` columns. */
  readonly include?: readonly string[] | undefined
  /**
   * The statement that creates the index, when its parts cannot be written through the op API
   * (descending parts, a method, INCLUDE). Informational: never compared.
   */
  readonly definition?: string | undefined
}

/** A table with everything attached to it. Collections are sorted by name for stable output. */
export interface TableModel {
  readonly name: string
  readonly columns: readonly ColumnModel[]
  readonly primaryKey?: PrimaryKeyModel | undefined
  readonly uniques: readonly UniqueModel[]
  readonly foreignKeys: readonly ForeignKeyModel[]
  readonly checks: readonly CheckModel[]
  readonly indexes: readonly IndexModel[]
  readonly comment?: string | undefined
}

/** A PostgreSQL enum type, or a MySQL inline enum is a column type (`enum('a','b')`) instead. */
export interface EnumModel {
  readonly name: string
  readonly values: readonly string[]
}

/** A PostgreSQL sequence not owned by a column (owned ones come and go with their column). */
export interface SequenceModel {
  readonly name: string
  readonly type: string
  readonly start: string
  readonly increment: string
  readonly min: string
  readonly max: string
  readonly cycle: boolean
  readonly cache: string
}

/** A view and its query, canonical SQL text as the database prints it back. */
export interface ViewModel {
  readonly name: string
  readonly definition: string
}

/**
 * One namespace of a database (a PostgreSQL schema, a MySQL database, a SQLite file), as a
 * plain, comparable value. Tables, enums, sequences and views are sorted by name.
 *
 * @example
 * ```ts
 * const model = await introspect(runner, 'postgres')
 * model.tables.map((t) => t.name) // => ['account', 'invoice']
 * ```
 */
export interface SchemaModel {
  readonly dialect: SchemaDialect
  readonly tables: readonly TableModel[]
  readonly enums: readonly EnumModel[]
  readonly sequences: readonly SequenceModel[]
  readonly views: readonly ViewModel[]
}

/** A model with nothing in it. */
export function emptySchema(dialect: SchemaDialect): SchemaModel {
  return { dialect, tables: [], enums: [], sequences: [], views: [] }
}

/** Sorts by `name`, in code-point order so output does not depend on the locale. */
export function byName<T extends { readonly name?: string | undefined }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(a.name ?? '', b.name ?? ''))
}

/** Code-point string comparison. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
