import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, parse } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fingerprint } from '../digest.js'
import { importExternal } from '../external-import.js'
import { contentDigest } from '../runtime/checksum.js'
import {
  type CompilableSource,
  importBundle,
  loadCompiledBundle,
  NEEDS_IMPORT,
  saveBundleCaches,
} from './module-bundle.js'

export { NEEDS_IMPORT, saveBundleCaches }

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
const CACHE_VERSION = '1'
/** How many modules are imported at once when they are imported one by one. */
const IMPORT_CONCURRENCY = 16
/** Modules whose meaning depends on where they sit, which a copy elsewhere would change. */
const LOCATION_DEPENDENT =
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
    return await importExternal(pathToFileURL(file).href)
  }
  return importWithTsx(file)
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

async function importWithTsx(file: string): Promise<Module> {
  tsImporter ??= importExternal<typeof import('tsx/esm/api')>('tsx/esm/api').then((api) => api.tsImport)
  const tsImport = await tsImporter
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Module
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

function copyPath(source: CompilableSource, format: 'cjs' | 'esm'): string {
  return join(
    source.cacheDir,
    `${parse(source.file).name}-${source.digest}.${format === 'cjs' ? 'cjs' : 'mjs'}`,
  )
}

/**
 * Compiles a TypeScript module into its cached copy in `format`, or into the ES copy when only
 * that form compiles (top-level await has no CommonJS form); returns the path written. Any other
 * compile error is thrown.
 */
async function compileCopy(compilable: CompilableSource, format: 'cjs' | 'esm'): Promise<string> {
  const { transform } = await importExternal<typeof import('esbuild')>('esbuild')
  const compile = async (as: 'cjs' | 'esm'): Promise<string> =>
    (
      await transform(compilable.source, {
        loader: 'ts',
        format: as,
        target: 'node20',
        sourcefile: compilable.file,
        sourcemap: 'inline',
        // The source was an ES module, strict throughout; CommonJS is strict only when told.
        banner: as === 'cjs' ? "'use strict';" : '',
      })
    ).code
  let written = format
  let code: string
  try {
    code = await compile(format)
  } catch (error) {
    if (format === 'esm') throw error
    written = 'esm'
    code = await compile('esm')
  }
  const path = copyPath(compilable, written)
  mkdirSync(compilable.cacheDir, { recursive: true })
  // Write then rename, so a concurrent run never loads a half-written file.
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, code)
  renameSync(temporary, path)
  return path
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
