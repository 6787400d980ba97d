import type { TimeoutsSetting } from './revision-limits.js'

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
  /**
   * Find revision files in the sub-folders of each versions folder too (Alembic's
   * `recursive_version_locations`); dot-folders, `node_modules` and `__pycache__` are skipped.
   * Default false: only the files directly in each folder.
   */
  readonly recursiveVersionLocations?: boolean | undefined
  /** Name of the version table. Default `mig_version`. */
  readonly versionTable?: string | undefined
  /** Schema of the version table, where the dialect has schemas. */
  readonly versionTableSchema?: string | undefined
  /** One transaction per revision (default) or one for the whole run. */
  readonly transactionPerMigration?: boolean | undefined
  /** File name template for new revisions; `{rev}`, `{slug}`, `{year}`…`{second}`, `{epoch}`. */
  readonly fileTemplate?: string | undefined
  /**
   * An ejs template that replaces the built-in `revision.ts.ejs`, or, when its name ends in
   * `.sql.ejs`, the built-in `revision.sql.ejs` of `.sql` revisions.
   */
  readonly template?: string | undefined
  /** What `mig revision` and `mig merge` write: TypeScript modules (`'ts'`, default) or `'sql'` files. */
  readonly revisionFormat?: 'ts' | 'sql' | undefined
  /** Longest slug in a new file name (Alembic's `truncate_slug_length`). Default 40. */
  readonly truncateSlugLength?: number | undefined
  /** Stop waiting for the migration lock after this many milliseconds; 0 does not wait. Default 60 000. */
  readonly lockTimeout?: number | undefined
  /** Stop trying to connect after this many milliseconds (more than 0). Default 10 000. */
  readonly connectTimeout?: number | undefined
  /**
   * The declared schema for `mig revision --autogenerate`, `mig diff` and `mig check --schema`:
   * a `.sql` file, or a folder whose `.sql` files load in name order, of DDL stating the schema
   * as it should be. It is loaded into a disposable in-memory database of the same kind.
   */
  readonly schema?: string | undefined
  /**
   * A `postgres://` or `mysql://` server on which throwaway databases are created (and always
   * dropped): MySQL/MariaDB's shadow of the declared schema, and the revisions replayed by `mig
   * schema dump` and `mig schema types`. Default: an in-memory PGlite or SQLite; for
   * MySQL/MariaDB, the database's own server.
   */
  readonly shadowUrl?: string | undefined
  /** The file `mig schema dump` writes and `mig setup` loads, relative to the config. */
  readonly schemaDump?: string | undefined
  /** A TypeScript file `mig schema types` writes, and every `upgrade`/`downgrade` rewrites. */
  readonly typesOut?: string | undefined
  /**
   * Database limits every revision runs under, in milliseconds: `lockTimeout` (how long a
   * statement waits for a table or row lock) and `statementTimeout`. A revision's own
   * `export const timeouts` overrides them. Unset: the database's own settings.
   */
  readonly timeouts?: TimeoutsSetting | undefined
  /** How many times a revision that failed on a lock timeout is tried again. Default 0. */
  readonly retries?: number | undefined
  /** Milliseconds before the first retry, doubled before each next one (at most 60 s). Default 1 000. */
  readonly retryDelay?: number | undefined
  /** `'error'`: `mig upgrade` runs `mig lint` on the revisions it would apply, and refuses on an error. Default `'off'`. */
  readonly lint?: 'error' | 'off' | undefined
  /**
   * Named profiles, each overriding any top-level key; chosen by `--env NAME` or `MIG_ENV`.
   *
   * @example
   * ```ts
   * environments: { staging: { url: '${STAGING_URL}' }, production: { url: '${PROD_URL}' } }
   * ```
   */
  readonly environments?: Readonly<Record<string, Omit<MigraphConfig, 'environments'>>> | undefined
  /**
   * Ask before any write (a terminal prompt, else `--yes`). Default: true for the environments
   * named `production`, `prod` and `live`, false otherwise.
   */
  readonly confirm?: boolean | undefined
  /** Shell commands or functions run around `upgrade` and `downgrade`. */
  readonly hooks?: HooksConfig | undefined
  /** Stop a hook that runs longer than this many milliseconds. Default 300 000 (5 minutes). */
  readonly hookTimeout?: number | undefined
  /** Commands run on every file `revision` and `merge` write; `{file}` is the file's path. */
  readonly postWrite?: readonly string[] | undefined
  /**
   * Alembic's `timezone`: an IANA name (`'UTC'`) for new revisions' Create Date (then with its
   * offset) and file-name date tokens. Default: local time.
   */
  readonly timezone?: string | undefined
  /** The seed folder, or several, for `mig seed`. Default `seeds`. */
  readonly seeds?: string | readonly string[] | undefined
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

/** When a hook runs. */
export type HookName = 'preUpgrade' | 'postUpgrade' | 'preDowngrade' | 'postDowngrade' | 'onError'

/** The hook names, in the order a run meets them. */
export const HOOK_NAMES: readonly HookName[] = Object.freeze([
  'preUpgrade',
  'postUpgrade',
  'preDowngrade',
  'postDowngrade',
  'onError',
])

/** What a function hook receives (a shell hook gets the same as `MIG_*` variables). */
export interface HookContext {
  readonly hook: HookName
  readonly command: 'upgrade' | 'downgrade'
  /** The environment profile, if one is selected. */
  readonly environment: string | undefined
  /** The target database, password masked. */
  readonly database: string
  /** The revision argument (`head`, `-1`, …). */
  readonly target: string
  /** The steps planned (pre-hooks) or run (post-hooks), in order. */
  readonly plan: readonly { readonly revision: string; readonly direction: 'up' | 'down' }[]
  /** The heads after the run (post-hooks). */
  readonly heads?: readonly string[] | undefined
  /** The failure (`onError`), password masked. */
  readonly error?: { readonly code: string; readonly message: string } | undefined
}

/**
 * A hook: a shell command; `{ run, passUrl: true }` to give it `MIG_DATABASE_URL` with the
 * password; or a function.
 */
export type Hook =
  | string
  | { readonly run: string; readonly passUrl?: boolean | undefined }
  | ((context: HookContext) => unknown)

/** `hooks` in the config: one hook or several per name. */
export type HooksConfig = Readonly<Partial<Record<HookName, Hook | readonly Hook[]>>>

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
  'recursiveVersionLocations',
  'versionTable',
  'versionTableSchema',
  'transactionPerMigration',
  'fileTemplate',
  'template',
  'revisionFormat',
  'truncateSlugLength',
  'lockTimeout',
  'connectTimeout',
  'schema',
  'shadowUrl',
  'schemaDump',
  'typesOut',
  'timeouts',
  'retries',
  'retryDelay',
  'lint',
  'environments',
  'confirm',
  'hooks',
  'hookTimeout',
  'postWrite',
  'seeds',
  'timezone',
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
