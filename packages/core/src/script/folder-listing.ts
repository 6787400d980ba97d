import { constants, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { RevisionFileError } from '../errors.js'
import { type FileStamp, STAMP_WIDTH } from './header-cache.js'

const REVISION_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs', '.sql'])
const NO_THROW = { throwIfNoEntry: false } as const
/** Sub-folders never searched for revisions: tools' caches and installed packages. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__'])
const { S_IFMT, S_IFLNK, S_IFREG } = constants

/** One versions folder as listed: see {@link listRevisionFiles}. */
export interface Listing {
  /** What makes a name a path: the folder and a separator */
  readonly prefix: string
  /** The revision file names, sorted */
  readonly names: readonly string[]
  /** {@link STAMP_WIDTH} numbers per name: size, mtimeMs, ctimeMs, ino (NaN when it vanished) */
  readonly stamps: Float64Array
  /** The latest mtime or ctime among the files; NaN when one vanished (nothing can be trusted) */
  readonly newestChangeMs: number
}

/**
 * Revision file names of one folder in order, the prefix that makes them paths, and each file's
 * stamp for the header cache (NaN when it vanished meanwhile: reading it will say so). A symbolic
 * link is followed, and refused when it leaves the folder. One `lstat` per file both types it
 * and stamps it. With `recursive`, the files of its sub-folders too, named by their path from
 * it: every run lists every folder, so a file added or removed deep down changes the listing.
 */
export function listRevisionFiles(location: string, recursive = false): Listing {
  // Sorting the names orders the paths the same way (one shared prefix), comparing less text.
  const candidates = revisionFileNames(location, recursive).sort()
  // `join(location, name)` for a plain entry name, without normalizing the folder each time.
  const prefix = join(location, '_').slice(0, -1)
  const names: string[] = []
  // Four numbers per file in one typed array: an object per file, and the boxes of its
  // fractional times, would outlive young-generation collections, which copy them each time.
  const stamps = new Float64Array(candidates.length * STAMP_WIDTH)
  // Kept as the files are stamped, from the numbers their stats already hold: read back from the
  // typed array, each would be boxed anew.
  let newest = Number.NEGATIVE_INFINITY
  let vanished = false
  for (const name of candidates) {
    const file = prefix + name
    let stats = lstatSync(file, NO_THROW)
    // The file type from `mode`, as Stats' own `isSymbolicLink()` and `isFile()` read it, without
    // two method calls per file.
    if (stats !== undefined && (stats.mode & S_IFMT) === S_IFLNK) {
      const target = safeRealpath(file)
      const root = realpathSync(location)
      if (target === undefined || relative(root, target).startsWith('..') || target === root) {
        throw new RevisionFileError(
          file,
          `${file}: symbolic link resolves outside the versions folder ${location}`,
        )
      }
      stats = statSync(file, NO_THROW)
    }
    if (stats !== undefined && (stats.mode & S_IFMT) !== S_IFREG) continue
    const at = names.length * STAMP_WIDTH
    names.push(name)
    if (stats === undefined) {
      stamps[at] = Number.NaN
      vanished = true
    } else {
      const { mtimeMs, ctimeMs } = stats
      stamps[at] = stats.size
      stamps[at + 1] = mtimeMs
      stamps[at + 2] = ctimeMs
      stamps[at + 3] = stats.ino
      if (mtimeMs > newest) newest = mtimeMs
      if (ctimeMs > newest) newest = ctimeMs
    }
  }
  return {
    prefix,
    names,
    stamps: stamps.subarray(0, names.length * STAMP_WIDTH),
    newestChangeMs: vanished ? Number.NaN : newest,
  }
}

/**
 * The names of the revision files of `location`, unsorted; with `recursive`, of its sub-folders
 * too, as paths from it. Reads folders only, no file.
 */
export function revisionFileNames(location: string, recursive: boolean): string[] {
  try {
    if (!recursive) return readdirSync(location).filter(isRevisionFileName)
    const names: string[] = []
    namesBelow(location, '', names)
    return names
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new RevisionFileError(
        location,
        `versions folder not found: ${location} (run 'mig init' or fix 'migrations' in the config)`,
      )
    }
    throw new RevisionFileError(
      location,
      `cannot read versions folder ${location}: ${(error as Error).message}`,
    )
  }
}

/** Whether a sub-folder of that name is searched for revisions: not a dot-folder, nor skipped. */
export function isSearchedFolderName(name: string): boolean {
  return !name.startsWith('.') && !SKIPPED_FOLDERS.has(name)
}

/**
 * Appends the revision files below `folder/under` to `into`, as paths from `folder`, skipping
 * dot-folders and {@link SKIPPED_FOLDERS}. A symbolic link to a folder is not followed.
 */
function namesBelow(folder: string, under: string, into: string[]): void {
  for (const entry of readdirSync(join(folder, under), { withFileTypes: true })) {
    const name = under === '' ? entry.name : under + sep + entry.name
    if (entry.isDirectory()) {
      if (isSearchedFolderName(entry.name)) namesBelow(folder, name, into)
    } else if (isRevisionFileName(entry.name)) {
      into.push(name)
    }
  }
}

/**
 * The listing with the stamps of `stat` in place of those it took (tests fake coarse file systems
 * with it); a file that vanished keeps its NaN.
 */
export function restampListing(listing: Listing, stat: (file: string) => FileStamp): Listing {
  const { prefix, names } = listing
  const stamps = listing.stamps.slice()
  let newest = Number.NEGATIVE_INFINITY
  let vanished = false
  for (const [i, name] of names.entries()) {
    const at = i * STAMP_WIDTH
    if (Number.isNaN(stamps[at])) {
      vanished = true
      continue
    }
    const stamp = stat(prefix + name)
    stamps.set([stamp.size, stamp.mtimeMs, stamp.ctimeMs, stamp.ino], at)
    newest = Math.max(newest, stamp.mtimeMs, stamp.ctimeMs)
  }
  return { prefix, names, stamps, newestChangeMs: vanished ? Number.NaN : newest }
}

/** Whether a name in a versions folder is a revision file (not a dotfile, `_` file or `.d.ts`). */
export function isRevisionFileName(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('_') || name.endsWith('.d.ts')) return false
  const dot = name.lastIndexOf('.')
  return dot > 0 && REVISION_EXTENSIONS.has(name.slice(dot))
}

function safeRealpath(file: string): string | undefined {
  try {
    return realpathSync(file)
  } catch {
    return undefined
  }
}

/**
 * The stamp a listing took of `file`; undefined when no listing holds it. The names are sorted,
 * so a binary search finds one without a map of them all.
 */
export function stampIn(listings: readonly Listing[], file: string): FileStamp | undefined {
  for (const { prefix, names, stamps } of listings) {
    if (!file.startsWith(prefix)) continue
    const name = file.slice(prefix.length)
    let low = 0
    let high = names.length - 1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const found = names[middle] as string
      if (found < name) low = middle + 1
      else if (found > name) high = middle - 1
      else {
        const at = middle * STAMP_WIDTH
        if (Number.isNaN(stamps[at])) return undefined
        return {
          size: stamps[at] as number,
          mtimeMs: stamps[at + 1] as number,
          ctimeMs: stamps[at + 2] as number,
          ino: stamps[at + 3] as number,
        }
      }
    }
  }
  return undefined
}
