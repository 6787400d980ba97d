import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { join } from 'node:path'
import { fingerprint } from '../digest.js'
import { importExternal } from '../external-import.js'
import { runWithCodeCache } from '../script/cached-script.js'
import { cacheDirOf } from './driver-bundle.js'

type PgliteModule = typeof import('@electric-sql/pglite')

let loading: Promise<PgliteModule> | undefined

/**
 * PGlite's module, loaded once per process. Its CommonJS build is one 440 kB file that Node 20
 * compiles from source on every run (a fifth of what opening an existing embedded database
 * cost); it runs here with a V8 code cache kept beside the drivers' bundles, named by the file's
 * path, size, mtime and inode, so a reinstalled PGlite never meets an older cache. Anything
 * unexpected (no CommonJS build, an `import()` of other than a Node built-in, a cache folder that
 * cannot be written) falls back to importing the package as it stands.
 */
export function loadPglite(): Promise<PgliteModule> {
  loading ??= loadWithCodeCache().catch(() => importExternal<PgliteModule>('@electric-sql/pglite'))
  return loading
}

async function loadWithCodeCache(): Promise<PgliteModule> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
  const cacheDir = cacheDirOf(entry)
  if (cacheDir === undefined || !entry.endsWith('.cjs')) throw new Error('no cache for PGlite')
  const source = readFileSync(entry, 'utf8')
  // `vm.Script` code cannot run `import()` on Node 20 without an experimental flag. PGlite's only
  // ones load Node built-ins; each becomes a call to a function that imports it from here.
  const imports = [...source.matchAll(/\bimport\("([^"]+)"\)/g)]
  const all = source.split('import(').length - 1
  if (imports.length !== all || !imports.every((found) => isBuiltin(found[1] as string))) {
    throw new Error('PGlite imports more than Node built-ins')
  }
  const stats = statSync(entry)
  const key = fingerprint(
    entry,
    String(stats.size),
    String(stats.mtimeMs),
    String(stats.ino),
    process.version,
  )
  mkdirSync(cacheDir, { recursive: true })
  const run = runWithCodeCache(entry, join(cacheDir, `pglite-${key}.${process.arch}.bin`), {
    source: source.replace(/\bimport\("/g, '__migraphImportBuiltin("'),
    globals: { __migraphImportBuiltin: (specifier: string) => importExternal(specifier) },
  })
  // Written once the command ran, so the cache also holds the functions opening a database ran.
  process.once('exit', run.saveCache)
  return run.exports as PgliteModule
}
