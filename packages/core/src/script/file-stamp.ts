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
