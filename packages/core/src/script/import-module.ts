import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, extname, join, parse } from 'node:path'
import { pathToFileURL } from 'node:url'
import { importExternal } from '../external-import.js'

/** Imports a module by absolute path; TypeScript files are compiled first. */
export type ModuleImporter = (file: string) => Promise<Record<string, unknown>>

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts'])
// Bump when the compiled form changes, so stale cache entries are never used.
const CACHE_VERSION = '1'

let tsImporter: Promise<(specifier: string, parent: string) => Promise<unknown>> | undefined

/**
 * The one loading path for config and revision files.
 *
 * TypeScript is compiled with esbuild once per content and kept in
 * `node_modules/.cache/migraph/`, then imported natively: a warm start costs a file read and a
 * hash instead of registering a loader. Modules whose meaning depends on where they sit
 * (relative imports, `import.meta`, `#imports`) and anything the cached form cannot resolve go
 * through tsx, which handles tsconfig paths and the rest. JavaScript is imported as it is.
 */
export const importModule: ModuleImporter = async (file) => {
  if (!TYPESCRIPT.has(extname(file))) {
    return await importExternal(pathToFileURL(file).href)
  }
  const cached = await compiledCopy(file)
  if (cached !== undefined) {
    try {
      return await importExternal(pathToFileURL(cached).href)
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error
      // e.g. a tsconfig `paths` alias: tsx knows how to resolve it.
    }
  }
  return importWithTsx(file)
}

async function importWithTsx(file: string): Promise<Record<string, unknown>> {
  tsImporter ??= importExternal<typeof import('tsx/esm/api')>('tsx/esm/api').then((api) => api.tsImport)
  const tsImport = await tsImporter
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>
}

/** The cached compiled form of a TypeScript module, compiling it on a miss; undefined to use tsx. */
async function compiledCopy(file: string): Promise<string | undefined> {
  const cacheDir = findCacheDir(dirname(file))
  if (cacheDir === undefined) return undefined
  const source = readFileSync(file, 'utf8')
  if (
    /\bimport\.meta\b|\bfrom\s*['"][.#]|\bimport\s*\(\s*['"][.#]|\bimport\s*['"][.#]|\brequire\s*\(/.test(
      source,
    )
  ) {
    return undefined
  }
  const hash = createHash('sha256')
    .update(CACHE_VERSION)
    .update('\0')
    .update(file)
    .update('\0')
    .update(source)
  const cached = join(cacheDir, `${parse(file).name}-${hash.digest('hex').slice(0, 20)}.mjs`)
  if (existsSync(cached)) return cached
  const { transform } = await importExternal<typeof import('esbuild')>('esbuild')
  const result = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: file,
    sourcemap: 'inline',
  })
  mkdirSync(cacheDir, { recursive: true })
  // Write then rename, so a concurrent run never imports a half-written file.
  const temporary = `${cached}.${process.pid}.tmp`
  writeFileSync(temporary, result.code)
  renameSync(temporary, cached)
  return cached
}

// Revision files share a folder: one upward search serves them all within a run.
const cacheDirs = new Map<string, string | undefined>()

/**
 * `<nearest node_modules>/.cache/migraph`, where bare imports resolve as from the file itself; it
 * also holds the header caches of versions folders.
 */
export function findCacheDir(from: string): string | undefined {
  if (cacheDirs.has(from)) return cacheDirs.get(from)
  let found: string | undefined
  for (let dir = from; ; dir = dirname(dir)) {
    const modules = join(dir, 'node_modules')
    if (existsSync(modules)) {
      found = join(modules, '.cache', 'migraph')
      break
    }
    if (dir === parse(dir).root) break
  }
  cacheDirs.set(from, found)
  return found
}

/**
 * Turns a loader failure into one line: esbuild's syntax errors carry `file:line:column`, which
 * is what a user needs to find the mistake.
 */
export function describeImportError(file: string, error: unknown): string {
  const e = error as { errors?: { text?: string; location?: { line?: number; column?: number } | null }[] }
  const first = Array.isArray(e?.errors) ? e.errors[0] : undefined
  if (first?.text !== undefined) {
    const line = first.location?.line
    const column = first.location?.column
    const at = line === undefined ? file : `${file}:${line}:${(column ?? 0) + 1}`
    return `${at}: ${first.text}`
  }
  const message = error instanceof Error ? error.message : String(error)
  // esbuild (through tsx) reports "Transform failed…" then "<file>:<line>:<col>: ERROR: <text>".
  const located = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message)
  if (located !== null) return `${file}:${located[2]}:${Number(located[3]) + 1}: ${located[4]}`
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? message
  return firstLine.includes(file) ? firstLine : `${file}: ${firstLine}`
}
