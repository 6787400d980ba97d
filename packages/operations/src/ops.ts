import type { CompiledQuery, Expression } from 'kysely'
import type { ColumnType } from './column-types.js'

/**
 * The database type of every Kysely that ops hand out or take: a migration works on whatever
 * schema exists at that point in history, so no table types can be known in advance.
 */
// biome-ignore lint/suspicious/noExplicitAny: Kysely's own spelling of "any schema"
export type AnySchema = any

/** A table, type or view name, optionally in a schema (a database on MySQL). */
export interface QualifiedName {
  readonly schema?: string | undefined
  readonly name: string
}

/** How authors name a table: `'account'` or `{ schema: 'billing', name: 'account' }`. */
export type TableRef = string | QualifiedName

/** Raw SQL: a Kysely expression such as `` sql`now()` ``. */
export type SqlExpression = Expression<unknown>

/** A column default: a literal (quoted by the dialect) or raw SQL such as `` sql`now()` ``. */
export type DefaultValue = string | number | bigint | boolean | Date | SqlExpression

/** What happens to referencing rows when the referenced row is deleted or updated. */
export type ReferentialAction = 'cascade' | 'set null' | 'set default' | 'restrict' | 'no action'

/** A foreign key target with its actions. */
export interface ReferenceSpec {
  readonly table: QualifiedName
  readonly columns: readonly string[]
  readonly onDelete?: ReferentialAction | undefined
  readonly onUpdate?: ReferentialAction | undefined
}

/** One column as recorded by `createTable`/`addColumn`. */
export interface ColumnDef {
  readonly name: string
  readonly type: ColumnType
  /** Absent means nullable, except for primary key columns. */
  readonly nullable?: boolean | undefined
  readonly default?: DefaultValue | undefined
  readonly primaryKey?: boolean | undefined
  readonly unique?: boolean | undefined
  readonly check?: SqlExpression | undefined
  readonly references?: ReferenceSpec | undefined
  readonly comment?: string | undefined
  /** Explicit auto-increment; `serial`/`bigserial` imply it. */
  readonly autoIncrement?: boolean | undefined
}

/** A table-level primary key. */
export interface PrimaryKeyConstraint {
  readonly type: 'primaryKey'
  readonly name?: string | undefined
  readonly columns: readonly string[]
}
/** A table-level unique constraint. */
export interface UniqueConstraint {
  readonly type: 'unique'
  readonly name?: string | undefined
  readonly columns: readonly string[]
}
/** A table-level foreign key. */
export interface ForeignKeyConstraint {
  readonly type: 'foreignKey'
  readonly name?: string | undefined
  readonly columns: readonly string[]
  readonly references: ReferenceSpec
}
/** A table-level CHECK constraint. */
export interface CheckConstraint {
  readonly type: 'check'
  readonly name?: string | undefined
  readonly expression: SqlExpression
}

/** A table-level constraint. */
export type TableConstraint = PrimaryKeyConstraint | UniqueConstraint | ForeignKeyConstraint | CheckConstraint

/** The kind of a constraint, as `dropConstraint` needs it on MySQL. */
export type ConstraintType = TableConstraint['type']

/** A full table definition: what `createTable` records and what SQLite batch mode rebuilds. */
export interface TableDefinition {
  readonly table: QualifiedName
  readonly columns: readonly ColumnDef[]
  readonly constraints: readonly TableConstraint[]
  /** Indexes created with the table (and re-created by SQLite batch mode). */
  readonly indexes?: readonly IndexDefinition[] | undefined
}

/** One key part of an index: a column name or an expression. */
export type IndexPart = { readonly column: string } | { readonly expression: SqlExpression }

/** An index: its name, key parts, uniqueness and optional partial condition. */
export interface IndexDefinition {
  readonly name: string
  readonly parts: readonly IndexPart[]
  readonly unique: boolean
  readonly where?: SqlExpression | undefined
}

/** What `alterColumn` changes; absent fields stay as they are. */
export interface ColumnChanges {
  readonly type?: ColumnType | undefined
  /** PostgreSQL only: how to convert existing values (`USING` clause). */
  readonly using?: SqlExpression | undefined
  readonly nullable?: boolean | undefined
  /** `null` drops the default. */
  readonly default?: DefaultValue | null | undefined
  readonly rename?: string | undefined
  /** `null` removes the comment. */
  readonly comment?: string | null | undefined
}

/** The column as it is now, for databases that must restate it (MySQL MODIFY) when offline. */
export interface ExistingColumn {
  readonly type: ColumnType
  readonly nullable: boolean
  readonly default?: DefaultValue | undefined
  readonly comment?: string | undefined
  readonly autoIncrement?: boolean | undefined
}

/** What `op.createTable(...)` records. */
export interface CreateTableOp extends TableDefinition {
  readonly kind: 'createTable'
  readonly ifNotExists: boolean
}
/** What `op.dropTable(...)` records. */
export interface DropTableOp {
  readonly kind: 'dropTable'
  readonly table: QualifiedName
  readonly ifExists: boolean
  readonly cascade: boolean
}
/** What `op.renameTable(...)` records. */
export interface RenameTableOp {
  readonly kind: 'renameTable'
  readonly table: QualifiedName
  readonly newName: string
}
/** What `op.addColumn(...)` records. */
export interface AddColumnOp {
  readonly kind: 'addColumn'
  readonly table: QualifiedName
  readonly column: ColumnDef
}
/** What `op.dropColumn(...)` records. */
export interface DropColumnOp {
  readonly kind: 'dropColumn'
  readonly table: QualifiedName
  readonly column: string
}
/** What `op.alterColumn(...)` records. */
export interface AlterColumnOp {
  readonly kind: 'alterColumn'
  readonly table: QualifiedName
  readonly column: string
  readonly changes: ColumnChanges
  readonly existing?: ExistingColumn | undefined
}
/** What `op.createIndex(...)` records. */
export interface CreateIndexOp extends IndexDefinition {
  readonly kind: 'createIndex'
  readonly table: QualifiedName
  readonly concurrently: boolean
  readonly ifNotExists: boolean
}
/** What `op.dropIndex(...)` records. */
export interface DropIndexOp {
  readonly kind: 'dropIndex'
  readonly name: string
  /** Required on MySQL, where an index belongs to its table. */
  readonly table?: QualifiedName | undefined
  readonly schema?: string | undefined
  readonly ifExists: boolean
  readonly concurrently: boolean
}
/** What `op.createPrimaryKey(...)` records. */
export interface CreatePrimaryKeyOp {
  readonly kind: 'createPrimaryKey'
  readonly table: QualifiedName
  readonly name: string
  readonly columns: readonly string[]
}
/** What `op.createUniqueConstraint(...)` records. */
export interface CreateUniqueConstraintOp {
  readonly kind: 'createUniqueConstraint'
  readonly table: QualifiedName
  readonly name: string
  readonly columns: readonly string[]
}
/** What `op.createForeignKey(...)` records. */
export interface CreateForeignKeyOp {
  readonly kind: 'createForeignKey'
  readonly table: QualifiedName
  readonly name: string
  readonly columns: readonly string[]
  readonly references: ReferenceSpec
}
/** What `op.createCheckConstraint(...)` records. */
export interface CreateCheckConstraintOp {
  readonly kind: 'createCheckConstraint'
  readonly table: QualifiedName
  readonly name: string
  readonly expression: SqlExpression
}
/** What `op.dropConstraint(...)` records. */
export interface DropConstraintOp {
  readonly kind: 'dropConstraint'
  readonly table: QualifiedName
  readonly name: string
  /** MySQL needs it offline (online it is looked up). */
  readonly type?: ConstraintType | undefined
}
/** What `op.createSchema(...)` records. */
export interface CreateSchemaOp {
  readonly kind: 'createSchema'
  readonly name: string
  readonly ifNotExists: boolean
}
/** What `op.dropSchema(...)` records. */
export interface DropSchemaOp {
  readonly kind: 'dropSchema'
  readonly name: string
  readonly ifExists: boolean
  readonly cascade: boolean
}
/** What `op.createEnum(...)` records. */
export interface CreateEnumOp {
  readonly kind: 'createEnum'
  readonly name: QualifiedName
  readonly values: readonly string[]
}
/** What `op.addEnumValue(...)` records. */
export interface AddEnumValueOp {
  readonly kind: 'addEnumValue'
  readonly name: QualifiedName
  readonly value: string
  readonly before?: string | undefined
  readonly after?: string | undefined
  readonly ifNotExists: boolean
}
/** What `op.dropEnum(...)` records. */
export interface DropEnumOp {
  readonly kind: 'dropEnum'
  readonly name: QualifiedName
  readonly ifExists: boolean
}
/** What `op.createView(...)` records. */
export interface CreateViewOp {
  readonly kind: 'createView'
  readonly name: QualifiedName
  /** The view's query, parameters already inlined as literals. */
  readonly query: string
  readonly orReplace: boolean
  readonly columns?: readonly string[] | undefined
}
/** What `op.dropView(...)` records. */
export interface DropViewOp {
  readonly kind: 'dropView'
  readonly name: QualifiedName
  readonly ifExists: boolean
}
/** What `op.execute(...)` records. */
export interface ExecuteOp {
  readonly kind: 'execute'
  readonly query: CompiledQuery
}
/** What `op.bulkInsert(...)` records. */
export interface BulkInsertOp {
  readonly kind: 'bulkInsert'
  readonly table: QualifiedName
  readonly rows: readonly Readonly<Record<string, unknown>>[]
}

/** An op allowed inside `batchAlterTable`; its table is the batch's table. */
export type BatchOp =
  | Omit<AddColumnOp, 'table'>
  | Omit<DropColumnOp, 'table'>
  | Omit<AlterColumnOp, 'table'>
  | Omit<CreatePrimaryKeyOp, 'table'>
  | Omit<CreateUniqueConstraintOp, 'table'>
  | Omit<CreateForeignKeyOp, 'table'>
  | Omit<CreateCheckConstraintOp, 'table'>
  | Omit<DropConstraintOp, 'table'>
  | Omit<CreateIndexOp, 'table'>
  | Omit<DropIndexOp, 'table'>

/** When batch mode rebuilds the table (SQLite) instead of issuing ALTER statements. */
export type BatchRecreate = 'auto' | 'always' | 'never'

/** What `op.batchAlterTable(...)` records. */
export interface BatchAlterTableOp {
  readonly kind: 'batchAlterTable'
  readonly table: QualifiedName
  readonly ops: readonly BatchOp[]
  readonly recreate: BatchRecreate
  /** The table as it is now, used instead of introspection (required offline for unknown tables). */
  readonly copyFrom?: TableDefinition | undefined
}

/** Every op, discriminated on `kind`. Ops are frozen plain data. */
export type Op =
  | CreateTableOp
  | DropTableOp
  | RenameTableOp
  | AddColumnOp
  | DropColumnOp
  | AlterColumnOp
  | CreateIndexOp
  | DropIndexOp
  | CreatePrimaryKeyOp
  | CreateUniqueConstraintOp
  | CreateForeignKeyOp
  | CreateCheckConstraintOp
  | DropConstraintOp
  | CreateSchemaOp
  | DropSchemaOp
  | CreateEnumOp
  | AddEnumValueOp
  | DropEnumOp
  | CreateViewOp
  | DropViewOp
  | ExecuteOp
  | BulkInsertOp
  | BatchAlterTableOp

/** The `kind` of every op. */
export type OpKind = Op['kind']

/** The op type of one kind. */
export type OpOfKind<K extends OpKind> = Extract<Op, { readonly kind: K }>

/** A readable name for messages: `billing.account`. */
export function displayName(name: QualifiedName): string {
  return name.schema === undefined ? name.name : `${name.schema}.${name.name}`
}
