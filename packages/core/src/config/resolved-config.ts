import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import type { RetryPolicy } from '../runtime/retry-policy.js'
import { CONFIG_KEYS, type MigraphConfig } from './define-config.js'
import { applyProfile, type ProfileOptions, type ValueSources } from './environment-profiles.js'
import { type ProductionSettings, resolveProductionSettings } from './production-config.js'
import { readTimeouts } from './revision-limits.js'
import { type TimeoutKind, timeoutProblem } from './timeouts.js'
import { resolveTimezone } from './timezone.js'
import { splitVersionTable } from './version-table-name.js'

/** A validated config with defaults applied and paths made absolute. */
export interface ResolvedConfig {
  /** The config file, or undefined when running without one. */
  readonly file: string | undefined
  /** The folder relative paths resolve against (the config file's folder). */
  readonly baseDir: string
  /** The config's `url`; undefined when the key is absent or empty (see `emptyUrl`). */
  readonly url: string | undefined
  /**
   * Set when the config has a `url` key whose value is undefined, null or '' (typically an unset
   * environment variable): using the embedded database then would migrate the wrong database,
   * so the URL is an error when a command needs it. `variable` names the variable when the
   * config file's text shows `url: process.env.NAME`.
   */
  readonly emptyUrl: { readonly variable: string | undefined } | undefined
  readonly versionLocations: readonly string[]
  /** Whether revision files are found in the sub-folders of each versions folder too. */
  readonly recursiveVersionLocations: boolean
  /** The version table's own name (`'audit.versions'` in the config gives `versions`). */
  readonly versionTable: string
  /** Its schema, from `versionTableSchema` or a `schema.table` `versionTable`; else the default. */
  readonly versionTableSchema: string | undefined
  readonly transactionPerMigration: boolean
  readonly fileTemplate: string
  readonly template: string | undefined
  /** What new revisions are written as. */
  readonly revisionFormat: RevisionFormat
  readonly truncateSlugLength: number
  readonly lockTimeoutMs: number
  readonly connectTimeoutMs: number
  /** The declared schema's `.sql` file or folder, absolute; undefined when not configured. */
  readonly schema: string | undefined
  /** Where MySQL/MariaDB create the declared schema's shadow database; may hold a password. */
  readonly shadowUrl: string | undefined
  /** `schemaDump` and `typesOut`, absolute; undefined when not configured. */
  readonly schemaDump: string | undefined
  readonly typesOut: string | undefined
  /** The config's `timeouts`: the limits a revision runs under unless it sets its own. */
  readonly timeouts: { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null }
  /** `retries` and `retryDelay`: how a revision that failed on a lock timeout is tried again. */
  readonly retry: RetryPolicy
  /** `'error'`: upgrades run `mig lint` first. */
  readonly lint: 'error' | 'off'
  /** The environment profile applied (`--env`, `MIG_ENV`), if any. */
  readonly environment: string | undefined
  /** Where each key given in the config came from (`config file`, `environment 'prod'`, `${VAR}`…). */
  readonly sources: ValueSources
  /** `timezone`: the IANA zone of new revisions' dates; undefined for local time. */
  readonly timezone: string | undefined
  /** Confirmation, hooks and post-write commands. */
  readonly production: ProductionSettings
  /** Which migration lock (config `lock`); see {@link resolveLockStrategy}. */
  readonly lock: LockStrategy
  /**
   * The config's `databases`, in their order, each resolved with the top-level keys as
   * defaults; undefined for a single-database config. See {@link resolveDatabases}.
   */
  readonly databases: readonly NamedDatabase[] | undefined
  /** The config's `targets`, as given; read by `loadTargets` (fleet/targets.ts). */
  readonly targets: unknown
}

/** One database of a multi-database config. */
export interface NamedDatabase {
  readonly name: string
  readonly config: ResolvedConfig
}

/** The migration lock a config asks for. */
export type LockStrategy =
  | { readonly kind: 'advisory' }
  | { readonly kind: 'table' /** Config `lockLease`. */; readonly leaseMs: number }

/** The shortest lease `lock: 'table'` accepts: renewals every third of it must keep up. */
export const MIN_LOCK_LEASE_MS = 1000
const DEFAULT_LOCK_LEASE_MS = 30_000

/** Reads the `lock` and `lockLease` keys. */
export function resolveLockStrategy(
  config: Record<string, unknown>,
  file: string | undefined,
  where = file ?? 'config',
): LockStrategy {
  const kind = config.lock ?? 'advisory'
  const lease = config.lockLease
  if (kind !== 'advisory' && kind !== 'table') {
    throw new ConfigError(
      `${where}: config key 'lock' must be 'advisory' or 'table', got ${JSON.stringify(kind)}`,
      file,
    )
  }
  if (lease !== undefined && lease !== null) {
    if (
      typeof lease !== 'number' ||
      !Number.isInteger(lease) ||
      lease < MIN_LOCK_LEASE_MS ||
      lease > 86_400_000
    ) {
      throw new ConfigError(
        `${where}: config key 'lockLease' must be milliseconds from ${MIN_LOCK_LEASE_MS} to 86400000, got ${JSON.stringify(lease)}`,
        file,
      )
    }
    if (kind !== 'table') {
      throw new ConfigError(`${where}: config key 'lockLease' applies only with lock: 'table'`, file)
    }
  }
  return kind === 'advisory'
    ? Object.freeze({ kind })
    : Object.freeze({ kind, leaseMs: (lease as number | undefined) ?? DEFAULT_LOCK_LEASE_MS })
}

/** What `resolveConfig` needs beyond the raw object: the profile to apply and the `.env` read. */
export interface ResolveOptions extends ProfileOptions {
  readonly dotenv?: { readonly file: string | undefined; readonly names: ReadonlySet<string> } | undefined
}

/** The file formats of a revision: a TypeScript module or a SQL file. */
export type RevisionFormat = 'ts' | 'sql'

const DEFAULTS = {
  migrations: 'migrations',
  versionTable: 'mig_version',
  fileTemplate: '{rev}_{slug}',
  truncateSlugLength: 40,
  lockTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  retryDelayMs: 1_000,
} as const

/** Validate a raw config object (from a file or the API) and apply defaults. */
export function resolveConfig(
  raw: unknown,
  file: string | undefined,
  baseDir: string,
  options: ResolveOptions = {},
  /** Where, inside the file, the object sits (`databases.main`), for messages. */
  within?: string,
): ResolvedConfig {
  const where = `${file ?? 'config'}${within === undefined ? '' : ` (${within})`}`
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${where}: the config must export an object (default export)`, file)
  }
  const config = raw as Record<string, unknown>
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${where}: unknown config key '${key}' (known keys: ${CONFIG_KEYS.join(', ')})`,
        file,
      )
    }
  }
  const profiled = applyProfile(config, file, options, options.dotenv)
  return resolveProfiled(profiled.config, file, baseDir, profiled.environment, profiled.sources, within)
}

function resolveProfiled(
  config: Record<string, unknown>,
  file: string | undefined,
  baseDir: string,
  environment: string | undefined,
  sources: ValueSources,
  within: string | undefined,
): ResolvedConfig {
  const where = `${file ?? 'config'}${within === undefined ? '' : ` (${within})`}`
  const c = config as MigraphConfig
  const str = (key: keyof MigraphConfig): string | undefined => {
    const value = config[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`${where}: config key '${key}' must be a non-empty string`, file)
    }
    return value
  }
  // Blank names are refused by `splitVersionTable`, with the key named.
  const nonEmpty = (key: 'versionTable' | 'versionTableSchema'): string | undefined => {
    const value = config[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') {
      throw new ConfigError(`${where}: config key '${key}' must be a string`, file)
    }
    return value
  }
  const num = (key: keyof MigraphConfig, fallback: number): number => {
    const value = config[key]
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`${where}: config key '${key}' must be a positive number`, file)
    }
    return value
  }
  const timeout = (
    key: 'lockTimeout' | 'connectTimeout' | 'retryDelay',
    kind: TimeoutKind,
    fallback: number,
  ): number => {
    const value = config[key]
    if (value === undefined || value === null) return fallback
    const problem = typeof value === 'number' ? timeoutProblem(value, kind) : 'is not a number'
    if (problem !== undefined) {
      const range = kind === 'lock' ? '0 or more (0: do not wait)' : 'more than 0'
      throw new ConfigError(
        `${where}: config key '${key}' ${problem} (${typeof value === 'string' ? JSON.stringify(value) : String(value)}); give milliseconds, ${range}`,
        file,
      )
    }
    return value as number
  }
  const timeouts =
    config.timeouts === undefined || config.timeouts === null ? {} : readTimeouts(config.timeouts)
  if (typeof timeouts === 'string') throw new ConfigError(`${where}: config key 'timeouts' ${timeouts}`, file)
  const retries = config.retries ?? 0
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new ConfigError(
      `${where}: config key 'retries' must be a whole number from 0 to 100, got ${JSON.stringify(retries)}`,
      file,
    )
  }
  const lint = config.lint ?? 'off'
  if (lint !== 'error' && lint !== 'off') {
    throw new ConfigError(
      `${where}: config key 'lint' must be 'error' or 'off', got ${JSON.stringify(lint)}`,
      file,
    )
  }
  const locations = c.migrations ?? DEFAULTS.migrations
  const list = typeof locations === 'string' ? [locations] : locations
  if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string' || p === '')) {
    throw new ConfigError(
      `${where}: config key 'migrations' must be a folder or a non-empty list of folders`,
      file,
    )
  }
  const recursiveVersionLocations = config.recursiveVersionLocations
  if (recursiveVersionLocations !== undefined && typeof recursiveVersionLocations !== 'boolean') {
    throw new ConfigError(`${where}: config key 'recursiveVersionLocations' must be true or false`, file)
  }
  const transactionPerMigration = config.transactionPerMigration
  if (transactionPerMigration !== undefined && typeof transactionPerMigration !== 'boolean') {
    throw new ConfigError(`${where}: config key 'transactionPerMigration' must be true or false`, file)
  }
  const template = str('template')
  const declaredSchema = str('schema')
  const revisionFormat = str('revisionFormat') ?? 'ts'
  if (revisionFormat !== 'ts' && revisionFormat !== 'sql') {
    throw new ConfigError(
      `${where}: config key 'revisionFormat' must be 'ts' or 'sql', got ${JSON.stringify(revisionFormat)}`,
      file,
    )
  }
  const url = config.url
  const emptyUrl = Object.hasOwn(config, 'url') && (url === undefined || url === null || url === '')
  const versionTable = splitVersionTable(
    nonEmpty('versionTable') ?? DEFAULTS.versionTable,
    nonEmpty('versionTableSchema'),
    { file },
  )
  return Object.freeze({
    file,
    baseDir,
    url: emptyUrl ? undefined : str('url'),
    emptyUrl: emptyUrl ? Object.freeze({ variable: urlVariable(file) }) : undefined,
    versionLocations: Object.freeze(list.map((p) => absolute(baseDir, p))),
    recursiveVersionLocations: recursiveVersionLocations ?? false,
    versionTable: versionTable.table,
    versionTableSchema: versionTable.schema,
    transactionPerMigration: transactionPerMigration ?? true,
    fileTemplate: str('fileTemplate') ?? DEFAULTS.fileTemplate,
    template: template === undefined ? undefined : absolute(baseDir, template),
    revisionFormat,
    truncateSlugLength: num('truncateSlugLength', DEFAULTS.truncateSlugLength),
    lockTimeoutMs: timeout('lockTimeout', 'lock', DEFAULTS.lockTimeoutMs),
    connectTimeoutMs: timeout('connectTimeout', 'connect', DEFAULTS.connectTimeoutMs),
    schema: declaredSchema === undefined ? undefined : absolute(baseDir, declaredSchema),
    shadowUrl: str('shadowUrl'),
    ...schemaFiles(baseDir, str('schemaDump'), str('typesOut')),
    timeouts: Object.freeze(timeouts),
    lint,
    retry: Object.freeze({ retries, delayMs: timeout('retryDelay', 'lock', DEFAULTS.retryDelayMs) }),
    environment,
    sources,
    timezone: resolveTimezone(config.timezone, where, file),
    production: resolveProductionSettings(config, environment, where, file, baseDir),
    lock: resolveLockStrategy(config, file, where),
    databases: within === undefined ? resolveDatabases(config, file, baseDir) : undefined,
    targets: config.targets,
  })
}

function schemaFiles(
  baseDir: string,
  schemaDump: string | undefined,
  typesOut: string | undefined,
): { schemaDump: string | undefined; typesOut: string | undefined } {
  return {
    schemaDump: schemaDump === undefined ? undefined : absolute(baseDir, schemaDump),
    typesOut: typesOut === undefined ? undefined : absolute(baseDir, typesOut),
  }
}

/** A database name: what `--db` takes and messages show. */
const DATABASE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/**
 * Reads `databases`: each entry is the top-level config (less `databases`) with the entry's own
 * keys over it, validated as a config of its own, so a mistake names the file and the database.
 */
export function resolveDatabases(
  config: Record<string, unknown>,
  file: string | undefined,
  baseDir: string,
): readonly NamedDatabase[] | undefined {
  const where = file ?? 'config'
  const databases = config.databases
  if (databases === undefined || databases === null) return undefined
  if (typeof databases !== 'object' || Array.isArray(databases) || Object.keys(databases).length === 0) {
    throw new ConfigError(
      `${where}: config key 'databases' must be an object naming at least one database, e.g. { main: { url: ... } }`,
      file,
    )
  }
  const { databases: _, ...defaults } = config
  return Object.freeze(
    Object.entries(databases as Record<string, unknown>).map(([name, entry]) => {
      if (!DATABASE_NAME.test(name)) {
        throw new ConfigError(
          `${where}: database name '${name}' must be letters, digits, '_', '.' or '-' (it is what --db takes)`,
          file,
        )
      }
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw new ConfigError(`${where}: databases.${name} must be an object of config keys`, file)
      }
      if (Object.hasOwn(entry, 'databases')) {
        throw new ConfigError(`${where}: databases.${name} cannot hold 'databases' of its own`, file)
      }
      return Object.freeze({
        name,
        config: resolveConfig({ ...defaults, ...entry }, file, baseDir, {}, `databases.${name}`),
      })
    }),
  )
}

/**
 * The environment variable a config file's `url` key reads, when its text shows one
 * (`url: process.env.DATABASE_URL`, `url: process.env['DATABASE_URL']`); read only to explain an
 * empty `url`.
 */
function urlVariable(file: string | undefined): string | undefined {
  if (file === undefined) return undefined
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const found = /\burl\s*:\s*process\.env(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([^'"`]+)\2\s*\])/.exec(source)
  return found?.[1] ?? found?.[3]
}

function absolute(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path)
}
