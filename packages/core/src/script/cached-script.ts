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

/** How {@link runWithCodeCache} runs a file other than as it stands. */
export interface CachedScriptOptions {
  /** The text to run in place of the file's (the file still names it, and resolves `require`). */
  readonly source?: string | undefined
  /** More names in scope for the file, with their values. */
  readonly globals?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Runs a CommonJS file through `vm.Script` with the V8 code cache in `cacheFile`: Node 20 keeps
 * no compile cache of its own (22.1 added `module.enableCompileCache`). The file's `require`
 * resolves from where it sits. Its errors are thrown as they are. `saveCache` is best called
 * once the file's functions have run: the cache then holds them compiled too.
 */
export function runWithCodeCache(
  file: string,
  cacheFile: string,
  options: CachedScriptOptions = {},
): CachedScriptRun {
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // No cache yet: compiled from source.
  }
  const extra = Object.entries(options.globals ?? {})
  const parameters = [
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    ...extra.map(([name]) => name),
  ]
  const script = new Script(
    `(function (${parameters.join(', ')}) {${options.source ?? readFileSync(file, 'utf8')}\n})`,
    { filename: file, cachedData },
  )
  const mod = { exports: {} as unknown }
  script
    .runInThisContext()
    .call(
      mod.exports,
      mod.exports,
      createRequire(file),
      mod,
      file,
      dirname(file),
      ...extra.map(([, value]) => value),
    )
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
