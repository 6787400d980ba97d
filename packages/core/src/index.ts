/**
 * @migraph/core: config, revision files, dialects, the version table, the lock, the runner and
 * the command functions the `mig` CLI is a thin layer over. Commands never print and never exit:
 * they return data or throw typed errors.
 *
 * @example
 * ```ts
 * import { Project, upgrade } from '@migraph/core'
 * const project = await Project.open({ url: 'sqlite:app.db' })
 * const result = await upgrade(project, { target: 'head' })
 * console.log(result.heads)
 * ```
 */

// Every error class migraph raises, from every layer; all extend MigraphError and carry a stable
// `code`. Graph and op errors are re-exported so that code using `migraph` alone can catch them.
export {
  AmbiguousRevisionError,
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  GraphError,
  type GraphErrorCode,
  InvalidRevisionIdError,
  MissingRevisionError,
  MultipleHeadsError,
  RangeNotAncestorError,
  ResolutionError,
  RevisionError,
} from '@migraph/graph'
export {
  IdentifierTooLongError,
  InvalidOperationArgumentsError,
  MissingTableDefinitionError,
  OfflineDatabaseAccessError,
  OperationError,
  StatementExecutionError,
  UnknownObjectError,
  UnsupportedOperationError,
} from '@migraph/operations'
export {
  type Difference,
  type DiffStep,
  diffSchemas,
  formatDifferences,
  introspect,
  kyselyCatalogReader,
  type Renames,
  renderSteps,
  SchemaDialectMismatchError,
  type SchemaDiff,
  SchemaError,
  type SchemaModel,
  UnsupportedSchemaFeatureError,
} from '@migraph/schema'
export { type CheckResult, check, checkFailure } from './commands/check.js'
export { type InitArgs, type InitResult, init, listTemplates, type TemplateInfo } from './commands/init.js'
export {
  branches,
  current,
  describeRevision,
  type HistoryArgs,
  heads,
  history,
  type RevisionInfo,
  revisionPath,
  show,
} from './commands/inspect.js'
export { type MergeArgs, merge } from './commands/merge.js'
export {
  downgrade,
  ensureVersion,
  type MigrateArgs,
  type MigrateResult,
  type StampArgs,
  type StepSummary,
  stamp,
  upgrade,
} from './commands/migrate.js'
export { type ResolveArgs, type ResolveResult, resolve } from './commands/resolve.js'
export { type RevisionArgs, type RevisionResult, revision } from './commands/revision.js'
export {
  type AutogenerateResult,
  autogenerateRevision,
  compareSchema,
  parseRenames,
  type SchemaCompareArgs,
  type SchemaCompareResult,
  type SchemaTypesResult,
  schemaTypes,
} from './commands/schema.js'
export { defineConfig, type MigraphConfig } from './config/define-config.js'
export { findConfig, loadConfigFile } from './config/load-config.js'
export type { ResolvedConfig } from './config/resolved-config.js'
export { MAX_TIMEOUT_MS, type TimeoutKind, timeoutProblem } from './config/timeouts.js'
export {
  defaultEnvironment,
  type Environment,
  type GlobalOptions,
  Project,
  type Reporter,
} from './context.js'
export type { DatabaseTarget, DialectName, MigrationDialect } from './dialects/dialect.js'
export {
  ConnectionError,
  DatabaseInUseError,
  DriverMissingError,
  InvalidDatabaseUrlError,
  LockError,
  LockTimeoutError,
  maskUrl,
  redactSecrets,
  UnknownUrlSchemeError,
  urlSecrets,
  VersionTableRowCountError,
} from './dialects/index.js'
export {
  CommandError,
  ConfigError,
  DeclaredSchemaError,
  MigraphError,
  MigrationFailedError,
  PartialStateError,
  RevisionFileError,
  SchemaDriftError,
  VersionTableError,
} from './errors.js'
export type { HistoryEntry, HistoryStatus } from './runtime/history-table.js'
export type { IntegrityReport } from './runtime/integrity.js'
export type { RevisionContext } from './runtime/runner.js'
export { declaredSchemaFiles, loadDeclaredSchema } from './schema/declared-schema.js'
export { introspectSession } from './schema/live-schema.js'
export { slugify } from './script/revision-file-name.js'
export { type RevisionScript, ScriptDirectory } from './script/script-directory.js'
