/**
 * @migraph/schema: a normalised, dialect-aware model of a database schema, read from the
 * catalogs of PostgreSQL/PGlite and SQLite, and the diff of two models into the op data of
 * `@migraph/operations`, ordered so it runs, with the reverse ops for a downgrade.
 *
 * @example
 * ```ts
 * import { diffSchemas, formatDifferences, introspect } from '@migraph/schema'
 *
 * const diff = diffSchemas(await introspect(live, 'postgres'), await introspect(declared, 'postgres'))
 * console.log(formatDifferences(diff).join('\n'))
 * ```
 */

export { type DiffOptions, diffSchemas, type Renames } from './diff.js'
export {
  type Difference,
  type DiffStep,
  formatDifferences,
  type RenameCandidate,
  type SchemaDiff,
  type SchemaObjectKind,
} from './differences.js'
export { SchemaDialectMismatchError, SchemaError, UnsupportedSchemaFeatureError } from './errors.js'
export type { CatalogReader, IntrospectOptions } from './introspect/catalog-reader.js'
export { introspect } from './introspect/introspect.js'
export { kyselyCatalogReader } from './introspect/kysely-reader.js'
export { introspectMysql } from './introspect/mysql-introspect.js'
export { introspectPostgres } from './introspect/postgres-introspect.js'
export { introspectSqlite } from './introspect/sqlite-introspect.js'
export { renderKyselyTypes } from './kysely-types.js'
export {
  type CheckModel,
  type ColumnModel,
  type EnumModel,
  emptySchema,
  type ForeignKeyModel,
  type IndexModel,
  type IndexPartModel,
  type PrimaryKeyModel,
  type SchemaDialect,
  type SchemaModel,
  type SequenceModel,
  type TableModel,
  type UniqueModel,
  type ViewModel,
} from './model.js'
export { normalizeSql, normalizeType } from './normalize.js'
export { renderOp, renderSteps, usesSql } from './render-ops.js'
export { type ScriptStatement, splitStatements } from './sql-script.js'
