import { resolve } from 'node:path'
import type { DatabaseTarget } from './dialect.js'
import { MEMORY_LOCATION } from './dialect.js'
import { InvalidDatabaseUrlError } from './errors.js'

/** How an embedded database names itself in a URL: `<scheme>:<path>` or `<scheme>:<memory>`. */
export interface EmbeddedScheme {
  readonly dialect: 'pglite' | 'sqlite'
  readonly scheme: string
  /** What follows the scheme for an in-memory database (`memory:`, `:memory:`). */
  readonly memory: string
  /** The fix shown for a malformed URL. */
  readonly hint: string
}

/**
 * Parses `pglite:<dir>` / `sqlite:<file>` URLs: a path relative to the config file's folder, or
 * the in-memory form. Null when the URL is another dialect's.
 */
export function parseEmbeddedUrl(spec: EmbeddedScheme, url: string, baseDir: string): DatabaseTarget | null {
  const prefix = `${spec.scheme}:`
  if (url.slice(0, prefix.length).toLowerCase() !== prefix) return null
  const rest = url.slice(prefix.length)
  if (rest === spec.memory) {
    return Object.freeze({ dialect: spec.dialect, url, display: url, location: MEMORY_LOCATION })
  }
  if (rest === '' || rest.startsWith('//')) throw new InvalidDatabaseUrlError(url, spec.hint)
  return Object.freeze({ dialect: spec.dialect, url, display: url, location: resolve(baseDir, rest) })
}
