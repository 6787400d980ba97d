import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Script } from 'node:vm'

/** A CommonJS file run by {@link runWithCodeCache}. */
export interface CachedScriptRun {
  readonly exports: unknown
  /** Writes the V8 code cache if there was none that fit; never throws (only a cache). */
  saveCache(): void
}

/**
 * Runs a CommonJS file through `vm.Script` with the V8 code cache in `cacheFile`: Node 20 keeps
 * no compile cache of its own (22.1 added `module.enableCompileCache`). The file's `require`
 * resolves from where it sits. Its errors are thrown as they are. `saveCache` is best called
 * once the file's functions have run: the cache then holds them compiled too.
 */
export function runWithCodeCache(file: string, cacheFile: string): CachedScriptRun {
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // No cache yet: compiled from source.
  }
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData },
  )
  const mod = { exports: {} as unknown }
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file))
  const fits = cachedData !== undefined && script.cachedDataRejected !== true
  return {
    exports: mod.exports,
    saveCache: () => {
      if (fits) return
      try {
        writeAtomically(cacheFile, script.createCachedData())
      } catch {
        // A read-only cache folder: the next run compiles from source again.
      }
    },
  }
}

/** Write then rename, so a concurrent run reads the old file or the new one, never half of one. */
export function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, contents)
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}
