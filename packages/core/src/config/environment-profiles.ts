import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { ConfigError } from '../errors.js'
import { CONFIG_KEYS } from './define-config.js'

/** What selects an environment profile and fills `${VAR}`: the variables, `--env`, `--env-file`. */
export interface ProfileOptions {
  /** The variables `${VAR}` reads (and `.env` fills without overriding); default `process.env`. */
  readonly env?: Record<string, string | undefined> | undefined
  /** `--env NAME`; else `MIG_ENV`. */
  readonly environment?: string | undefined
  /** `--env-file FILE` (relative to `cwd`); else `.env` beside the config, when present. */
  readonly envFile?: string | undefined
  /** Where `--env-file` resolves from. */
  readonly cwd?: string | undefined
}

/** Where a resolved value came from, as `mig config` shows it. */
export type ValueSources = Readonly<Record<string, string>>

/** A raw config with its profile applied and its strings interpolated, and where each key came from. */
export interface ProfiledConfig {
  readonly config: Record<string, unknown>
  /** The selected environment profile, if any. */
  readonly environment: string | undefined
  readonly sources: ValueSources
}

/** Environment names that ask for confirmation before a write, as Migretti's do. */
export const PRODUCTION_NAMES: readonly string[] = Object.freeze(['production', 'prod', 'live'])

/**
 * Keys whose strings are shell commands: the shell expands their variables when it runs them, so
 * the config leaves `${VAR}` in them alone.
 */
const SHELL_KEYS = new Set(['hooks', 'postWrite'])

/**
 * Reads `--env-file`, or `.env` beside the config when there is one, into `env` without
 * overriding a variable already set. Returns the file read and the names it set.
 */
export function loadEnvFile(
  configFile: string | undefined,
  options: ProfileOptions,
): { readonly file: string | undefined; readonly names: ReadonlySet<string> } {
  const env = options.env ?? process.env
  let file: string | undefined
  if (options.envFile !== undefined) {
    file = resolve(options.cwd ?? process.cwd(), options.envFile)
    if (!existsSync(file)) throw new ConfigError(`--env-file: file not found: ${file}`, file)
  } else if (configFile !== undefined) {
    const beside = resolve(dirname(configFile), '.env')
    if (existsSync(beside)) file = beside
  }
  const names = new Set<string>()
  if (file === undefined) return { file, names }
  let parsed: Record<string, string>
  try {
    parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigError(`cannot read ${file}: ${message}`, file, { cause: error })
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue
    env[name] = value
    names.add(name)
  }
  return { file, names }
}

/**
 * Applies the selected `environments` profile over the top-level keys (each key it names replaces
 * the top-level one) and interpolates `${VAR}` / `${VAR:-default}` in every string value.
 */
export function applyProfile(
  raw: Record<string, unknown>,
  file: string | undefined,
  options: ProfileOptions,
  dotenv: { readonly file: string | undefined; readonly names: ReadonlySet<string> } = {
    file: undefined,
    names: new Set(),
  },
): ProfiledConfig {
  const where = file ?? 'config'
  const env = options.env ?? process.env
  const profiles = readProfiles(raw.environments, where, file)
  const fromFlag = options.environment !== undefined
  const name = options.environment ?? (env.MIG_ENV === '' ? undefined : env.MIG_ENV)
  const { environments: _, ...top } = raw
  const merged: Record<string, unknown> = { ...top }
  const sources: Record<string, string> = {}
  for (const key of Object.keys(top)) sources[key] = 'config file'
  if (name !== undefined) {
    const known = Object.keys(profiles)
    const profile = profiles[name]
    if (profile === undefined) {
      const via = fromFlag ? '--env' : 'MIG_ENV'
      throw new ConfigError(
        known.length === 0
          ? `unknown environment '${name}' (from ${via}): ${where} defines no environments`
          : `unknown environment '${name}' (from ${via}); known environments: ${known.join(', ')}`,
        file,
      )
    }
    for (const [key, value] of Object.entries(profile)) {
      merged[key] = value
      sources[key] = `environment '${name}'`
    }
  }
  for (const [key, value] of Object.entries(merged)) {
    if (SHELL_KEYS.has(key)) continue
    const used: string[] = []
    merged[key] = interpolate(value, env, `${where}: config key '${key}'`, file, used)
    if (used.length > 0) {
      const described = used.map((v) => (dotenv.names.has(v) ? `\${${v}} from ${dotenv.file}` : `\${${v}}`))
      sources[key] = `${sources[key]}, ${[...new Set(described)].join(', ')}`
    }
  }
  return { config: merged, environment: name, sources }
}

function readProfiles(
  value: unknown,
  where: string,
  file: string | undefined,
): Record<string, Record<string, unknown>> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${where}: config key 'environments' must be an object of profiles`, file)
  }
  const profiles: Record<string, Record<string, unknown>> = {}
  for (const [name, profile] of Object.entries(value as Record<string, unknown>)) {
    if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) {
      throw new ConfigError(`${where}: environments.${name} must be an object of config keys`, file)
    }
    for (const key of Object.keys(profile)) {
      if (key === 'environments' || !(CONFIG_KEYS as readonly string[]).includes(key)) {
        throw new ConfigError(
          `${where}: unknown config key '${key}' in environments.${name} (known keys: ${CONFIG_KEYS.filter((k) => k !== 'environments').join(', ')})`,
          file,
        )
      }
    }
    profiles[name] = profile as Record<string, unknown>
  }
  return profiles
}

const VARIABLE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/**
 * `${VAR}` and `${VAR:-default}` in a string (and in the strings of arrays and plain objects):
 * the default applies when VAR is unset or empty, as in a shell; `$${` writes a literal `${`. An
 * unset variable without a default is an error naming it, never an empty value that would point
 * a run at another database.
 */
export function interpolate(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  what: string,
  file: string | undefined,
  used: string[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value
    return value.replace(VARIABLE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${'
      const variable = name as string
      used.push(variable)
      const set = env[variable]
      if (fallback !== undefined) return set === undefined || set === '' ? fallback : set
      if (set === undefined) {
        throw new ConfigError(
          `${what} uses \${${variable}}, but ${variable} is not set (set it, add it to .env, or write \${${variable}:-default})`,
          file,
        )
      }
      return set
    })
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env, what, file, used))
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, what, file, used)]),
    )
  }
  return value
}
