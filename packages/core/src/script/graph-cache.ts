import { join, resolve } from 'node:path'
import { type GraphSnapshot, RevisionMap } from '@migraph/graph'
import { fingerprint } from '../digest.js'
import { MIGRAPH_VERSION } from '../version.js'
import { RACY_MS, readCacheFile, writeCacheFile } from './cache-file.js'
import type { Listing } from './folder-listing.js'
import { isRow, type Row, rowOf, STAMP_WIDTH, StoredScript } from './header-cache.js'
import type { RevisionScript } from './script-directory.js'

// Bump when the stored form changes, or what the graph builder computes does.
const FORMAT = 1

/** One versions folder as recorded: its file names joined by NUL, and their stamps (base64). */
interface StoredListing {
  readonly names: string
  readonly stamps: string
}

interface StoredGraph {
  readonly format: number
  readonly migraph: string
  /** the versions folders, absolute, in the config's order */
  readonly locations: readonly string[]
  /** When the run that wrote the file started, ms: every stat it recorded was taken later. */
  readonly startedMs: number
  readonly listings: readonly StoredListing[]
  /** every file's header, in the graph's input order (the folders' listings, one after another) */
  readonly rows: readonly Row[]
  readonly graph: GraphSnapshot
}

/** Where and when: the cache folder (undefined turns the cache off) and the run's clock. */
export interface GraphCacheOptions {
  readonly dir: string | undefined
  /** When this run started listing, ms since the epoch. */
  readonly startedMs: number
}

/**
 * The whole revision graph of a project, remembered between runs: every header and the built,
 * validated, walked graph, beside the stat of every file it came from. When every versions folder
 * lists exactly the files it recorded, with the same size, mtime, ctime and inode, and none was
 * modified within {@link RACY_MS} of the run that recorded it (the header cache's rules), the
 * graph is restored as it was built: no header is looked up one by one, nothing is validated or
 * sorted again. Anything else falls back to the header cache and a fresh build, which records a
 * new graph. Reading or writing never fails a command.
 */
export class GraphCache {
  readonly #file: string | undefined
  readonly #locations: readonly string[]
  readonly #startedMs: number

  private constructor(file: string | undefined, locations: readonly string[], startedMs: number) {
    this.#file = file
    this.#locations = locations
    this.#startedMs = startedMs
  }

  /** The cache of the graph the versions folders `locations` make together; never throws. */
  static open(locations: readonly string[], options: GraphCacheOptions): GraphCache {
    const absolute = locations.map((location) => resolve(location))
    const file =
      options.dir === undefined
        ? undefined
        : join(options.dir, `graph-${fingerprint(String(FORMAT), MIGRAPH_VERSION, absolute.join('\0'))}.json`)
    return new GraphCache(file, absolute, options.startedMs)
  }

  /**
   * The scripts and the graph recorded for exactly these listings (one per folder, in order);
   * undefined when anything differs or cannot be trusted.
   */
  restore(
    locations: readonly string[],
    listings: readonly Listing[],
  ): { scripts: RevisionScript[]; map: RevisionMap } | undefined {
    if (this.#file === undefined) return undefined
    const read = readCacheFile(this.#file)
    const stored = read?.value as Partial<StoredGraph> | undefined
    if (
      read === undefined ||
      stored === undefined ||
      stored.format !== FORMAT ||
      stored.migraph !== MIGRAPH_VERSION ||
      !sameLocations(stored.locations, this.#locations) ||
      !Array.isArray(stored.listings) ||
      stored.listings.length !== listings.length ||
      !Array.isArray(stored.rows) ||
      typeof stored.graph !== 'object'
    ) {
      return undefined
    }
    let count = 0
    for (const [at, listing] of listings.entries()) {
      if (!sameListing(stored.listings[at], listing)) return undefined
      if (!(newestChange(listing) < read.trustedBeforeMs)) return undefined
      count += listing.names.length
    }
    const rows = stored.rows
    if (rows.length !== count) return undefined
    const scripts: RevisionScript[] = new Array(count)
    let k = 0
    for (const [at, { prefix, names }] of listings.entries()) {
      const location = locations[at] as string
      for (let i = 0; i < names.length; i++, k++) {
        const row = rows[k] as Row
        if (!isRow(row)) return undefined
        scripts[k] = new StoredScript(row, prefix + (names[i] as string), location)
      }
    }
    const map = RevisionMap.restore(scripts, stored.graph as GraphSnapshot)
    return map === undefined ? undefined : { scripts, map }
  }

  /**
   * Records the scripts of these listings and the graph built from them. Nothing is written when
   * a file changed so recently that the next run could not trust the record anyway.
   */
  save(listings: readonly Listing[], scripts: readonly RevisionScript[], map: RevisionMap): void {
    if (this.#file === undefined) return
    for (const listing of listings) {
      if (!(newestChange(listing) < this.#startedMs - RACY_MS)) return
    }
    const content: StoredGraph = {
      format: FORMAT,
      migraph: MIGRAPH_VERSION,
      locations: this.#locations,
      startedMs: this.#startedMs,
      listings: listings.map(({ names, stamps }) => ({
        names: names.join('\0'),
        stamps: Buffer.from(stamps.buffer, stamps.byteOffset, stamps.byteLength).toString('base64'),
      })),
      rows: scripts.map(rowOf),
      graph: map.snapshot(),
    }
    writeCacheFile(this.#file, content)
  }
}

function sameLocations(stored: unknown, locations: readonly string[]): boolean {
  return (
    Array.isArray(stored) &&
    stored.length === locations.length &&
    stored.every((location, i) => location === locations[i])
  )
}

/** Whether a folder lists the names recorded, with byte-for-byte the same stamps. */
function sameListing(stored: StoredListing | undefined, listing: Listing): boolean {
  if (typeof stored?.names !== 'string' || typeof stored.stamps !== 'string') return false
  // One comparison of the joined names and one of the stamps' bytes, not one per file: at
  // thousands of files, this is what the whole check costs.
  if (stored.names !== listing.names.join('\0')) return false
  const { stamps } = listing
  return Buffer.from(stored.stamps, 'base64').equals(
    Buffer.from(stamps.buffer, stamps.byteOffset, stamps.byteLength),
  )
}

/** The latest mtime or ctime in a listing; NaN (never trusted) when a file vanished. */
function newestChange(listing: Listing): number {
  const { stamps } = listing
  let newest = Number.NEGATIVE_INFINITY
  for (let at = 0; at < stamps.length; at += STAMP_WIDTH) {
    const size = stamps[at] as number
    if (Number.isNaN(size)) return Number.NaN
    const mtime = stamps[at + 1] as number
    const ctime = stamps[at + 2] as number
    if (mtime > newest) newest = mtime
    if (ctime > newest) newest = ctime
  }
  return newest
}
