import type { MigrationStep } from '@migraph/graph'
import type { ConfirmRequest } from './commands/deploy-guard.js'
import { findConfig } from './config/load-config.js'
import type { ResolvedConfig } from './config/resolved-config.js'
import { type TimeoutKind, timeoutProblem } from './config/timeouts.js'
import type { DatabaseTarget, MigrationDialect } from './dialects/dialect.js'
import { describeTarget, dialectFor, resolveTarget } from './dialects/index.js'
import type { ConnectionSource } from './dialects/shared-connection.js'
import { nodeCrypto } from './digest.js'
import { CommandError, ConfigError, MigraphError } from './errors.js'
import type { FleetTarget } from './fleet/targets.js'
import { importModule, type ModuleImporter } from './script/import-module.js'
import { ScriptDirectory } from './script/script-directory.js'

/** Progress a run reports; the CLI prints it to stderr, the API may ignore it. */
export interface Reporter {
  info(message: string): void
  warn(message: string): void
  /** How many steps the run about to start holds (told before the first, when there are any). */
  stepsPlanned?(count: number): void
  /** `note` says how the step runs when that is not the usual way (`outside a transaction: …`). */
  stepStarted?(step: MigrationStep, note?: string): void
  stepFinished?(step: MigrationStep, durationMs: number): void
  stepFailed?(step: MigrationStep, durationMs: number): void
  /** The last `count` steps reported as started will run again (a retry after a lock timeout). */
  stepsRewound?(count: number): void
  /**
   * A structured event for machine-readable logs (`lock-wait`, `lock-acquired`), beside the
   * human line `info` may also carry.
   */
  event?(name: string, fields: Readonly<Record<string, unknown>>): void
}

/** The outside world, injected so tests need no monkey-patching. */
export interface Environment {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly importModule: ModuleImporter
  readonly now: () => Date
  readonly generateRevisionId: () => string
  readonly reporter: Reporter
  /**
   * Asks the user to confirm a write (a terminal prompt); undefined when nobody can be asked, so
   * a write that needs confirmation is refused unless `--yes` was given.
   */
  readonly confirm?: ((request: ConfirmRequest) => Promise<boolean>) | undefined
}

/** Options every command accepts (the CLI's global flags). */
export interface GlobalOptions {
  /** `-c/--config`: an explicit config file. */
  readonly config?: string | undefined
  /** `--url`: overrides `MIG_DATABASE_URL` and the config's `url`. */
  readonly url?: string | undefined
  /** `-x key=value` pairs, passed to revisions. */
  readonly x?: Readonly<Record<string, string>> | undefined
  readonly lockTimeoutMs?: number | undefined
  readonly connectTimeoutMs?: number | undefined
  /** `--env NAME`: the environment profile (else `MIG_ENV`). */
  readonly environment?: string | undefined
  /** `--env-file FILE`: read instead of the `.env` beside the config. */
  readonly envFile?: string | undefined
  /** `--yes`: confirms a write to an environment that asks for confirmation. */
  readonly yes?: boolean | undefined
}

const silent: Reporter = { info: () => {}, warn: () => {} }

/**
 * The process's working directory. A shell can sit in a folder that was deleted (or moved) under
 * it; Node then cannot tell where it is, and nothing relative can be resolved.
 */
export function workingDirectory(): string {
  try {
    return process.cwd()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    throw new MigraphError('cwd-missing', WORKING_DIRECTORY_GONE, { cause: error })
  }
}

/** What `mig` says when its working directory is gone (`bin/mig.cjs` says it too, before loading). */
export const WORKING_DIRECTORY_GONE =
  'the working directory no longer exists (it was deleted or moved); cd to an existing folder and run the command again'

/** The real world: process cwd and env, tsx-backed imports, wall clock, random 12-hex ids. */
export function defaultEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    cwd: overrides.cwd ?? workingDirectory(),
    env: process.env,
    importModule,
    now: () => new Date(),
    generateRevisionId: () => nodeCrypto().randomBytes(6).toString('hex'),
    reporter: silent,
    ...overrides,
  }
}

/**
 * A configured project: its config, its revision files (read once, lazily) and its database
 * target. Every command but `init` and `list-templates` runs against one.
 */
export class Project {
  readonly config: ResolvedConfig
  readonly environment: Environment
  readonly options: GlobalOptions
  /**
   * Set when the application shares its own connections (a Kysely instance or a `pg` Pool):
   * sessions are borrowed from it, and the URL options and config `url` are not used.
   */
  readonly connectionSource: ConnectionSource | undefined
  /** The database's name in a multi-database config (see {@link Project.database}). */
  readonly databaseName: string | undefined
  /** The fleet target this project stands for (see {@link Project.forTarget}). */
  readonly fleetTarget: FleetTarget | undefined
  #scripts: Promise<ScriptDirectory> | undefined

  constructor(
    config: ResolvedConfig,
    environment: Environment,
    options: GlobalOptions = {},
    connectionSource?: ConnectionSource,
    databaseName?: string,
    fleetTarget?: FleetTarget,
  ) {
    this.config = config
    this.environment = environment
    this.options = options
    this.connectionSource = connectionSource
    this.databaseName = databaseName
    this.fleetTarget = fleetTarget
  }

  /**
   * The project as one fleet target sees it: a URL target's database instead of the configured
   * one; a schema target's version table in that schema (revisions run with `search_path` set
   * to it). The revision files are read once for the whole fleet.
   */
  forTarget(target: FleetTarget, environment: Environment = this.environment): Project {
    const config =
      target.schema === undefined
        ? this.config
        : Object.freeze({ ...this.config, versionTableSchema: target.schema })
    const options = target.url === undefined ? this.options : { ...this.options, url: target.url }
    const project = new Project(
      config,
      environment,
      options,
      this.connectionSource,
      this.databaseName,
      target,
    )
    project.#scripts = this.scripts()
    return project
  }

  /** The names of a multi-database config's databases, in order; empty for one database. */
  get databaseNames(): readonly string[] {
    return this.config.databases?.map((d) => d.name) ?? []
  }

  /**
   * One database of a multi-database config, as a project of its own (its URL, versions
   * folders, version table and options). An unknown name is an error listing the known ones.
   */
  database(name: string): Project {
    const found = this.config.databases?.find((d) => d.name === name)
    if (found === undefined) {
      const where = this.config.file ?? 'the config'
      throw new ConfigError(
        this.config.databases === undefined
          ? `${where} has no 'databases', so there is no database '${name}' to select`
          : `unknown database '${name}' (${where} names: ${this.databaseNames.join(', ')})`,
        this.config.file,
      )
    }
    return new Project(found.config, this.environment, this.options, this.connectionSource, name)
  }

  /** Finds the config (or loads `options.config`) and opens the project it describes. */
  static async open(options: GlobalOptions = {}, environment = defaultEnvironment()): Promise<Project> {
    const config = await findConfig({
      cwd: environment.cwd,
      file: options.config,
      environment: options.environment,
      envFile: options.envFile,
      // `.env` fills the variables the config (and `${VAR}`) read.
      env: environment.env as Record<string, string | undefined>,
    })
    if (config === undefined) {
      throw new ConfigError(
        `no migrate.config.ts found in ${environment.cwd} or any parent folder (run 'mig init', or pass -c/--config)`,
      )
    }
    return new Project(config, environment, options)
  }

  /** The revision files and their graph; validated before any connection is opened. */
  scripts(): Promise<ScriptDirectory> {
    this.#scripts ??= ScriptDirectory.load(this.config.versionLocations, this.environment.importModule, {
      recursive: this.config.recursiveVersionLocations,
    })
    return this.#scripts
  }

  /**
   * The database URL by precedence: `--url` > `MIG_DATABASE_URL` > config `url` > embedded PGlite.
   * The embedded default applies only when the config has no `url` key at all: a key whose
   * value is empty (an unset variable) is an error, not a reason to migrate another database.
   */
  target(): DatabaseTarget {
    if (this.connectionSource !== undefined) return this.connectionSource.target
    const url = this.options.url ?? fromEnvironment(this.environment.env) ?? this.config.url
    if (url === undefined && this.config.emptyUrl !== undefined) {
      throw emptyUrlError(this.config, this.config.emptyUrl.variable, this.environment.env)
    }
    return resolveTarget(url, this.config.baseDir)
  }

  /** Where the URL `target()` uses comes from, as `mig config` shows it. */
  urlSource(): string {
    if (this.options.url !== undefined) return '--url flag'
    if (fromEnvironment(this.environment.env) !== undefined) return 'MIG_DATABASE_URL variable'
    if (this.config.url !== undefined) return this.config.sources.url ?? 'config file'
    return 'default (embedded PGlite)'
  }

  /**
   * The target, first announced through the reporter: every command that writes to the database
   * says which one before it touches it (the password masked).
   */
  announceTarget(): DatabaseTarget {
    const target = this.target()
    const name = this.databaseName === undefined ? '' : ` (database '${this.databaseName}')`
    this.environment.reporter.info(`Target database: ${describeTarget(target)}${name}`)
    return target
  }

  dialect(): MigrationDialect {
    if (this.connectionSource !== undefined) return this.connectionSource.dialect
    return dialectFor(this.target())
  }

  /** `lockTimeoutMs` of the options, else the config's `lockTimeout`; 0 means do not wait. */
  get lockTimeoutMs(): number {
    return checkedTimeout('lockTimeoutMs', this.options.lockTimeoutMs, 'lock') ?? this.config.lockTimeoutMs
  }

  /** `connectTimeoutMs` of the options, else the config's `connectTimeout`. */
  get connectTimeoutMs(): number {
    return (
      checkedTimeout('connectTimeoutMs', this.options.connectTimeoutMs, 'connect') ??
      this.config.connectTimeoutMs
    )
  }
}

function emptyUrlError(
  config: ResolvedConfig,
  variable: string | undefined,
  env: Environment['env'],
): ConfigError {
  const where = config.file ?? 'config'
  const why =
    variable === undefined
      ? ''
      : env[variable] === undefined
        ? `: ${variable} is not set`
        : `: ${variable} is empty`
  return new ConfigError(
    `${where}: config key 'url' is empty${why} (set it, pass --url, or remove the 'url' key to use the embedded database)`,
    config.file,
  )
}

function checkedTimeout(option: string, ms: number | undefined, kind: TimeoutKind): number | undefined {
  if (ms === undefined) return undefined
  const problem = timeoutProblem(ms, kind)
  if (problem !== undefined) throw new CommandError(`option ${option} (${ms}) ${problem}`)
  return ms
}

/**
 * `MIG_DATABASE_URL`, when set. Set but empty (a CI secret that is missing) is an error: read as
 * unset, it would migrate the config's database or the embedded one instead of the intended one.
 */
function fromEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env.MIG_DATABASE_URL
  if (value === undefined || value.trim() !== '') return value
  throw new ConfigError(
    'MIG_DATABASE_URL is set but empty: set it to a database URL, or unset it to use the config',
  )
}
