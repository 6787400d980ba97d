import { realpathSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

/**
 * The path with every symbolic link resolved, so that two spellings of one file (a symlink, a
 * `..`) name one lock. A path that does not exist yet keeps its last parts under the real path
 * of the nearest folder that does.
 */
export function canonicalPath(path: string): string {
  const absolute = resolve(path)
  try {
    return realpathSync.native(absolute)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error
    const parent = dirname(absolute)
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute))
  }
}
