import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, parse } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fingerprint } from '../digest.js'
import { importExternal, provideSelf } from '../external-import.js'
import { contentDigest } from '../runtime/checksum.js'
import { findCacheDir } from './cache-dir.js'
import { compileCopy, copyPath, pruneCopies } from './compiled-copy.js'
import {
  type CompilableSource,
  importBundle,
  loadCompiledBundle,
  NEEDS_IMPORT,
  saveBundleCaches,
} from './module-bundle.js'

export { findCacheDir, NEEDS_IMPORT, pruneCopies, saveBundleCaches }

/** Imports a module by absolute path; TypeScript files are compiled first. */
export interface ModuleImporter {
  (file: string): Promise<Record<string, unknown>>
  /**
   * Imports several modules at once, where that costs less than one by one; each file's outcome
   * stands apart from the others'. `digests`, where given, holds for each file its
   * {@link contentDigest} as the caller knows it without reading the file (from a record it
   * trusts by the file's stat, as the revision checksums are): modules already compiled from
   * those very texts are then loaded without reading any file. Absent: callers import the files
   * one at a time.
   */
  readonly many?:
    | ((
        files: readonly string[],
        digests?: readonly (string | null | undefined)[],
      ) => Promise<PromiseSettledResult<Module>[]>)
    | undefined
}

type Module = Record<string, unknown>

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts'])
// Bump when the compiled form changes, so stale cache entries are never used.
const CACHE_VERSION = '2'
/** How many modules are imported at once when they are imported one by one. */
const IMPORT_CONCURRENCY = 16
/** Modules whose meaning depends on where they sit, which a copy elsewhere would change. */
export const LOCATION_DEPENDENT =
  /\bimport\.meta\b|\bfrom\s*['"][.#]|\bimport\s*\(\s*['"][.#]|\bimport\s*['"][.#]|\brequire\s*\(/

let tsImporter: Promise<(specifier: string, parent: string) => Promise<unknown>> | undefined
/** The files this process imported alone, with their digests: `many` reuses those instances. */
const importedCopies = new Map<string, string>()

/**
 * The one loading path for config and revision files.
 *
 * TypeScript is compiled with esbuild once per content and kept in
 * `node_modules/.cache/migraph/` (as CommonJS where it can be, see {@link importCompiled}), then
 * loaded natively: a warm start costs a file read and a hash instead of registering a loader.
 * Default imports of CommonJS packages follow esbuild's interop, as in TypeScript's own output:
 * a package compiled with `__esModule` gives its `default` export. Modules whose meaning depends
 * on where they sit (relative imports, `import.meta`, `#imports`) and anything the cached form
 * cannot resolve go through tsx, which handles tsconfig paths and the rest. JavaScript is
 * imported as it is.
 *
 * `importModule.many` compiles the TypeScript modules it can into one cached bundle (see
 * {@link importBundle}) and imports the rest, or all of them if the bundle fails, one by one.
 */
export const importModule: ModuleImporter = Object.assign(importOne, { many: importMany })

async function importOne(file: string): Promise<Module> {
  provideSelf(file)
  const compilable = compilableSource(file)
  if (compilable !== undefined) {
    try {
      const mod = await importCompiled(compilable)
      importedCopies.set(file, compilable.digest)
      return mod
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error
      // e.g. a tsconfig `paths` alias: tsx knows how to resolve it.
    }
  } else if (!TYPESCRIPT.has(extname(file))) {
    return esModuleView(await importExternal(pathToFileURL(file).href))
  }
  return importWithTsx(file)
}

/**
 * The exports a module's author wrote. A CommonJS module compiled from an ES module (by tsx, for a
 * `.ts` file in a package that is not `"type": "module"`, or by hand, `exports.default = …`) is
 * seen through `import()` as `{ default: module.exports }`, where `module.exports` holds the real
 * `default` and names beside its `__esModule` mark: those are its exports.
 */
export function esModuleView(namespace: Module): Module {
  const inner = namespace.default as { __esModule?: unknown } | null | undefined
  return typeof inner === 'object' && inner !== null && inner.__esModule === true
    ? (inner as Module)
    : namespace
}

/**
 * Loads the cached compiled copy of a TypeScript module, compiling it on a miss. The copy is
 * CommonJS where the module allows it: `require` of a small file costs well under a millisecond,
 * where the first `import()` of a run sets up Node's ES module loader (~10 ms), and every command
 * reads a config. A module that needs ES modules (top-level await, in it or in what it imports)
 * gets an ES copy instead, which later runs find first.
 */
async function importCompiled(compilable: CompilableSource): Promise<Module> {
  const esm = copyPath(compilable, 'esm')
  if (!existsSync(esm)) {
    const cjs = copyPath(compilable, 'cjs')
    const copy = existsSync(cjs) ? cjs : await compileCopy(compilable, 'cjs')
    if (copy === cjs) {
      try {
        return requireCopy(cjs)
      } catch (error) {
        if (!NEEDS_IMPORT.has((error as { code?: string }).code ?? '')) throw error
      }
      await compileCopy(compilable, 'esm')
    }
  }
  return await importExternal(pathToFileURL(esm).href)
}

let requireFromHere: NodeJS.Require | undefined

function requireCopy(file: string): Module {
  requireFromHere ??= createRequire(import.meta.url)
  return requireFromHere(file) as Module
}

async function importMany(
  files: readonly string[],
  digests?: readonly (string | null | undefined)[],
): Promise<PromiseSettledResult<Module>[]> {
  const results: PromiseSettledResult<Module>[] = new Array(files.length)
  for (const file of files) provideSelf(file)
  const loaded = digests === undefined ? new Set<number>() : await importKnown(files, digests, results)
  const alone: number[] = []
  const groups = new Map<string, { at: number; source: CompilableSource }[]>()
  for (const [at, file] of files.entries()) {
    if (loaded.has(at)) continue
    let source: CompilableSource | undefined
    try {
      source = compilableSource(file, bundleDigest)
    } catch {
      // Unreadable: importing it alone reports why.
    }
    const importedAlone = importedCopies.get(file)
    if (
      source === undefined ||
      (importedAlone !== undefined && importedAlone === fileDigest(file, source.source))
    ) {
      alone.push(at)
    } else {
      const group = groups.get(source.cacheDir) ?? []
      group.push({ at, source })
      groups.set(source.cacheDir, group)
    }
  }
  for (const [cacheDir, group] of groups) {
    if (group.length === 1) {
      alone.push(...group.map(({ at }) => at))
      continue
    }
    try {
      const modules = await importBundle(
        cacheDir,
        group.map(({ source }) => source),
      )
      for (const [i, { at }] of group.entries())
        results[at] = { status: 'fulfilled', value: modules[i] ?? {} }
    } catch {
      // One broken module fails the bundle: one by one, each failure names its own file.
      alone.push(...group.map(({ at }) => at))
    }
  }
  const settled = await importEach(
    importOne,
    alone.map((at) => files[at] as string),
  )
  for (const [i, at] of alone.entries()) results[at] = settled[i] as PromiseSettledResult<Module>
  return results
}

/**
 * The files whose contents the caller knows, loaded from the bundle already compiled from them,
 * per cache folder; returns the positions it filled in `results`. A folder with no such bundle
 * (new or edited files, or files a bundle leaves out, such as location-dependent modules) is
 * left to the caller, which reads its files.
 */
async function importKnown(
  files: readonly string[],
  digests: readonly (string | null | undefined)[],
  results: PromiseSettledResult<Module>[],
): Promise<Set<number>> {
  const groups = new Map<string, { at: number; digest: string }[]>()
  for (const [at, file] of files.entries()) {
    const digest = digests[at]
    if (typeof digest !== 'string' || !TYPESCRIPT.has(extname(file)) || importedCopies.has(file)) continue
    const cacheDir = findCacheDir(dirname(file))
    if (cacheDir === undefined) continue
    const group = groups.get(cacheDir) ?? []
    group.push({ at, digest: memberDigest(file, digest) })
    groups.set(cacheDir, group)
  }
  const loaded = new Set<number>()
  for (const [cacheDir, group] of groups) {
    if (group.length < 2) continue
    let modules: Module[] | undefined
    try {
      modules = await loadCompiledBundle(
        cacheDir,
        group.map(({ digest }) => digest),
      )
    } catch {
      // Reading the files gives the same bundle, or imports them one by one to name the fault.
    }
    if (modules === undefined) continue
    for (const [i, { at }] of group.entries()) {
      results[at] = { status: 'fulfilled', value: modules[i] ?? {} }
      loaded.add(at)
    }
  }
  return loaded
}

/**
 * Imports files a few at a time, each outcome apart: importing one by one leaves the process
 * waiting on each file read in turn.
 */
export async function importEach(
  importer: (file: string) => Promise<Module>,
  files: readonly string[],
): Promise<PromiseSettledResult<Module>[]> {
  const settled: PromiseSettledResult<Module>[] = new Array(files.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let at = next++; at < files.length; at = next++) {
      try {
        settled[at] = { status: 'fulfilled', value: await importer(files[at] as string) }
      } catch (reason) {
        settled[at] = { status: 'rejected', reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, files.length) }, worker))
  return settled
}

/**
 * Imports a TypeScript module through tsx. `keepNoCopy` turns tsx's own cache of compiled files
 * off (it keeps them in the system's temporary folder) for the rest of the process, before tsx is
 * loaded: set for a config, whose text may hold a password.
 */
export async function importWithTsx(file: string, options: { keepNoCopy?: boolean } = {}): Promise<Module> {
  provideSelf(file)
  if (options.keepNoCopy === true && !tsxLoaded) process.env.TSX_DISABLE_CACHE = '1'
  tsxLoaded = true
  if (isCommonJs(file)) {
    // As Node would run it: `__dirname`, `require` and `module` are those of the file itself.
    const api = await importExternal<typeof import('tsx/cjs/api')>('tsx/cjs/api')
    try {
      return api.require(file, import.meta.url) as Module
    } catch (error) {
      // Top-level await, or a package only `import()` can load: as an ES module.
      if (!NEEDS_IMPORT.has((error as { code?: string }).code ?? '')) throw error
    }
  }
  tsImporter ??= importExternal<typeof import('tsx/esm/api')>('tsx/esm/api').then((api) => api.tsImport)
  const tsImport = await tsImporter
  return esModuleView((await tsImport(pathToFileURL(file).href, import.meta.url)) as Module)
}

let tsxLoaded = false
const packageTypes = new Map<string, boolean>()

/** True for a `.cts` file, and a `.ts` file whose package is not `"type": "module"`. */
function isCommonJs(file: string): boolean {
  const extension = extname(file)
  if (extension !== '.ts') return extension === '.cts'
  const start = dirname(file)
  const known = packageTypes.get(start)
  if (known !== undefined) return known
  let commonJs = true
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        commonJs = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module'
      } catch {
        // Unreadable: Node would fail on it too; tsx reports it.
      }
      break
    }
    if (dir === parse(dir).root) break
  }
  packageTypes.set(start, commonJs)
  return commonJs
}

/**
 * What names a file's compiled copy: computed without `node:crypto`, which loading a config (on
 * every command) would otherwise load.
 */
const fileDigest = (file: string, source: string): string => fingerprint(CACHE_VERSION, file, source)

/**
 * What keys a bundle's member: its path and the {@link contentDigest} of its exact text, which a
 * caller may know without reading the file (see {@link importKnown}); the bundle's own name is a
 * SHA-256 over every member's.
 */
const memberDigest = (file: string, digest: string): string => `${CACHE_VERSION}\0${file}\0${digest}`

const bundleDigest = (file: string, source: string): string => memberDigest(file, contentDigest(source))

/** A TypeScript file the cached fast path can compile; undefined to use tsx (or plain import). */
function compilableSource(file: string, digestOf = fileDigest): CompilableSource | undefined {
  if (!TYPESCRIPT.has(extname(file))) return undefined
  const cacheDir = findCacheDir(dirname(file))
  if (cacheDir === undefined) return undefined
  const source = readFileSync(file, 'utf8')
  if (LOCATION_DEPENDENT.test(source)) return undefined
  const digest = digestOf(file, source)
  return { file, source, cacheDir, digest }
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
