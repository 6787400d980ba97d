import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fingerprint } from '../digest.js'
import { importExternal } from '../external-import.js'
import { runWithCodeCache, writeAtomically } from '../script/cached-script.js'

// Bump when the bundled form changes, so stale bundles are never used.
const FORMAT = '1'

/**
 * The drivers loaded from a bundle, each with the optional packages it loads only on request
 * (left out of the bundle, and required as usual if ever asked for).
 */
export const BUNDLED_DRIVERS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  pg: ['pg-native', 'pg-cloudflare', 'cloudflare:sockets'],
  mysql2: [],
})

/** Each input file of a driver bundle, with what its stat said when the bundle was made. */
interface Manifest {
  readonly format: string
  readonly inputs: readonly (readonly [path: string, size: number, mtimeMs: number, ino: number])[]
}

/**
 * The path of a one-file CommonJS bundle of the driver package `packageName` (as `require`
 * resolves it), made by esbuild in the cache folder beside the driver's `node_modules` on first
 * use; undefined when it cannot be made (the caller then requires the package as usual).
 *
 * A driver is dozens of modules that Node 20 compiles from source on every `require` (`pg` some
 * 23 ms here, `mysql2` some 60); one file with a V8 code cache ({@link evaluateDriverBundle})
 * loads in a fraction of that. The bundle is named by the driver's entry file and the Node
 * version, and a manifest records every input file's size, mtime and inode: a reinstalled,
 * upgraded or patched driver is bundled again before it is used.
 */
export async function driverBundle(
  packageName: string,
  externals: readonly string[],
  require: NodeJS.Require,
): Promise<string | undefined> {
  try {
    const entry = require.resolve(packageName)
    const cacheDir = cacheDirOf(entry)
    if (cacheDir === undefined) return undefined
    const base = join(cacheDir, `driver-${packageName}-${fingerprint(FORMAT, entry, process.version)}`)
    if (upToDate(`${base}.json`)) return `${base}.cjs`
    // A folder this process cannot write (a read-only install): not worth compiling for.
    mkdirSync(cacheDir, { recursive: true })
    accessSync(cacheDir, constants.W_OK)
    await writeDriverBundle(entry, externals, base)
    return upToDate(`${base}.json`) ? `${base}.cjs` : undefined
  } catch {
    // Not installed (the caller's `require` says so), or no bundle can be made here.
    return undefined
  }
}

/**
 * Runs a driver bundle made by {@link driverBundle} and returns its exports. Its V8 code cache is
 * written as the process exits, when there was none that fit: by then it also holds the
 * functions the command ran (connecting, the protocol), so the next run compiles none of them.
 */
export function evaluateDriverBundle(file: string): unknown {
  const run = runWithCodeCache(file, `${file}.${process.arch}.bin`)
  process.once('exit', run.saveCache)
  return run.exports
}

/** `<nearest folder named node_modules above the driver>/.cache/migraph`. */
export function cacheDirOf(entry: string): string | undefined {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') return join(dir, '.cache', 'migraph')
  }
  return undefined
}

function upToDate(manifestFile: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
    if (manifest.format !== FORMAT) return false
    return manifest.inputs.every(([path, size, mtimeMs, ino]) => {
      const stats = statSync(path)
      return stats.size === size && stats.mtimeMs === mtimeMs && stats.ino === ino
    })
  } catch {
    return false
  }
}

async function writeDriverBundle(entry: string, externals: readonly string[], base: string): Promise<void> {
  const { build } = await importExternal<typeof import('esbuild')>('esbuild')
  const workingDir = dirname(entry)
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    outfile: `${base}.cjs`,
    write: false,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: [...externals],
    metafile: true,
    logLevel: 'silent',
  })
  // Stat'ed before the bundle is written: an input edited meanwhile fails the next check.
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map((input) => {
    const path = resolve(workingDir, input)
    const stats = statSync(path)
    return [path, stats.size, stats.mtimeMs, stats.ino] as const
  })
  mkdirSync(dirname(base), { recursive: true })
  for (const output of result.outputFiles ?? []) writeAtomically(output.path, output.contents)
  rmSync(`${base}.cjs.${process.arch}.bin`, { force: true })
  // The manifest last: a bundle is only used once it is whole.
  writeAtomically(`${base}.json`, JSON.stringify({ format: FORMAT, inputs } satisfies Manifest))
}
