/**
 * migraph: Alembic-style database migrations for TypeScript, built on a revision graph.
 *
 * The `mig` command is a thin layer over the functions exported here, so everything it does can
 * be done from code.
 *
 * @example
 * ```ts
 * // migrate.config.ts
 * import { defineConfig } from 'migraph'
 * export default defineConfig({ url: process.env.DATABASE_URL, migrations: 'migrations' })
 * ```
 */
export * from '@migraph/core'
export {
  type MigrationStep,
  type Revision,
  type RevisionInput,
  RevisionMap,
  type VersionChange,
} from '@migraph/graph'
export type { Operations, SqlFlavour } from '@migraph/operations'
/** Kysely's `sql` tag, for raw SQL in revisions (generated revisions use it for catalog text). */
export { sql } from '@migraph/operations'
