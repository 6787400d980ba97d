import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, parse, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { importExternal } from '../external-import.js'
import { importConfigModule } from '../script/config-module.js'
import { describeImportError } from '../script/import-module.js'
import { CONFIG_FILES } from './config-files.js'
import { loadEnvFile, type ProfileOptions } from './environment-profiles.js'
import { type ResolvedConfig, type ResolveOptions, resolveConfig } from './resolved-config.js'

export { CONFIG_FILES }

export interface LoadConfigOptions extends ProfileOptions {
  /** Where the upward search starts. */
  readonly cwd: string
  /** An explicit file (`-c/--config`); it must exist. */
  readonly file?: string | undefined
}

/**
 * Finds and loads `migrate.config.*` (or the `migraph` key of a package.json) with cosmiconfig,
 * TypeScript through tsx. Returns undefined when no config exists anywhere up the tree, so
 * commands that can run without one (the embedded default) still work.
 */
export async function findConfig(options: LoadConfigOptions): Promise<ResolvedConfig | undefined> {
  if (options.file !== undefined) {
    const file = resolve(options.cwd, options.file)
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`, file)
    return loadConfigFile(file, options)
  }
  // A direct probe is much cheaper than cosmiconfig's loader set-up, and is by far the common case.
  for (let dir = options.cwd; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const file = resolve(dir, name)
      if (existsSync(file)) return loadConfigFile(file, options)
    }
    if (existsSync(resolve(dir, 'package.json'))) {
      const fromPackage = await searchPackageJson(dir, options)
      if (fromPackage !== undefined) return fromPackage
    }
    if (dir === parse(dir).root) {
      // No config: an `--env-file` is still read (and must exist).
      loadEnvFile(undefined, options)
      return undefined
    }
  }
}

/** Config files that are modules: imported directly, without cosmiconfig. */
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'])

/**
 * Loads one config file (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`, `.json` or a package.json).
 * The `.env` beside it (or `--env-file`) is read first, so that the module sees its variables.
 */
export async function loadConfigFile(file: string, profile: ProfileOptions = {}): Promise<ResolvedConfig> {
  const options: ResolveOptions = { ...profile, dotenv: loadEnvFile(file, profile) }
  if (MODULE_EXTENSIONS.has(extname(file))) {
    // The common case skips cosmiconfig, whose loading alone costs more than the rest of a
    // graph-only command. It does what cosmiconfig would: an empty file is an empty config, and
    // a `$import` key (cosmiconfig's merging of other files) takes the cosmiconfig path below.
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
      throw new ConfigError(`cannot load config ${file}: ${message}`, file, { cause: error })
    }
    if (source.trim() === '') throw emptyConfig(file)
    const config = await loadConfigModule(file)
    if (config === undefined || config === null) throw emptyConfig(file)
    if (typeof config !== 'object' || !Object.hasOwn(config, '$import')) {
      return resolveConfig(config, file, dirname(file), options)
    }
  }
  const { cosmiconfig } = await importExternal<typeof import('cosmiconfig')>('cosmiconfig')
  const loader = (path: string) => loadConfigModule(path)
  const explorer = cosmiconfig('migraph', {
    loaders: Object.fromEntries([...MODULE_EXTENSIONS].map((extension) => [extension, loader])),
    cache: false,
  })
  let result: Awaited<ReturnType<typeof explorer.load>>
  try {
    result = await explorer.load(file)
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigError(`cannot load config ${file}: ${message}`, file, { cause: error })
  }
  if (result === null || result.isEmpty === true) throw emptyConfig(file)
  return resolveConfig(result.config, file, dirname(file), options)
}

/** Imports a config module; its default export, else the module itself. */
async function loadConfigModule(file: string): Promise<unknown> {
  try {
    const mod = await importConfigModule(file)
    return mod.default ?? mod
  } catch (error) {
    throw new ConfigError(`cannot load config ${describeImportError(file, error)}`, file, { cause: error })
  }
}

function emptyConfig(file: string): ConfigError {
  return new ConfigError(`${file}: the config file is empty (export default an object)`, file)
}

async function searchPackageJson(dir: string, profile: ProfileOptions): Promise<ResolvedConfig | undefined> {
  const { cosmiconfig } = await importExternal<typeof import('cosmiconfig')>('cosmiconfig')
  const result = await cosmiconfig('migraph', { searchPlaces: ['package.json'], cache: false }).search(dir)
  if (result === null || result.isEmpty === true) return undefined
  const options: ResolveOptions = { ...profile, dotenv: loadEnvFile(result.filepath, profile) }
  return resolveConfig(result.config, result.filepath, dirname(result.filepath), options)
}
