/**
 * The shape of `migrate.config.ts`. Every key is optional; relative paths resolve against the
 * folder of the config file.
 *
 * @example
 * ```ts
 * import { defineConfig } from 'migraph'
 * export default defineConfig({ url: process.env.DATABASE_URL, migrations: 'migrations' })
 * ```
 */
export interface MigraphConfig {
  /**
   * Database URL. No `url` key means the embedded PGlite database at `.migraph/pglite`; a key
   * whose value is undefined or '' (an unset variable) is an error when the URL is needed.
   */
  readonly url?: string | undefined
  /** The versions folder, or several (Alembic's `version_locations`). Default `migrations`. */
  readonly migrations?: string | readonly string[] | undefined
  /** Name of the version table. Default `mig_version`. */
  readonly versionTable?: string | undefined
  /** Schema of the version table, where the dialect has schemas. */
  readonly versionTableSchema?: string | undefined
  /** One transaction per revision (default) or one for the whole run. */
  readonly transactionPerMigration?: boolean | undefined
  /** File name template for new revisions; `{rev}`, `{slug}`, `{year}`…`{second}`, `{epoch}`. */
  readonly fileTemplate?: string | undefined
  /** An ejs template that replaces the built-in `revision.ts.ejs`. */
  readonly template?: string | undefined
  /** Longest slug in a new file name (Alembic's `truncate_slug_length`). Default 40. */
  readonly truncateSlugLength?: number | undefined
  /** Stop waiting for the migration lock after this many milliseconds; 0 does not wait. Default 60 000. */
  readonly lockTimeout?: number | undefined
  /** Stop trying to connect after this many milliseconds (more than 0). Default 10 000. */
  readonly connectTimeout?: number | undefined
  /**
   * The migration lock: `'advisory'` (default) is the database's own lock (PostgreSQL advisory
   * lock, MySQL `GET_LOCK`, a lock file for embedded databases); `'table'` is a row in a lock
   * table, held under a lease renewed while the run lasts, for engines whose advisory locks do
   * nothing (CockroachDB, YugabyteDB) or are not shared (connection poolers, Vitess).
   */
  readonly lock?: 'advisory' | 'table' | undefined
  /** With `lock: 'table'`: the lease in milliseconds (at least 1 000). Default 30 000. */
  readonly lockLease?: number | undefined
  /**
   * Several databases, each with its own URL, versions folder(s), version table and options
   * (Alembic's `multidb`). Every other top-level key is a default each database may override.
   * `mig --db NAME` picks one (repeatable); without `--db`, commands act on each, in this order.
   */
  readonly databases?: Readonly<Record<string, DatabaseConfig>> | undefined
  /**
   * A fleet: the targets `mig upgrade head --all` (and `current`, `check`) runs the same
   * revisions on. `urls` are databases; `schemas` are PostgreSQL schemas of the configured
   * database, each with its own version table in it, revisions run with `search_path` set to it;
   * or an async function returning either (read from a tenants table, an API, …).
   */
  readonly targets?: TargetList | (() => Promise<TargetList> | TargetList) | undefined
}

/** The targets of a fleet: databases by URL, or schemas of the configured database. */
export type TargetList =
  | { readonly urls: readonly (string | { readonly name: string; readonly url: string })[] }
  | { readonly schemas: readonly string[] }

/** One database of a `databases` config: any config key but `databases`. */
export type DatabaseConfig = Omit<MigraphConfig, 'databases'>

/** The keys a config may hold; anything else is rejected with the file and key named. */
export const CONFIG_KEYS: readonly (keyof MigraphConfig)[] = Object.freeze([
  'url',
  'migrations',
  'versionTable',
  'versionTableSchema',
  'transactionPerMigration',
  'fileTemplate',
  'template',
  'truncateSlugLength',
  'lockTimeout',
  'connectTimeout',
  'lock',
  'lockLease',
  'databases',
  'targets',
])

/**
 * Types a config object; returns it unchanged. A plain object works just as well.
 *
 * @example
 * ```ts
 * export default defineConfig({ migrations: ['migrations', 'plugins/migrations'] })
 * ```
 */
export function defineConfig(config: MigraphConfig): MigraphConfig {
  return config
}
