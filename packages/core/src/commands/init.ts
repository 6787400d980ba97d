import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { CONFIG_FILES } from '../config/config-files.js'
import type { Environment } from '../context.js'
import { CommandError } from '../errors.js'
import { renderTemplate, TEMPLATES_DIR } from '../script/templates.js'

/** An environment template that `mig init -t NAME` can write. */
export interface TemplateInfo {
  readonly name: string
  readonly description: string
}

/** Lists the environment templates shipped with migraph (`mig list-templates`). */
export function listTemplates(): readonly TemplateInfo[] {
  const root = join(TEMPLATES_DIR, 'init')
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const readme = join(root, entry.name, 'README.md')
      const description = existsSync(readme) ? (readFileSync(readme, 'utf8').split('\n')[0] ?? '').trim() : ''
      return { name: entry.name, description }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

export interface InitArgs {
  /** The project folder (default: the working directory). */
  readonly directory?: string | undefined
  readonly template?: string | undefined
  /** The versions folder inside it (default `migrations`). */
  readonly migrations?: string | undefined
}

export interface InitResult {
  readonly directory: string
  /** The config written: `migrate.config.ts`, `migrate.config.mjs`, or the package.json holding it. */
  readonly config: string
  readonly created: readonly string[]
  /** The `.gitignore` that lists what migraph writes beside the code, and the lines added to it. */
  readonly gitignore: { readonly path: string; readonly added: readonly string[] }
}

/** The files an environment template writes: each `<name>.ejs` of its folder gives `<name>`. */
function templateFiles(template: string): string[] {
  return readdirSync(join(TEMPLATES_DIR, 'init', template))
    .filter((file) => file.endsWith('.ejs'))
    .map((file) => file.slice(0, -'.ejs'.length))
    .sort()
}

/** Whether a package.json, readable or not, holds a `migraph` key (a broken one is not ours to judge). */
function hasMigraphKey(path: string): boolean {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return value !== null && typeof value === 'object' && Object.hasOwn(value, 'migraph')
  } catch {
    return false
  }
}

function readPackageJson(path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>
  } catch {
    // Reported below.
  }
  throw new CommandError(`${path} is not a JSON object; fix it, or pick another template`)
}

/**
 * What migraph writes inside a project and nobody should commit: the embedded database (tens of
 * megabytes) and the compile cache.
 */
export const IGNORED_PATHS: readonly string[] = ['.migraph/', 'node_modules/.cache/migraph/']

/**
 * Adds {@link IGNORED_PATHS} to `<directory>/.gitignore`, creating it if need be. A path the file
 * already ignores (the same line, with or without its slashes, or `node_modules` for the cache)
 * is not added again, so running it twice changes nothing. Returns the lines added.
 */
export function ignoreGeneratedPaths(directory: string): { path: string; added: string[] } {
  const path = join(directory, '.gitignore')
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const patterns = new Set(
    existing
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.replace(/^\//, '').replace(/\/$/, '')),
  )
  const covered = (entry: string) => {
    const bare = entry.replace(/\/$/, '')
    return patterns.has(bare) || patterns.has(bare.split('/')[0] as string)
  }
  const added = IGNORED_PATHS.filter((entry) => !covered(entry))
  if (added.length > 0) {
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n'
    writeFileSync(path, `${existing}${separator}${added.join('\n')}\n`)
  }
  return { path, added }
}

/**
 * Writes `migrate.config.ts` and an empty versions folder from an environment template
 * (`mig init [dir]`), and lists the embedded database and the cache in the folder's `.gitignore`.
 * Refuses a folder that already holds a config or a non-empty versions folder, so it never
 * overwrites anything.
 */
export async function init(environment: Environment, args: InitArgs = {}): Promise<InitResult> {
  const name = args.template ?? 'generic'
  const templates = listTemplates()
  if (!templates.some((t) => t.name === name)) {
    throw new CommandError(
      `no template named '${name}' (available: ${templates.map((t) => t.name).join(', ')}); see 'mig list-templates'`,
    )
  }
  const directory = resolve(environment.cwd, args.directory ?? '.')
  const migrations = args.migrations ?? 'migrations'
  const versions = resolve(directory, migrations)
  const files = templateFiles(name)
  if (existsSync(versions) && readdirSync(versions).length > 0) {
    throw new CommandError(`folder ${versions} already exists and is not empty`)
  }
  for (const config of CONFIG_FILES.map((file) => join(directory, file))) {
    if (existsSync(config)) throw new CommandError(`${config} already exists`)
  }
  const packageJson = join(directory, 'package.json')
  // A config under package.json's "migraph" key is a config too: a second one beside it is refused.
  if (existsSync(packageJson) && (files.includes('package.json') || hasMigraphKey(packageJson))) {
    if (Object.hasOwn(readPackageJson(packageJson), 'migraph')) {
      throw new CommandError(`${packageJson} already has a "migraph" key`)
    }
  }
  if (args.directory !== undefined && existsSync(directory) && readdirSync(directory).length > 0) {
    throw new CommandError(`folder ${directory} already exists and is not empty`)
  }
  const created: string[] = []
  if (!existsSync(directory)) {
    mkdirSync(directory, { recursive: true })
    created.push(directory)
  }
  mkdirSync(versions, { recursive: true })
  created.push(versions)
  // A template for several databases lists their versions folders, one per line, in `folders`.
  const folders = join(TEMPLATES_DIR, 'init', name, 'folders')
  if (existsSync(folders)) {
    for (const folder of readFileSync(folders, 'utf8')
      .split('\n')
      .map((line) => line.trim())) {
      if (folder === '') continue
      mkdirSync(join(versions, folder), { recursive: true })
      created.push(join(versions, folder))
    }
  }
  const data = { migrations: relative(directory, versions) || '.' }
  for (const file of files) {
    const text = await renderTemplate(join(TEMPLATES_DIR, 'init', name, `${file}.ejs`), data)
    const path = join(directory, file)
    if (file === 'package.json') {
      // The config goes under the `migraph` key of the project's package.json, kept otherwise as is.
      const existing = existsSync(path) ? readPackageJson(path) : { name: basename(directory), private: true }
      writeFileSync(path, `${JSON.stringify({ ...existing, migraph: JSON.parse(text) }, null, 2)}\n`)
    } else {
      writeFileSync(path, text, { flag: 'wx' })
    }
    created.push(path)
  }
  const config =
    created.find((path) => /(^|[\\/])(migrate\.config\.[a-z]+|package\.json)$/.test(path)) ?? directory
  return { directory, config, created, gitignore: ignoreGeneratedPaths(directory) }
}
