/**
 * @migraph/operations: the `op` API of migraph revisions. Each call records a frozen op, which a
 * dialect object compiles through Kysely and a sink executes (online) or prints (`--sql`).
 *
 * @example
 * ```ts
 * import { createOfflineSink, createOperations } from '@migraph/operations'
 *
 * const { op } = createOperations(createOfflineSink('postgres', { write: console.log }), { revision: 'abc123' })
 * await op.createTable('account', (t) => t.addColumn('id', 'serial', (c) => c.primaryKey()))
 * ```
 */

export { sql } from 'kysely'
export type {
  AlterColumnOptions,
  BatchCallback,
  CreateIndexOptions,
  DropConstraintOptions,
  DropIndexOptions,
} from './batch-builder.js'
export { BatchBuilder } from './batch-builder.js'
export type {
  ColumnCallback,
  ConstraintOptions,
  IndexOptions,
  ReferenceOptions,
  TableCallback,
} from './builders.js'
export { ColumnBuilder, TableBuilder } from './builders.js'
export { hasTransactionalDdl } from './capabilities.js'
export type { ColumnDataType, ColumnType, SqlFlavour } from './column-types.js'
export { isColumnDataType } from './column-types.js'
export {
  type ParsedConstraint,
  type ParsedTable,
  parseCreateTable,
  parseIndexWhere,
} from './compile/sqlite-parse.js'
export { compilerKysely, createCompilerKysely } from './compiler-kysely.js'
export {
  IdentifierTooLongError,
  InvalidOperationArgumentsError,
  MissingTableDefinitionError,
  OfflineDatabaseAccessError,
  OperationError,
  type OperationErrorOptions,
  StatementExecutionError,
  UnknownObjectError,
  UnsupportedOperationError,
} from './errors.js'
export { inlineParameters, renderLiteral } from './literals.js'
export { createOperations, type Operations, type RevisionOperations } from './operations.js'
export type {
  AddColumnOp,
  AddEnumValueOp,
  AlterColumnOp,
  AnySchema,
  BatchAlterTableOp,
  BatchOp,
  BatchRecreate,
  BulkInsertOp,
  CheckConstraint,
  ColumnChanges,
  ColumnDef,
  ConstraintType,
  CreateCheckConstraintOp,
  CreateEnumOp,
  CreateForeignKeyOp,
  CreateIndexOp,
  CreatePrimaryKeyOp,
  CreateSchemaOp,
  CreateTableOp,
  CreateUniqueConstraintOp,
  CreateViewOp,
  DefaultValue,
  DropColumnOp,
  DropConstraintOp,
  DropEnumOp,
  DropIndexOp,
  DropSchemaOp,
  DropTableOp,
  DropViewOp,
  ExecuteOp,
  ExistingColumn,
  ForeignKeyConstraint,
  IndexDefinition,
  IndexPart,
  Op,
  OpKind,
  OpOfKind,
  PrimaryKeyConstraint,
  QualifiedName,
  ReferenceSpec,
  ReferentialAction,
  RenameTableOp,
  SqlExpression,
  TableConstraint,
  TableDefinition,
  TableRef,
  UniqueConstraint,
} from './ops.js'
export { createOfflineSink, createOnlineSink, createRecordingSink, type OpSink } from './sinks.js'
