import type { MigrationStep } from '@migraph/graph'
import { findConfig } from './config/load-config.js'
import type { ResolvedConfig } from './config/resolved-config.js'
import type { DatabaseTarget, MigrationDialect } from './dialects/dialect.js'
import { dialectFor, resolveTarget } from './dialects/index.js'
import { nodeCrypto } from './digest.js'
import { ConfigError } from './errors.js'
import { importModule, type ModuleImporter } from './script/import-module.js'
import { ScriptDirectory } from './script/script-directory.js'

/** Progress a run reports; the CLI prints it to stderr, the API may ignore it. */
export interface Reporter {
  info(message: string): void
  warn(message: string): void
  /** How many steps the run about to start holds (told before the first, when there are any). */
  stepsPlanned?(count: number): void
  stepStarted?(step: MigrationStep): void
  stepFinished?(step: MigrationStep, durationMs: number): void
  stepFailed?(step: MigrationStep, durationMs: number): void
}

/** The outside world, injected so tests need no monkey-patching. */
export interface Environment {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly importModule: ModuleImporter
  readonly now: () => Date
  readonly generateRevisionId: () => string
  readonly reporter: Reporter
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
}

const silent: Reporter = { info: () => {}, warn: () => {} }

/** The real world: process cwd and env, tsx-backed imports, wall clock, random 12-hex ids. */
export function defaultEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    cwd: process.cwd(),
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
  #scripts: Promise<ScriptDirectory> | undefined

  constructor(config: ResolvedConfig, environment: Environment, options: GlobalOptions = {}) {
    this.config = config
    this.environment = environment
    this.options = options
  }

  /** Finds the config (or loads `options.config`) and opens the project it describes. */
  static async open(options: GlobalOptions = {}, environment = defaultEnvironment()): Promise<Project> {
    const config = await findConfig({ cwd: environment.cwd, file: options.config })
    if (config === undefined) {
      throw new ConfigError(
        `no migrate.config.ts found in ${environment.cwd} or any parent folder (run 'mig init', or pass -c/--config)`,
      )
    }
    return new Project(config, environment, options)
  }

  /** The revision files and their graph; validated before any connection is opened. */
  scripts(): Promise<ScriptDirectory> {
    this.#scripts ??= ScriptDirectory.load(this.config.versionLocations, this.environment.importModule, (m) =>
      this.environment.reporter.warn(m),
    )
    return this.#scripts
  }

  /** The database URL by precedence: `--url` > `MIG_DATABASE_URL` > config `url` > embedded PGlite. */
  target(): DatabaseTarget {
    const url = this.options.url ?? nonEmpty(this.environment.env.MIG_DATABASE_URL) ?? this.config.url
    return resolveTarget(url, this.config.baseDir)
  }

  dialect(): MigrationDialect {
    return dialectFor(this.target())
  }

  get lockTimeoutMs(): number {
    return this.options.lockTimeoutMs ?? this.config.lockTimeoutMs
  }

  get connectTimeoutMs(): number {
    return this.options.connectTimeoutMs ?? this.config.connectTimeoutMs
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
