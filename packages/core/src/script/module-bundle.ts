import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { nodeCrypto } from '../digest.js'
import { importExternal } from '../external-import.js'

/** A TypeScript module whose compiled form may be cached: its path, its text, and the cache. */
export interface CompilableSource {
  readonly file: string
  readonly source: string
  readonly cacheDir: string
  /** Digest of everything the compiled form depends on (format version, path, text). */
  readonly digest: string
}

// Bump when the bundled form changes, so stale bundles are never used.
const BUNDLE_FORMAT = '1'
const BUNDLE_NAME = /^bundle-[0-9a-f]{20}\.mjs$/
/** Bundles kept per cache folder; older ones are removed when a new one is written. */
const KEPT_BUNDLES = 8
const ENTRY_NAMESPACE = 'migraph-bundle-entry'

/**
 * Imports several TypeScript modules of one cache folder as one ES module, compiled by esbuild
 * into `<cacheDir>/bundle-<hash>.mjs` on first use: a thousand revisions cost one import of tens
 * of milliseconds instead of a thousand imports costing hundreds. The name hashes every file's path and exact text, so
 * a bundle is only ever used for the very sources it was compiled from.
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
  const key = nodeCrypto().createHash('sha256').update(BUNDLE_FORMAT)
  for (const { digest } of sources) key.update('\0').update(digest)
  const bundle = join(cacheDir, `bundle-${key.digest('hex').slice(0, 20)}.mjs`)
  if (!existsSync(bundle)) await writeBundle(cacheDir, bundle, sources)
  const namespace: Record<string, unknown> = await importExternal(pathToFileURL(bundle).href)
  return sources.map((_, at) => namespace[`m${at}`] as Record<string, unknown>)
}

async function writeBundle(
  cacheDir: string,
  bundle: string,
  sources: readonly CompilableSource[],
): Promise<void> {
  const text = new Map(sources.map((s) => [s.file, s.source]))
  const entry = sources.map((s, at) => `export * as m${at} from ${JSON.stringify(s.file)}`).join('\n')
  const { build } = await importExternal<typeof import('esbuild')>('esbuild')
  mkdirSync(cacheDir, { recursive: true })
  const result = await build({
    entryPoints: ['revisions'],
    outfile: bundle,
    absWorkingDir: cacheDir,
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    treeShaking: false,
    keepNames: true,
    sourcemap: 'linked',
    tsconfigRaw: {},
    logLevel: 'silent',
    plugins: [
      {
        name: 'migraph-revision-sources',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return { path: args.path, namespace: ENTRY_NAMESPACE }
            if (args.namespace === ENTRY_NAMESPACE) return { path: args.path }
            return { path: args.path, external: true }
          })
          b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, () => ({ contents: entry, loader: 'js' }))
          // The text that was hashed, not whatever the file holds by now.
          b.onLoad({ filter: /.*/ }, (args) => ({ contents: text.get(args.path), loader: 'ts' }))
        },
      },
    ],
  })
  // The map first, then the module: a concurrent run finds a whole bundle or none.
  const written = [...result.outputFiles].sort(
    (a, b) => Number(a.path === bundle) - Number(b.path === bundle),
  )
  for (const output of written) {
    const temporary = `${output.path}.${process.pid}.tmp`
    writeFileSync(temporary, output.contents)
    renameSync(temporary, output.path)
  }
  pruneBundles(cacheDir, basename(bundle))
}

/** Keeps the newest few bundles of a cache folder; never throws (the cache is only a cache). */
function pruneBundles(cacheDir: string, keep: string): void {
  try {
    const bundles = readdirSync(cacheDir)
      .filter((name) => BUNDLE_NAME.test(name) && name !== keep)
      .map((name) => ({ name, mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs)
    for (const { name } of bundles.slice(KEPT_BUNDLES - 1)) {
      rmSync(join(cacheDir, name), { force: true })
      rmSync(join(cacheDir, `${name}.map`), { force: true })
    }
  } catch {
    // Another run pruning at the same time, or a read-only cache: the next write tries again.
  }
}
