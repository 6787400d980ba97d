import { isAbsolute, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { HOOK_NAMES, type Hook, type HookName } from './define-config.js'
import { PRODUCTION_NAMES } from './environment-profiles.js'

/** The keys that guard and surround a deploy, validated. */
export interface ProductionSettings {
  /** Ask before a write: `confirm`, else whether the environment is named production/prod/live. */
  readonly confirm: boolean
  readonly hooks: Readonly<Record<HookName, readonly Hook[]>>
  readonly hookTimeoutMs: number
  readonly postWrite: readonly string[]
  /** Absolute seed folders (`seeds`), in the order given. */
  readonly seedLocations: readonly string[]
}

/** Default `hookTimeout`: five minutes. */
export const DEFAULT_HOOK_TIMEOUT_MS = 300_000

/** Validates `confirm`, `hooks`, `hookTimeout` and `postWrite` of an already profiled config. */
export function resolveProductionSettings(
  config: Record<string, unknown>,
  environment: string | undefined,
  where: string,
  file: string | undefined,
  baseDir: string,
): ProductionSettings {
  const fail = (message: string) => new ConfigError(`${where}: ${message}`, file)
  const confirm = config.confirm
  if (confirm !== undefined && confirm !== null && typeof confirm !== 'boolean') {
    throw fail("config key 'confirm' must be true or false")
  }
  const named = environment !== undefined && PRODUCTION_NAMES.includes(environment.toLowerCase())
  const timeout = config.hookTimeout
  if (
    timeout !== undefined &&
    timeout !== null &&
    (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
  ) {
    throw fail("config key 'hookTimeout' must be a positive number of milliseconds")
  }
  const postWrite = config.postWrite ?? []
  const postWriteList = typeof postWrite === 'string' ? [postWrite] : postWrite
  if (!Array.isArray(postWriteList) || postWriteList.some((c) => typeof c !== 'string' || c.trim() === '')) {
    throw fail("config key 'postWrite' must be a list of shell commands")
  }
  const seeds = config.seeds ?? 'seeds'
  const seedList = typeof seeds === 'string' ? [seeds] : seeds
  if (
    !Array.isArray(seedList) ||
    seedList.length === 0 ||
    seedList.some((p) => typeof p !== 'string' || p === '')
  ) {
    throw fail("config key 'seeds' must be a folder or a non-empty list of folders")
  }
  return Object.freeze({
    seedLocations: Object.freeze(seedList.map((p: string) => (isAbsolute(p) ? p : resolve(baseDir, p)))),
    confirm: typeof confirm === 'boolean' ? confirm : named,
    hooks: readHooks(config.hooks, fail),
    hookTimeoutMs: typeof timeout === 'number' ? timeout : DEFAULT_HOOK_TIMEOUT_MS,
    postWrite: Object.freeze([...(postWriteList as string[])]),
  })
}

function readHooks(
  value: unknown,
  fail: (message: string) => ConfigError,
): Readonly<Record<HookName, readonly Hook[]>> {
  const hooks = Object.fromEntries(HOOK_NAMES.map((name) => [name, [] as Hook[]])) as Record<HookName, Hook[]>
  if (value === undefined || value === null) return hooks
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw fail(`config key 'hooks' must be an object (${HOOK_NAMES.join(', ')})`)
  }
  for (const [name, given] of Object.entries(value as Record<string, unknown>)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) {
      throw fail(`unknown hook 'hooks.${name}' (known hooks: ${HOOK_NAMES.join(', ')})`)
    }
    const list = Array.isArray(given) ? given : [given]
    for (const hook of list) {
      if (!isHook(hook)) {
        throw fail(`hooks.${name} must be a shell command, { run: 'command', passUrl: true } or a function`)
      }
    }
    hooks[name as HookName] = list as Hook[]
  }
  return hooks
}

function isHook(hook: unknown): hook is Hook {
  if (typeof hook === 'function') return true
  if (typeof hook === 'string') return hook.trim() !== ''
  if (hook === null || typeof hook !== 'object') return false
  const { run, passUrl, ...rest } = hook as Record<string, unknown>
  return (
    typeof run === 'string' &&
    run.trim() !== '' &&
    (passUrl === undefined || typeof passUrl === 'boolean') &&
    Object.keys(rest).length === 0
  )
}
