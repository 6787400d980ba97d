import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Script } from 'node:vm'
import { splitNetworkUrl } from '../dialects/url.js'
import { fingerprint } from '../digest.js'
import { importExternal, provideSelf } from '../external-import.js'
import { findCacheDir } from './cache-dir.js'
import { writeAtomically } from './cached-script.js'
import {
  esModuleView,
  importWithTsx,
  LOCATION_DEPENDENT,
  NEEDS_IMPORT,
  pruneCopies,
} from './import-module.js'

type Module = Record<string, unknown>

// Bump when the compiled form changes, so stale copies are never used.
const FORMAT = '1'
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts'])
/** A URL with a password, as a config's text may spell one. */
const URL_WITH_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"`/@]*:[^\s'"`]*@/

/**
 * Imports a config module without ever leaving a copy of a password on disk.
 *
 * A TypeScript config is compiled by esbuild and run in memory, from its own path (its imports
 * resolve as from the file). The compiled copy is kept in the cache folder for the next run only
 * when its text holds no password: neither a URL with one, nor any password the loaded config
 * carries. A config with its password inline is compiled again on every run. Every older copy of
 * the same file is removed when a new text is compiled. Configs whose meaning depends on where
 * they sit (relative imports, `import.meta`) or that need ES modules (top-level await) go through
 * tsx with tsx's own file cache turned off. JavaScript and JSON configs are imported as they are.
 */
export async function importConfigModule(file: string): Promise<Module> {
  provideSelf(file)
  if (!TYPESCRIPT.has(extname(file))) return esModuleView(await importExternal(pathToFileURL(file).href))
  const source = readFileSync(file, 'utf8')
  if (LOCATION_DEPENDENT.test(source)) return importWithTsx(file, { keepNoCopy: true })
  const cacheDir = findCacheDir(dirname(file))
  const copy = join(cacheDir, `${configName(file)}${fingerprint(FORMAT, file, source)}.cjs`)
  let code: string | undefined
  if (existsSync(copy)) {
    try {
      code = readFileSync(copy, 'utf8')
    } catch {
      // Removed meanwhile: compiled again.
    }
  }
  const cached = code !== undefined
  code ??= await compile(file, source)
  if (code === undefined) return importWithTsx(file, { keepNoCopy: true })
  let exports: Module
  try {
    exports = runCommonJs(code, file)
  } catch (error) {
    // A package only `import()` can load, or an `import()` of its own: ES modules, through tsx.
    if (NEEDS_IMPORT.has((error as { code?: string }).code ?? '') || /\bimport\s*\(/.test(code)) {
      return importWithTsx(file, { keepNoCopy: true })
    }
    throw error
  }
  if (!cached) {
    const secret = holdsSecret(code, exports)
    if (!secret) {
      try {
        writeAtomically(copy, code)
      } catch {
        // A read-only cache: compiled again next time.
      }
    }
    pruneCopies(cacheDir, file, secret ? [] : [copy], configName(file))
  }
  return exports
}

const configName = (file: string): string => `config-${fingerprint(file)}-`

/** The config compiled to CommonJS; undefined when only an ES module can hold it. */
async function compile(file: string, source: string): Promise<string | undefined> {
  const { transform } = await importExternal<typeof import('esbuild')>('esbuild')
  try {
    const result = await transform(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcefile: file,
      // The source was an ES module, strict throughout; CommonJS is strict only when told.
      banner: "'use strict';",
    })
    return result.code
  } catch {
    // Top-level await has no CommonJS form; tsx reports any real syntax error.
    return undefined
  }
}

/** Runs CommonJS code as the module `file`: its `require` resolves from where the file sits. */
function runCommonJs(code: string, file: string): Module {
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: file,
  })
  const mod = { exports: {} as Module }
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file))
  return mod.exports
}

/**
 * True when the compiled text holds a password: a URL with one, or the text of a password that
 * some URL of the loaded config carries (however it was spelled in the source).
 */
function holdsSecret(code: string, exports: Module): boolean {
  if (URL_WITH_PASSWORD.test(code)) return true
  const secrets: string[] = []
  collectSecrets(exports, secrets, 0)
  return secrets.some((secret) => code.includes(secret) || code.includes(JSON.stringify(secret).slice(1, -1)))
}

function collectSecrets(value: unknown, into: string[], depth: number): void {
  if (typeof value === 'string') {
    const parts = splitNetworkUrl(value)
    if (parts?.password !== undefined && parts.password !== '') into.push(parts.password)
    for (const [key, secret] of parts?.query ?? []) {
      if (/^(password|pass|pwd|sslpassword|secret)$/i.test(key) && secret !== '') into.push(secret)
    }
  } else if (typeof value === 'object' && value !== null && depth < 8) {
    for (const inner of Object.values(value)) collectSecrets(inner, into, depth + 1)
  }
}
