import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { nodeCrypto } from '../digest.js'
import { importExternal } from '../external-import.js'
import { type CachedScriptRun, runWithCodeCache, writeAtomically } from './cached-script.js'

/** A TypeScript module whose compiled form may be cached: its path, its text, and the cache. */
export interface CompilableSource {
  readonly file: string
  readonly source: string
  readonly cacheDir: string
  /** Digest of everything the compiled form depends on (format version, path, text). */
  readonly digest: string
}

// Bump when the bundled form changes, so stale bundles are never used.
const BUNDLE_FORMAT = '4'
/** A bundle's own files: the module, its source map, and the V8 code cache of a CommonJS one. */
const BUNDLE_FILE = /^(bundle-[0-9a-f]{20})\.(?:cjs|mjs)(?:\.map|\.[\w.-]+\.bin)?$/
/** Bundles kept per cache folder; older ones are removed when a new one is written. */
const KEPT_BUNDLES = 8
const ENTRY_NAMESPACE = 'migraph-bundle-entry'
/** What `require` throws for a module that only `import()` can load (top-level await). */
export const NEEDS_IMPORT = new Set(['ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE'])

/**
 * Imports several TypeScript modules of one cache folder as one module, compiled by esbuild into
 * `<cacheDir>/bundle-<hash>.cjs` on first use: a thousand revisions cost one load of tens of
 * milliseconds instead of a thousand imports costing hundreds. The name hashes every file's path
 * and the digest the caller gives of its text (see `importModule.many`), so a bundle is only ever
 * used for the sources it was compiled from.
 *
 * The bundle is CommonJS where the modules allow it, compiled by `vm.Script` with a V8 code cache
 * kept beside it: Node 20 keeps no compile cache for ES modules, and compiling the bundle was
 * most of what loading it cost. Its first line requires every package the modules import, so a
 * package only `import()` can load (top-level await) fails it before any module has run. Modules
 * with top-level await or `import()` of their own, and bundles whose packages need `import()`,
 * get an ES module bundle (`bundle-<hash>.mjs`) instead, which later runs find first.
 *
 * Each module keeps its own scope and exports, as if imported alone: every import inside a
 * module stays an import (resolved from the cache folder, as the single-file cache does), no
 * tsconfig is read, nothing is tree-shaken and function names are kept. Any failure (a syntax
 * error, a top-level throw, an unresolvable import) rejects the whole call; the caller then
 * imports the modules one by one, which names the file at fault.
 */
export async function importBundle(
  cacheDir: string,
  sources: readonly CompilableSource[],
): Promise<Record<string, unknown>[]> {
  const base = bundleBase(
    cacheDir,
    sources.map((source) => source.digest),
  )
  const esm = `${base}.mjs`
  let namespace: Record<string, unknown> | undefined
  if (!existsSync(esm)) {
    const cjs = `${base}.cjs`
    if (existsSync(cjs) || (await writeBundle(cacheDir, base, sources, 'cjs'))) {
      namespace = evaluateCommonJs(cjs)
      // Its packages need import(): the ES module bundle replaces it.
      if (namespace === undefined) for (const file of [cjs, `${cjs}.map`]) rmSync(file, { force: true })
    }
    if (namespace === undefined && !existsSync(esm)) await writeBundle(cacheDir, base, sources, 'esm')
  }
  namespace ??= await importExternal<Record<string, unknown>>(pathToFileURL(esm).href)
  return modulesIn(namespace, sources.length, base)
}

/**
 * The modules of the bundle {@link importBundle} compiled from sources with these digests, loaded
 * without the sources; undefined when there is none yet that loads without them (the caller then
 * reads the files and imports the bundle).
 */
export async function loadCompiledBundle(
  cacheDir: string,
  digests: readonly string[],
): Promise<Record<string, unknown>[] | undefined> {
  const base = bundleBase(cacheDir, digests)
  let namespace: Record<string, unknown> | undefined
  if (existsSync(`${base}.mjs`)) {
    namespace = await importExternal<Record<string, unknown>>(pathToFileURL(`${base}.mjs`).href)
  } else if (existsSync(`${base}.cjs`)) {
    // Undefined when its packages need import(): writing the ES module bundle needs the sources.
    namespace = evaluateCommonJs(`${base}.cjs`)
  }
  return namespace === undefined ? undefined : modulesIn(namespace, digests.length, base)
}

/** Where the bundle of sources with these digests lives, without its extension. */
function bundleBase(cacheDir: string, digests: readonly string[]): string {
  const key = nodeCrypto().createHash('sha256').update(BUNDLE_FORMAT)
  for (const digest of digests) key.update('\0').update(digest)
  return join(cacheDir, `bundle-${key.digest('hex').slice(0, 20)}`)
}

function modulesIn(
  namespace: Record<string, unknown>,
  count: number,
  base: string,
): Record<string, unknown>[] {
  const modules = namespace.modules
  if (!Array.isArray(modules) || modules.length !== count) {
    throw new Error(`${base}: not a bundle of ${count} modules`)
  }
  return modules as Record<string, unknown>[]
}

/**
 * Runs a CommonJS bundle with its V8 code cache; {@link saveBundleCaches} writes the cache when
 * there was none that fit. Undefined when a package it imports needs `import()`: its first line
 * fails then, before any module has run.
 */
function evaluateCommonJs(file: string): Record<string, unknown> | undefined {
  let run: CachedScriptRun
  try {
    run = runWithCodeCache(file, `${file}.${process.version}-${process.arch}.bin`)
  } catch (error) {
    if (NEEDS_IMPORT.has((error as { code?: string }).code ?? '')) return undefined
    throw error
  }
  unsavedCaches.push(run)
  return run.exports as Record<string, unknown>
}

/** The bundles this process loaded, whose code cache is written by {@link saveBundleCaches}. */
const unsavedCaches: CachedScriptRun[] = []

/**
 * Writes the V8 code cache of every CommonJS bundle this process loaded without a usable one.
 * Called once the revisions have run: a cache made then also holds their functions, which V8
 * compiles on first call, so the next run compiles none of them. Never throws (only a cache).
 */
export function saveBundleCaches(): void {
  for (const run of unsavedCaches.splice(0)) run.saveCache()
}

/**
 * Compiles the bundle in `format` and writes it (map first, then module: a concurrent run finds a
 * whole bundle or none). For CommonJS, false when the modules need an ES module bundle; any
 * other failure is thrown.
 */
async function writeBundle(
  cacheDir: string,
  base: string,
  sources: readonly CompilableSource[],
  format: 'cjs' | 'esm',
): Promise<boolean> {
  const text = new Map(sources.map((s) => [s.file, s.source]))
  // One array of the modules' namespaces: exporting each namespace by name instead costs a getter
  // per module, and another for the CommonJS copy of the exports, ~15 ms per thousand modules.
  const entry = [
    ...sources.map((s, at) => `import * as m${at} from ${JSON.stringify(s.file)}`),
    `export const modules = [${sources.map((_, at) => `m${at}`).join(', ')}]`,
  ].join('\n')
  const bundle = `${base}.${format === 'cjs' ? 'cjs' : 'mjs'}`
  const packages = new Set<string>()
  let dynamicImport = false
  const { build } = await importExternal<typeof import('esbuild')>('esbuild')
  mkdirSync(cacheDir, { recursive: true })
  let result: Awaited<ReturnType<typeof build>>
  try {
    result = await build({
      entryPoints: ['revisions'],
      outfile: bundle,
      absWorkingDir: cacheDir,
      write: false,
      bundle: true,
      format,
      platform: 'node',
      target: 'node20',
      treeShaking: false,
      keepNames: true,
      sourcemap: 'linked',
      // The files themselves hold the text; a map that copied it would double the cache.
      sourcesContent: false,
      tsconfigRaw: {},
      logLevel: 'silent',
      // The sources were ES modules, strict throughout; CommonJS is strict only when told.
      banner: { js: format === 'cjs' ? "'use strict';" : '' },
      plugins: [
        {
          name: 'migraph-revision-sources',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return { path: args.path, namespace: ENTRY_NAMESPACE }
              if (args.namespace === ENTRY_NAMESPACE) return { path: args.path }
              if (args.kind === 'dynamic-import') dynamicImport = true
              else packages.add(args.path)
              return { path: args.path, external: true }
            })
            b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, () => ({ contents: entry, loader: 'js' }))
            // The text that was hashed, not whatever the file holds by now.
            b.onLoad({ filter: /.*/ }, (args) => ({ contents: text.get(args.path), loader: 'ts' }))
          },
        },
      ],
    })
  } catch (error) {
    // Top-level await has no CommonJS form; the ES module build reports any real error.
    if (format === 'cjs') return false
    throw error
  }
  const written = (result.outputFiles ?? []).map((output) => ({ path: output.path, contents: output.text }))
  if (format === 'cjs') {
    // An `import()` esbuild could not see (its argument is not a literal) stays in the text.
    if (dynamicImport || /\bimport\s*\(/.test(written.find((o) => o.path === bundle)?.contents ?? '')) {
      return false
    }
    // On the banner's line, so the source map's lines stay true.
    const requires = [...packages].map((name) => `require(${JSON.stringify(name)});`).join('')
    for (const output of written) {
      if (output.path === bundle)
        output.contents = output.contents.replace("'use strict';", `'use strict';${requires}`)
    }
  }
  written.sort((a, b) => Number(a.path === bundle) - Number(b.path === bundle))
  for (const output of written) writeAtomically(output.path, output.contents)
  pruneBundles(cacheDir, basename(base))
  return true
}

/** Keeps the newest few bundles of a cache folder, with their files; never throws (only a cache). */
function pruneBundles(cacheDir: string, keep: string): void {
  try {
    const files = new Map<string, string[]>()
    for (const name of readdirSync(cacheDir)) {
      const bundle = BUNDLE_FILE.exec(name)?.[1]
      if (bundle !== undefined && bundle !== keep) files.set(bundle, [...(files.get(bundle) ?? []), name])
    }
    const newestFirst = [...files.keys()]
      .map((bundle) => ({
        bundle,
        mtimeMs: Math.max(...(files.get(bundle) ?? []).map((name) => statSync(join(cacheDir, name)).mtimeMs)),
      }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
    for (const { bundle } of newestFirst.slice(KEPT_BUNDLES - 1)) {
      for (const name of files.get(bundle) ?? []) rmSync(join(cacheDir, name), { force: true })
    }
  } catch {
    // Another run pruning at the same time, or a read-only cache: the next write tries again.
  }
}
