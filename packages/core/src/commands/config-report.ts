import type { Hook } from '../config/define-config.js'
import { HOOK_NAMES } from '../config/define-config.js'
import type { Project } from '../context.js'
import { describeTarget } from '../dialects/index.js'

/** One resolved setting: its value as shown (passwords masked) and where it came from. */
export interface ConfigValue {
  readonly key: string
  readonly value: string | number | boolean | null | readonly string[]
  /** `--url flag`, `MIG_DATABASE_URL variable`, `environment 'prod'`, `config file`, `default`… */
  readonly source: string
}

/** What `mig config` prints. */
export interface ConfigReport {
  readonly file: string | undefined
  readonly environment: { readonly name: string; readonly source: string } | null
  readonly values: readonly ConfigValue[]
}

/**
 * `mig config`: the configuration a command would use, after the environment profile, `${VAR}`
 * interpolation, variables and flags, each value with its source. Never connects; the password
 * is masked.
 */
export function configReport(project: Project): ConfigReport {
  const { config, options } = project
  const from = (key: string, flag?: string, flagGiven?: boolean): string =>
    flagGiven === true ? `${flag} flag` : (config.sources[key] ?? 'default')
  const { production } = config
  const values: ConfigValue[] = [
    { key: 'url', value: describeTarget(project.target()), source: project.urlSource() },
    { key: 'migrations', value: config.versionLocations, source: from('migrations') },
    {
      key: 'recursiveVersionLocations',
      value: config.recursiveVersionLocations,
      source: from('recursiveVersionLocations'),
    },
    { key: 'versionTable', value: config.versionTable, source: from('versionTable') },
    {
      key: 'versionTableSchema',
      value: config.versionTableSchema ?? null,
      source: from(config.sources.versionTableSchema === undefined ? 'versionTable' : 'versionTableSchema'),
    },
    {
      key: 'transactionPerMigration',
      value: config.transactionPerMigration,
      source: from('transactionPerMigration'),
    },
    { key: 'fileTemplate', value: config.fileTemplate, source: from('fileTemplate') },
    { key: 'template', value: config.template ?? null, source: from('template') },
    { key: 'truncateSlugLength', value: config.truncateSlugLength, source: from('truncateSlugLength') },
    {
      key: 'lockTimeout',
      value: project.lockTimeoutMs,
      source: from('lockTimeout', '--lock-timeout', options.lockTimeoutMs !== undefined),
    },
    {
      key: 'connectTimeout',
      value: project.connectTimeoutMs,
      source: from('connectTimeout', '--connect-timeout', options.connectTimeoutMs !== undefined),
    },
    {
      key: 'confirm',
      value: production.confirm,
      source:
        config.sources.confirm ??
        (production.confirm ? `default (environment named '${config.environment}')` : 'default'),
    },
    ...HOOK_NAMES.filter((name) => production.hooks[name].length > 0).map((name) => ({
      key: `hooks.${name}`,
      value: production.hooks[name].map(describeHook),
      source: from('hooks'),
    })),
    { key: 'hookTimeout', value: production.hookTimeoutMs, source: from('hookTimeout') },
    { key: 'postWrite', value: production.postWrite, source: from('postWrite') },
    { key: 'seeds', value: production.seedLocations, source: from('seeds') },
    { key: 'timezone', value: config.timezone ?? null, source: from('timezone') },
  ]
  const environment =
    config.environment === undefined
      ? null
      : {
          name: config.environment,
          source: options.environment !== undefined ? '--env flag' : 'MIG_ENV variable',
        }
  return { file: config.file, environment, values }
}

function describeHook(hook: Hook): string {
  if (typeof hook === 'function') return `[function ${hook.name || 'anonymous'}]`
  if (typeof hook === 'string') return hook
  return hook.passUrl === true ? `${hook.run} (with MIG_DATABASE_URL)` : hook.run
}
