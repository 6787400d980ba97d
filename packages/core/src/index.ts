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
  type RenameCandidate,
  type Renames,
  renderSteps,
  SchemaDialectMismatchError,
  type SchemaDiff,
  SchemaError,
  type SchemaModel,
  UnsupportedSchemaFeatureError,
} from '@migraph/schema'
/** The query builder a seed's `seed(db)` receives (a transaction). */
export type { Kysely } from 'kysely'
export { type CheckResult, check, checkFailure } from './commands/check.js'
export { type ConfigReport, type ConfigValue, configReport } from './commands/config-report.js'
export type { ConfirmRequest } from './commands/deploy-guard.js'
export { GRAPH_FORMATS, type GraphArgs, type GraphFormat, graph, renderGraph } from './commands/graph.js'
export {
  type ImportArgs,
  type ImportedRevision,
  type ImportResult,
  importProject,
} from './commands/import-project.js'
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
export { type LintArgs, type LintFinding, type LintResult, lint } from './commands/lint.js'
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
  checkSchema,
  compareSchema,
  parseRenames,
  type SchemaCheckResult,
  type SchemaCompareArgs,
  type SchemaCompareResult,
  type SchemaComparison,
  type SchemaDiffArgs,
  type SchemaSourceInfo,
  schemaCheckFailure,
} from './commands/schema.js'
export {
  dumpSchema,
  refreshTypesOut,
  type SchemaAtHeads,
  type SchemaFileArgs,
  type SchemaSource,
  type SetupArgs,
  type SetupResult,
  schemaAtHeads,
  schemaAtRevisions,
  schemaTypes,
  setup,
} from './commands/schema-files.js'
export {
  prepareSchemaSource,
  readSchemaSource,
  SCHEMA_SOURCE_FORMS,
  type SchemaOfSource,
} from './commands/schema-sources.js'
export { createSeed, listSeeds, SeedError, type SeedResult, seed } from './commands/seed.js'
export { type SquashArgs, type SquashResult, squash } from './commands/squash.js'
export { type StatusEntry, type StatusGroup, type StatusResult, status } from './commands/status.js'
export {
  RevisionTestError,
  type RevisionTestFinding,
  type RevisionTestFindingKind,
  type RevisionTestReport,
  type RevisionTestResult,
  type TestRevisionsArgs,
  testRevisions,
} from './commands/test-revisions.js'
export {
  type DatabaseConfig,
  defineConfig,
  type Hook,
  type HookContext,
  type HookName,
  type HooksConfig,
  type MigraphConfig,
  type TargetList,
} from './config/define-config.js'
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
export type { ConnectionSource, KyselyLike, PgPoolLike } from './dialects/shared-connection.js'
export {
  CommandError,
  ConfigError,
  ConfirmationError,
  DeclaredSchemaError,
  HookError,
  IrreversibleRevisionError,
  MigraphError,
  MigrationFailedError,
  PartialStateError,
  RevisionFileError,
  SchemaDriftError,
  VersionTableError,
} from './errors.js'
export {
  type FleetOptions,
  MAX_PARALLEL,
  runFleet,
  type TargetOutcome,
  type TargetWork,
} from './fleet/run-fleet.js'
export { type FleetTarget, loadTargets } from './fleet/targets.js'
export { type KnexFactory, knexOn, runKnexMigration } from './import/knex-migration.js'
export { type PgMigrationBuilderClass, runPgMigration } from './import/pg-migration.js'
export { LINT_RULES, type LintRule, type LintSeverity } from './lint/lint-rules.js'
export {
  createMigrator,
  type MigrateOptions,
  type Migrator,
  type MigratorOptions,
  type MigratorStatus,
  type SharedConnection,
} from './migrator.js'
export { renderDot } from './picture/dot.js'
export { renderHtml } from './picture/html.js'
export { renderMermaid } from './picture/mermaid.js'
export {
  type GraphEdge,
  type GraphEdgeKind,
  type GraphNode,
  type RevisionGraph,
  type RevisionState,
  revisionGraph,
} from './picture/revision-graph.js'
export type { HistoryEntry, HistoryStatus } from './runtime/history-table.js'
export type { IntegrityReport } from './runtime/integrity.js'
export type { RevisionContext } from './runtime/runner.js'
export { declaredSchemaFiles, isSchemaModule, loadDeclaredSchema } from './schema/declared-schema.js'
export { type DeclaredSchema, defineSchema } from './schema/define-schema.js'
export { introspectSession } from './schema/live-schema.js'
export { slugify } from './script/revision-file-name.js'
export { type RevisionScript, ScriptDirectory } from './script/script-directory.js'
export { SqlStatementError } from './script/sql-revision.js'
export { type SqlStatement, splitSql } from './script/sql-splitter.js'
