import { type CheckResult, check, checkFailure } from './commands/check.js'
import {
  branches,
  current,
  type HistoryArgs,
  heads,
  history,
  type RevisionInfo,
  show,
} from './commands/inspect.js'
import { type MergeArgs, merge } from './commands/merge.js'
import { downgrade, ensureVersion, type MigrateResult, stamp, upgrade } from './commands/migrate.js'
import { type ResolveResult, resolve } from './commands/resolve.js'
import { type RevisionArgs, type RevisionResult, revision } from './commands/revision.js'
import { type SquashArgs, type SquashResult, squash } from './commands/squash.js'
import type { MigraphConfig } from './config/define-config.js'
import { findConfig } from './config/load-config.js'
import { resolveConfig } from './config/resolved-config.js'
import { defaultEnvironment, type GlobalOptions, Project, type Reporter } from './context.js'
import type { DialectName } from './dialects/dialect.js'
import {
  type ConnectionSource,
  isKyselyLike,
  isPgPoolLike,
  type KyselyLike,
  kyselySource,
  type PgPoolLike,
  pgPoolSource,
} from './dialects/shared-connection.js'
import { CommandError, ConfigError, type MigraphError } from './errors.js'

/** The application's own connections, shared with migraph: a Kysely instance or a `pg` Pool. */
export type SharedConnection = KyselyLike | PgPoolLike

/** How {@link createMigrator} finds its config, its database and where it reports. */
export interface MigratorOptions {
  /**
   * A config file (resolved against `cwd`) or a config object (its relative paths resolve
   * against `cwd`). Default: `migrate.config.*` found from `cwd` upwards, as `mig` finds it.
   */
  readonly config?: string | MigraphConfig | undefined
  /**
   * Share the application's connections instead of opening migraph's own: each command borrows
   * one session for its run and gives it back. The config's `url` is then not used.
   */
  readonly connection?: SharedConnection | undefined
  /** With `databases` in the config: the one this migrator acts on (required there). */
  readonly database?: string | undefined
  /** For a Kysely instance whose adapter migraph does not recognise. */
  readonly dialect?: DialectName | undefined
  /** A database URL; overrides `MIG_DATABASE_URL` and the config's `url` (as `--url` does). */
  readonly url?: string | undefined
  /** Where the config is searched for and relative paths resolve. Default `process.cwd()`. */
  readonly cwd?: string | undefined
  /** Told of progress (the target, each step); nothing is printed without one. */
  readonly reporter?: Partial<Reporter> | undefined
  /** `-x key=value` arguments, passed to revisions as `context.x`. */
  readonly x?: Readonly<Record<string, string>> | undefined
  /** Stop waiting for the migration lock after this long; 0 does not wait. */
  readonly lockTimeoutMs?: number | undefined
  readonly connectTimeoutMs?: number | undefined
}

/** What a migrator's upgrade and downgrade take beside the target. */
export interface MigrateOptions {
  /** Return the SQL script instead of executing (`--sql`); never connects. */
  readonly sql?: boolean | undefined
  /** Run even though applied revision files changed since (`--ignore-checksums`). */
  readonly ignoreChecksums?: boolean | undefined
}

/** What `status()` reports: `check`'s findings, and the error `check()` would throw, if any. */
export interface MigratorStatus extends CheckResult {
  /** True when nothing is pending, changed, unknown, failed or in conflict. */
  readonly upToDate: boolean
  /** The typed error `check()` throws for this state (most serious finding first). */
  readonly problem: MigraphError | undefined
}

/**
 * Every `mig` command as a function: each returns data, throws a typed `MigraphError` (the
 * same `code` as the CLI's), never exits the process and prints nothing unless given a
 * reporter.
 */
export interface Migrator {
  /** `mig upgrade`: apply revisions up to `target` (default `heads`: every branch). */
  upgrade(target?: string, options?: MigrateOptions): Promise<MigrateResult>
  /** `mig downgrade`: revert revisions down to `target` (`-1`, an id, `base`). */
  downgrade(target: string, options?: MigrateOptions): Promise<MigrateResult>
  /** `mig current`: the revisions the database records. Read-only. */
  current(): Promise<readonly RevisionInfo[]>
  /** `mig history`: revisions newest first, optionally in a range. */
  history(args?: HistoryArgs): Promise<readonly RevisionInfo[]>
  /** `mig heads`: the revisions nothing follows. Never connects. */
  heads(args?: { readonly resolveDependencies?: boolean }): Promise<readonly RevisionInfo[]>
  /** `mig branches`: the branch points. Never connects. */
  branches(): Promise<readonly RevisionInfo[]>
  /** `mig show <rev>`. */
  show(revision: string): Promise<readonly RevisionInfo[]>
  /** What `mig check` finds, without throwing for it. Read-only. */
  status(): Promise<MigratorStatus>
  /** `mig check`: throws the typed error for the most serious finding; returns when all is well. */
  check(): Promise<CheckResult>
  /** `mig stamp`: set the version table without running revisions. */
  stamp(
    revisions: string | readonly string[],
    options?: { readonly purge?: boolean; readonly sql?: boolean },
  ): Promise<MigrateResult>
  /** `mig ensure-version`: create the version table if missing. */
  ensureVersion(options?: { readonly sql?: boolean }): Promise<{ sql?: string }>
  /** `mig resolve`: settle a revision that failed half-way. */
  resolve(revision: string, outcome: 'applied' | 'rolled-back'): Promise<ResolveResult>
  /** `mig revision`: write a new revision file. */
  revision(args?: RevisionArgs): Promise<RevisionResult>
  /** `mig merge`: write a revision that merges heads. */
  merge(args: MergeArgs): Promise<RevisionResult>
  /** `mig squash`: write one revision in place of a line of revisions (`range`: `from:to`). */
  squash(args: SquashArgs): Promise<SquashResult>
  /** The project the functions run against (config, revision files, target). */
  project(): Promise<Project>
}

/**
 * Creates a {@link Migrator}. The first argument is the config (a file path or an object), or
 * the application's Kysely instance or `pg` Pool; `options` gives the rest. Nothing is read or
 * opened until the first call; the revision files are read once and kept.
 *
 * @example
 * ```ts
 * import { createMigrator } from 'migraph'
 * const migrator = createMigrator({ url: process.env.DATABASE_URL, migrations: 'migrations' })
 * const { steps } = await migrator.upgrade()
 * ```
 * @example
 * ```ts
 * const migrator = createMigrator(pool, { config: 'migrate.config.ts' }) // the app's pg Pool
 * ```
 */
export function createMigrator(
  source?: string | MigraphConfig | SharedConnection,
  options: MigratorOptions = {},
): Migrator {
  const shared = isKyselyLike(source) || isPgPoolLike(source)
  if (shared && options.connection !== undefined) {
    throw new CommandError(
      'createMigrator: give the shared connection once (first argument or options.connection)',
    )
  }
  if (!shared && source !== undefined && options.config !== undefined) {
    throw new CommandError('createMigrator: give the config once (first argument or options.config)')
  }
  const settings: MigratorOptions = shared
    ? { ...options, connection: source }
    : { ...options, config: (source as string | MigraphConfig | undefined) ?? options.config }
  let opening: Promise<Project> | undefined
  const project = () => {
    opening ??= openProject(settings).catch((error: unknown) => {
      // A config fixed on disk is read again on the next call.
      opening = undefined
      throw error
    })
    return opening
  }
  const migrateOptions = (o: MigrateOptions | undefined) => ({
    sql: o?.sql,
    ignoreChecksums: o?.ignoreChecksums,
  })
  return Object.freeze({
    upgrade: async (target = 'heads', o?: MigrateOptions) =>
      upgrade(await project(), { target, ...migrateOptions(o) }),
    downgrade: async (target: string, o?: MigrateOptions) =>
      downgrade(await project(), { target, ...migrateOptions(o) }),
    current: async () => current(await project()),
    history: async (args?: HistoryArgs) => history(await project(), args),
    heads: async (args?: { readonly resolveDependencies?: boolean }) => heads(await project(), args),
    branches: async () => branches(await project()),
    show: async (revisionId: string) => show(await project(), { revision: revisionId }),
    status: async () => {
      const result = await check(await project())
      const problem = checkFailure(result)
      return Object.freeze({ ...result, upToDate: problem === undefined, problem })
    },
    check: async () => {
      const result = await check(await project())
      const problem = checkFailure(result)
      if (problem !== undefined) throw problem
      return result
    },
    stamp: async (revisions: string | readonly string[], o?: { purge?: boolean; sql?: boolean }) =>
      stamp(await project(), {
        revisions: typeof revisions === 'string' ? [revisions] : revisions,
        purge: o?.purge,
        sql: o?.sql,
      }),
    ensureVersion: async (o?: { sql?: boolean }) => ensureVersion(await project(), o),
    resolve: async (revisionId: string, outcome: 'applied' | 'rolled-back') =>
      resolve(await project(), { revision: revisionId, outcome }),
    revision: async (args?: RevisionArgs) => revision(await project(), args),
    merge: async (args: MergeArgs) => merge(await project(), args),
    squash: async (args: SquashArgs) => squash(await project(), args),
    project,
  })
}

async function openProject(options: MigratorOptions): Promise<Project> {
  const reporter: Reporter = {
    ...options.reporter,
    info: options.reporter?.info?.bind(options.reporter) ?? (() => {}),
    warn: options.reporter?.warn?.bind(options.reporter) ?? (() => {}),
  }
  const environment = defaultEnvironment({
    reporter,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  })
  const globals: GlobalOptions = {
    url: options.url,
    x: options.x,
    lockTimeoutMs: options.lockTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
  }
  const config =
    typeof options.config === 'object' && options.config !== null
      ? resolveConfig(options.config, undefined, environment.cwd)
      : await findConfig({ cwd: environment.cwd, file: options.config })
  if (config === undefined) {
    throw new ConfigError(
      `no migrate.config.ts found in ${environment.cwd} or any parent folder (pass createMigrator a config object or file)`,
    )
  }
  if (options.connection !== undefined && options.url !== undefined) {
    throw new CommandError('createMigrator: give either a shared connection or a url, not both')
  }
  const project = new Project(config, environment, globals, await connectionSource(options))
  if (options.database !== undefined) return project.database(options.database)
  if (project.databaseNames.length > 0) {
    throw new ConfigError(
      `${config.file ?? 'the config'} names several databases (${project.databaseNames.join(', ')}): give createMigrator the database option; one migrator acts on one database`,
      config.file,
    )
  }
  return project
}

async function connectionSource(options: MigratorOptions): Promise<ConnectionSource | undefined> {
  const connection = options.connection
  if (connection === undefined) return undefined
  if (isKyselyLike(connection)) return kyselySource(connection, options.dialect)
  if (isPgPoolLike(connection)) return pgPoolSource(connection)
  throw new CommandError('createMigrator: the shared connection must be a Kysely instance or a pg Pool')
}
