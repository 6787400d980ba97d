import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, parse } from 'node:path'
import { fingerprint } from '../digest.js'
import { importExternal } from '../external-import.js'
import type { CompilableSource } from './module-bundle.js'

// The cached compiled copy of one TypeScript module: where it goes, how it is written, and how
// the copies of texts a file no longer has are removed.

/**
 * `<name>-<path key>-<digest>.cjs|mjs`: the path key names the file whatever its text, so that
 * writing the copy of a new text can remove those of older ones ({@link pruneCopies}).
 */
export function copyPath(source: CompilableSource, format: 'cjs' | 'esm'): string {
  return join(
    source.cacheDir,
    `${copyPrefix(source.file)}${source.digest}.${format === 'cjs' ? 'cjs' : 'mjs'}`,
  )
}

const copyPrefix = (file: string): string => `${parse(file).name}-${fingerprint(file)}-`

/**
 * Removes the compiled copies of `file` (named from `prefix`, by default its {@link copyPrefix})
 * other than `keep`: those of texts it no longer has, and any of the earlier naming. A copy is only
 * ever used for the text it was compiled from, so these are dead weight. Never throws.
 */
export function pruneCopies(
  cacheDir: string,
  file: string,
  keep: readonly string[],
  prefix = copyPrefix(file),
): void {
  const earlier = `${parse(file).name}-`
  try {
    for (const name of readdirSync(cacheDir)) {
      const ours = name.startsWith(prefix) && /\.[cm]js$/.test(name)
      const older = name.startsWith(earlier) && /^-[0-9a-f]{16}\.[cm]js$/.test(name.slice(earlier.length - 1))
      if ((ours || older) && !keep.includes(join(cacheDir, name)))
        rmSync(join(cacheDir, name), { force: true })
    }
  } catch {
    // Another run pruning at the same time, or an unreadable cache: the next write tries again.
  }
}

/**
 * Compiles a TypeScript module into its cached copy in `format`, or into the ES copy when only
 * that form compiles (top-level await has no CommonJS form); returns the path written. Any other
 * compile error is thrown.
 */
export async function compileCopy(compilable: CompilableSource, format: 'cjs' | 'esm'): Promise<string> {
  const { transform } = await importExternal<typeof import('esbuild')>('esbuild')
  const compile = async (as: 'cjs' | 'esm'): Promise<string> =>
    (
      await transform(compilable.source, {
        loader: 'ts',
        format: as,
        target: 'node20',
        sourcefile: compilable.file,
        // Lines map back to the file itself, which holds the text: the map need not copy it.
        sourcemap: 'inline',
        sourcesContent: false,
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
  // The other format's copy of the same text stays: a CommonJS copy that failed is never read.
  pruneCopies(compilable.cacheDir, compilable.file, [
    path,
    copyPath(compilable, written === 'cjs' ? 'esm' : 'cjs'),
  ])
  return path
}
