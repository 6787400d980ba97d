import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'

/**
 * What identifies a file's content without reading it: git's index keeps the same fields. Times
 * are milliseconds with a fraction, as `fs.Stats` gives them (sub-microsecond precision); plain
 * numbers rather than `bigint` stats, which cost more to make than reading a small file.
 */
export interface FileStamp {
  readonly size: number
  readonly mtimeMs: number
  readonly ctimeMs: number
  readonly ino: number
}

/**
 * A file whose mtime or ctime falls within this much of the moment its cache entry was recorded
 * may change again without its stat changing (timestamps are only as fine as the file system
 * keeps them, down to 2 s on FAT), so such an entry is never trusted: git's "racy" rule.
 */
export const RACY_MS = 2000

/**
 * A cache file's JSON, and since when the entries it records can be trusted: the earlier of the
 * writer's start (`startedMs` in the file) and the file system's mtime of the file, in case the
 * two clocks disagree, less {@link RACY_MS}. Undefined when the file is missing or not JSON.
 */
export function readCacheFile(file: string): { value: unknown; trustedBeforeMs: number } | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const written = fstatSync(fd).mtimeMs
    const value = JSON.parse(readFileSync(fd, 'utf8')) as { startedMs?: unknown } | null
    const started = typeof value === 'object' && value !== null ? value.startedMs : undefined
    if (typeof started !== 'number') return undefined
    return { value, trustedBeforeMs: Math.min(started, written) - RACY_MS }
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes a cache file; never throws. Written beside it and renamed over it, so a concurrent run
 * reads the old file or the new one, never half. A read-only node_modules or a full disk only
 * means the next run reads the files again.
 */
export function writeCacheFile(file: string, value: unknown): void {
  writeCacheText(file, [JSON.stringify(value)])
}

/**
 * Writes a cache file from consecutive pieces of its text, as {@link writeCacheFile} does: a large
 * cache need never be one string, and then its bytes, in memory at once.
 */
export function writeCacheText(file: string, pieces: Iterable<string>): void {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(file), { recursive: true })
    const fd = openSync(temporary, 'w')
    try {
      for (const piece of pieces) {
        const bytes = Buffer.from(piece, 'utf8')
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done)
      }
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, file)
  } catch {
    try {
      rmSync(temporary, { force: true })
    } catch {
      // Nothing was written, or the folder itself is unusable.
    }
  }
}
