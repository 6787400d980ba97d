import { join, resolve } from 'node:path'
import { type GraphSnapshot, RevisionMap } from '@migraph/graph'
import { fingerprint } from '../digest.js'
import { MIGRAPH_VERSION } from '../version.js'
import { RACY_MS, readCacheFile, writeCacheText } from './cache-file.js'
import type { Listing } from './folder-listing.js'
import {
  decodeStamps,
  type FolderRecord,
  HeaderCache,
  isRow,
  type Row,
  STAMP_WIDTH,
  StoredScript,
} from './header-cache.js'
import type { RevisionScript } from './script-directory.js'

/** Joins a folder's file names: a slash is in no file name, and JSON keeps it as it is. */
const SEPARATOR = '/'

// Bump when the stored form, the header parser or what the graph builder computes changes, so
// that no older record is ever trusted.
const FORMAT = 10

/**
 * One versions folder as stored: file names joined by {@link SEPARATOR}, stamps as the base64 of
 * their float64 bytes (in the machine's own order: the cache is the machine's own).
 */
interface StoredFolder {
  readonly names: string
  readonly stamps: string
  readonly headers: readonly Row[]
}

interface StoredFile {
  readonly format: number
  readonly migraph: string
  /** the versions folders, absolute, in the config's order */
  readonly locations: readonly string[]
  /** When the run that wrote the file started, ms: every stat it recorded was taken later. */
  readonly startedMs: number
  readonly folders: readonly StoredFolder[]
  /**
   * The graph the folders' headers make, in their order; absent when it could not be recorded (a
   * header that is not a literal, a file that vanished, a change too recent to trust).
   */
  readonly graph?: GraphSnapshot
}

/** Where and when: the cache folder (undefined turns the cache off) and the run's clock. */
export interface RevisionCacheOptions {
  readonly dir: string | undefined
  /** When this run started listing, ms since the epoch: every stamp it takes is later. */
  readonly startedMs: number
}

/**
 * What a project's revision files held the last time they were read, remembered between runs
 * by each file's stat, as git's index remembers content: one file per set of versions folders,
 * with every file's header and, when it could be recorded, the built, validated and walked graph.
 *
 * - When every folder lists exactly the files recorded, with the same size, mtime, ctime and
 *   inode, and none changed within {@link RACY_MS} of the run that recorded them, the graph is
 *   {@link restore}d as it was built: no file is read, nothing is validated or sorted again.
 * - Otherwise each folder's {@link HeaderCache} serves the entries still trusted one by one, the
 *   rest are read, the graph is built, and the new record {@link save}d.
 *
 * Reading or writing never fails a command: a missing, corrupt or unwritable cache only means
 * reading every file.
 */
export class RevisionCache {
  readonly #file: string | undefined
  readonly #locations: readonly string[]
  readonly #startedMs: number
  readonly #stored: StoredFile | undefined
  readonly #trustedBeforeMs: number
  readonly #headerCaches: (HeaderCache | undefined)[] = []

  private constructor(file: string | undefined, locations: readonly string[], startedMs: number) {
    this.#file = file
    this.#locations = locations
    this.#startedMs = startedMs
    const read = file === undefined ? undefined : readCacheFile(file)
    const stored = read?.value as Partial<StoredFile> | undefined
    const usable =
      read !== undefined &&
      stored !== undefined &&
      stored !== null &&
      stored.format === FORMAT &&
      stored.migraph === MIGRAPH_VERSION &&
      sameLocations(stored.locations, locations) &&
      Array.isArray(stored.folders) &&
      stored.folders.length === locations.length
    this.#stored = usable ? (stored as StoredFile) : undefined
    this.#trustedBeforeMs = usable ? read.trustedBeforeMs : 0
  }

  /** The cache of the versions folders `locations`, together and in this order; never throws. */
  static open(locations: readonly string[], options: RevisionCacheOptions): RevisionCache {
    const absolute = locations.map((location) => resolve(location))
    const file =
      options.dir === undefined
        ? undefined
        : join(
            options.dir,
            `revisions-${fingerprint(String(FORMAT), MIGRAPH_VERSION, absolute.join('\0'))}.json`,
          )
    return new RevisionCache(file, absolute, options.startedMs)
  }

  /**
   * The graph recorded for exactly these listings (one per folder, in order), and the script of
   * each of its revisions by position, made when first asked for; undefined when anything
   * differs, or cannot be trusted.
   */
  restore(locations: readonly string[], listings: readonly Listing[]): RestoredScripts | undefined {
    const stored = this.#stored
    if (stored?.graph === undefined || typeof stored.graph !== 'object') return undefined
    let count = 0
    for (const [at, listing] of listings.entries()) {
      const folder = stored.folders[at]
      if (!sameListing(folder, listing)) return undefined
      if (!(listing.newestChangeMs < this.#trustedBeforeMs)) return undefined
      if (!Array.isArray(folder?.headers) || folder.headers.length !== listing.names.length) return undefined
      count += listing.names.length
    }
    // Every folder's rows and paths in one line, as the graph's inputs are; a script object is
    // made only for a revision a command looks at (history describes every one, heads a few).
    const rows: Row[] = new Array(count)
    const paths: string[] = new Array(count)
    const folderOf = new Uint32Array(count)
    let k = 0
    for (const [at, { prefix, names }] of listings.entries()) {
      const headers = (stored.folders[at] as StoredFolder).headers
      for (let i = 0; i < names.length; i++, k++) {
        const row = headers[i] as Row
        if (!isRow(row)) return undefined
        rows[k] = row
        paths[k] = prefix + (names[i] as string)
        folderOf[k] = at
      }
    }
    const map = RevisionMap.restore(
      {
        size: count,
        revision: (i) => (rows[i] as Row)[0],
        downRevision: (i) => (rows[i] as Row)[1],
        branchLabels: (i) => (rows[i] as Row)[2],
        dependsOn: (i) => (rows[i] as Row)[3],
        message: (i) => (rows[i] as Row)[4],
        createDate: (i) => (rows[i] as Row)[5],
        path: (i) => paths[i] as string,
      },
      stored.graph,
    )
    if (map === undefined) return undefined
    return {
      map,
      count,
      scriptAt: (i) =>
        new StoredScript(rows[i] as Row, paths[i] as string, locations[folderOf[i] as number] as string),
    }
  }

  /** The header cache of the `at`-th folder, made from its stored record on first use. */
  headerCache(at: number): HeaderCache | undefined {
    if (this.#file === undefined) return undefined
    let cache = this.#headerCaches[at]
    if (cache === undefined) {
      cache = new HeaderCache(this.#storedFolder(at), this.#trustedBeforeMs, this.#startedMs)
      this.#headerCaches[at] = cache
    }
    return cache
  }

  /**
   * Records what this run found: each folder's headers (from its {@link headerCache}) and, when
   * given, the graph built from them. Writes only when a folder changed or the graph is worth
   * recording anew, and never a graph of files changed so recently that the next run could not
   * trust it anyway.
   */
  save(listings: readonly Listing[], map: RevisionMap | undefined): void {
    if (this.#file === undefined) return
    const caches = listings.map((_, at) => this.headerCache(at) as HeaderCache)
    const folders = caches.map((cache) => cache.record())
    const recordable =
      map !== undefined &&
      listings.every(
        (listing, at) =>
          listing.newestChangeMs < this.#startedMs - RACY_MS &&
          (folders[at] as FolderRecord).names.length === listing.names.length,
      )
    if (!caches.some((cache) => cache.changed) && !recordable) return
    writeCacheText(this.#file, this.#text(folders, recordable ? map : undefined))
  }

  #storedFolder(at: number): (FolderRecord & { readonly stamps: Float64Array }) | undefined {
    const folder = this.#stored?.folders[at]
    if (
      typeof folder !== 'object' ||
      folder === null ||
      typeof folder.names !== 'string' ||
      typeof folder.stamps !== 'string' ||
      !Array.isArray(folder.headers)
    ) {
      return undefined
    }
    const names = folder.names === '' ? [] : folder.names.split(SEPARATOR)
    const stamps = decodeStamps(folder.stamps)
    if (
      stamps === undefined ||
      folder.headers.length !== names.length ||
      stamps.length !== names.length * STAMP_WIDTH
    ) {
      return undefined
    }
    return { names, stamps, headers: folder.headers }
  }

  /**
   * The file's text, in pieces (the graph's walk is taken only once the file could be opened, and
   * the headers are written a thousand at a time), so that a large project's cache is never one
   * string, and then its bytes, in memory at once.
   */
  *#text(folders: readonly FolderRecord[], map: RevisionMap | undefined): Generator<string> {
    const head = {
      format: FORMAT,
      migraph: MIGRAPH_VERSION,
      locations: this.#locations,
      startedMs: this.#startedMs,
    }
    yield `${JSON.stringify(head).slice(0, -1)},"folders":[`
    for (const [at, { names, stamps, headers }] of folders.entries()) {
      const bytes = stamps instanceof Float64Array ? stamps : new Float64Array(stamps)
      const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
      yield `${at === 0 ? '' : ','}{"names":${JSON.stringify(names.join(SEPARATOR))},"stamps":"${base64}","headers":[`
      for (let from = 0; from < headers.length; from += ROWS_PER_PIECE) {
        const rows = JSON.stringify(headers.slice(from, from + ROWS_PER_PIECE)).slice(1, -1)
        yield from === 0 ? rows : `,${rows}`
      }
      yield ']}'
    }
    yield map === undefined ? ']}' : `],"graph":${JSON.stringify(map.snapshot())}}`
  }
}

/** A graph restored from the cache, and each of its scripts by position. */
export interface RestoredScripts {
  readonly map: RevisionMap
  readonly count: number
  /** The script of the revision at position `i` of the graph's input order; a new object each call. */
  scriptAt(i: number): RevisionScript
}

/** Headers per piece of text written: a few hundred kilobytes. */
const ROWS_PER_PIECE = 1000

function sameLocations(stored: unknown, locations: readonly string[]): boolean {
  return (
    Array.isArray(stored) &&
    stored.length === locations.length &&
    stored.every((location, i) => location === locations[i])
  )
}

/** Whether a folder lists the names recorded, with byte-for-byte the same stamps. */
function sameListing(stored: StoredFolder | undefined, listing: Listing): boolean {
  if (typeof stored?.names !== 'string' || typeof stored.stamps !== 'string') return false
  // One comparison of the joined names and one of the stamps' bytes, not one per file: at
  // thousands of files, this is what the whole check costs.
  if (stored.names !== listing.names.join(SEPARATOR)) return false
  const { stamps } = listing
  return Buffer.from(stored.stamps, 'base64').equals(
    Buffer.from(stamps.buffer, stamps.byteOffset, stamps.byteLength),
  )
}
