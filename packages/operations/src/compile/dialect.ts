import type { CompiledQuery, Kysely } from 'kysely'
import type { Catalog } from '../catalog.js'
import type { ColumnDataType, SqlFlavour } from '../column-types.js'
import type { AnySchema, Op, OpKind, OpOfKind, QualifiedName } from '../ops.js'
import type { TableState } from '../table-model.js'

/** What the compiler of one op may use. */
export interface CompileContext {
  /** Compile-only Kysely of the dialect (its real adapter and query compiler). */
  readonly kysely: Kysely<AnySchema>
  readonly catalog: Catalog
  readonly dialect: SqlDialect
}

/** The statements of one op, in order. */
export interface OpPlan {
  readonly statements: readonly CompiledQuery[]
  /**
   * SQLite: the statements drop and re-create a table that foreign keys point at. Online they
   * must run with foreign key enforcement off, or the drop would delete or orphan child rows.
   */
  readonly rebuildsReferencedTable?: QualifiedName | undefined
}

/** Compiles one kind of op. */
export type OpCompiler<K extends OpKind> = (op: OpOfKind<K>, ctx: CompileContext) => OpPlan | Promise<OpPlan>

/** One compiler per op kind; a dialect that forgets a kind does not type-check. */
export type OpCompilers = { readonly [K in OpKind]: OpCompiler<K> }

/** A feature of an op that a database lacks. */
export interface Unsupported {
  readonly feature: string
  readonly hint?: string | undefined
}

/** How a portable type is spelled on a dialect. */
export interface MappedType {
  readonly sql: string
  /** The type implies an auto-increment column attribute (MySQL's spelling of `serial`). */
  readonly autoIncrement: boolean
}

/** How column definitions are written on a dialect. */
export interface ColumnSyntax {
  /** Keyword after the default for auto-increment columns, if the dialect spells it so. */
  readonly autoIncrementKeyword: string | undefined
  /** Auto-increment written as part of the key instead (SQLite's `PRIMARY KEY AUTOINCREMENT`). */
  readonly primaryKeyAutoIncrement: boolean
  /** `COMMENT '…'` inside the column definition (MySQL), instead of a separate statement. */
  readonly inlineComment: boolean
  /** Column-level REFERENCES are honoured (MySQL parses and ignores them). */
  readonly inlineReferences: boolean
  /** Expression defaults must be parenthesised (SQLite, MySQL). */
  readonly parenthesizeDefaultExpressions: boolean
}

/**
 * Everything that differs between databases, in one object per dialect: limits, type names,
 * column syntax, which features are missing, and a compiler for every op kind.
 */
export interface SqlDialect {
  readonly flavour: SqlFlavour
  /** Longest identifier, or undefined when the database has no practical limit (SQLite). */
  readonly identifierLimit:
    | {
        readonly max: number
        readonly unit: 'bytes' | 'characters'
        /** Identifiers are stored as 3-byte UTF-8 (MySQL/MariaDB): no emoji or other astral characters. */
        readonly basicPlaneOnly?: boolean
      }
    | undefined
  /** DDL commits with the surrounding transaction. */
  readonly transactionalDdl: boolean
  readonly columnSyntax: ColumnSyntax
  mapType(type: ColumnDataType): MappedType
  /** The first feature of `op` this database cannot do, checked before anything runs. */
  unsupported(op: Op): Unsupported | undefined
  /** Converts a bound parameter to something the driver accepts (better-sqlite3 has no booleans). */
  normalizeParameter(value: unknown): unknown
  readonly compilers: OpCompilers
  /**
   * Runs a plan online when executing the statements one by one is not enough (SQLite must
   * switch foreign key enforcement off around a rebuild). Absent: run them in order.
   */
  /** Reads a live table, for ops that must restate it (absent where no op needs to). */
  introspectTable?(db: Kysely<AnySchema>, table: QualifiedName): Promise<TableState | undefined>
  runPlan?(
    plan: OpPlan,
    db: Kysely<AnySchema>,
    execute: (query: CompiledQuery) => Promise<void>,
  ): Promise<void>
}
