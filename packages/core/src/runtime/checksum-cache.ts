import { statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fingerprint } from '../digest.js'
import { type FileStamp, RACY_MS, readCacheFile, writeCacheFile } from '../script/cache-file.js'
import { findCacheDir } from '../script/import-module.js'
import { MIGRAPH_VERSION } from '../version.js'
import { type ChecksumOf, fileDigests } from './checksum.js'

export type { ChecksumOf } from './checksum.js'

// Bump when the stored form or the checksum's normalisation changes.
const FORMAT = 3

/** The stat fields an entry is kept by (see {@link FileStamp}). */
export type ChecksumStamp = FileStamp

/** The world the cache touches, injectable for tests of the racy rule. */
export interface ChecksumCacheOptions {
  /** The cache folder for a versions folder; undefined turns the cache off for it. */
  readonly cacheDir?: ((folder: string) => string | undefined) | undefined
  /** The stat of a file, following symbolic links as reading does. */
  readonly stat?: ((file: string) => ChecksumStamp) | undefined
  /** Wall-clock time, milliseconds since the epoch. */
  readonly nowMs?: (() => number) | undefined
}

/**
 * How long after a folder listing its stamps stand in for a fresh `stat` (see
 * {@link listingStamps}). A check that waited longer, for the migration lock say, stats again.
 */
const LISTING_FRESH_MS = 1000

/**
 * Options that take a revision file's stamp from the listing the command started with, while it
 * is fresh, instead of stat'ing the file a second time; the run counts as started when the
 * listing did, so the racy rule holds for every stamp used.
 */
export function listingStamps(listing: {
  stampOf(file: string): ChecksumStamp | undefined
  readonly listedAtMs: number
}): ChecksumCacheOptions {
  return {
    stat: (file) =>
      (Date.now() - listing.listedAtMs < LISTING_FRESH_MS ? listing.stampOf(file) : undefined) ??
      statSync(file),
    nowMs: () => listing.listedAtMs,
  }
}

// size, mtimeMs, ctimeMs, ino, checksum, legacy checksum, content digest; checked field by
// field when used.
type Row = readonly unknown[]

interface CacheFile {
  readonly format: number
  readonly migraph: string
  readonly folder: string
  /** When the run that wrote the file started, ms: every stat it recorded was taken later. */
  readonly startedMs: number
  readonly entries: Record<string, Row>
}

/** One versions folder's entries: those read from disk, and those to write back. */
interface Folder {
  readonly file: string | undefined
  readonly previous: Readonly<Record<string, Row>>
  /** Entries recorded before this threshold were not racy when recorded. */
  readonly trustedBeforeMs: number
  readonly next: Map<string, Row>
  changed: boolean
}

/**
 * The checksums of revision files (see {@link fileChecksum}), remembered between runs in
 * `node_modules/.cache/migraph` by each file's stat, as git's index remembers content: an entry
 * counts only when size, mtime, ctime and inode all match and the file was not modified within
 * {@link RACY_MS} of the run that recorded it; anything else is read and hashed again. So the
 * integrity check before every upgrade stats the applied revisions' files instead of reading
 * them. Reading or writing the cache never fails a command.
 */
export class ChecksumCache {
  readonly #cacheDir: (folder: string) => string | undefined
  readonly #stat: (file: string) => ChecksumStamp
  readonly #startedMs: number
  readonly #folders = new Map<string, Folder>()

  constructor(options: ChecksumCacheOptions = {}) {
    this.#cacheDir = options.cacheDir ?? findCacheDir
    this.#stat = options.stat ?? ((file) => statSync(file))
    // Taken before any file is stat'ed: a later edit has an mtime at or after it.
    this.#startedMs = (options.nowMs ?? Date.now)()
  }

  /** The checksum of a revision file, or null when it cannot be read. */
  readonly checksum: ChecksumOf = (file) => this.#digests(file)?.[0] ?? null

  /** The {@link legacyChecksum} of a revision file, or null when it cannot be read. */
  readonly legacyChecksum: ChecksumOf = (file) => this.#digests(file)?.[1] ?? null

  /** The {@link contentDigest} of a revision file's exact text, or null when it cannot be read. */
  readonly contentDigest: ChecksumOf = (file) => this.#digests(file)?.[2] ?? null

  /** A file's checksums and content digest, from this run's entry, the stored one, or the file. */
  #digests(file: string): Digests | undefined {
    const folder = this.#folder(dirname(file))
    const name = basename(file)
    const seen = folder.next.get(name)
    if (seen !== undefined) return [seen[4] as string, seen[5] as string, seen[6] as string]
    let stamp: ChecksumStamp
    try {
      stamp = this.#stat(file)
    } catch {
      const read = fileDigests(file)
      return read === null ? undefined : [read.checksum, read.legacy, read.content]
    }
    const row = folder.previous[name]
    const cached = row === undefined ? undefined : storedDigests(row, stamp)
    if (cached !== undefined && !isRacy(stamp, folder.trustedBeforeMs)) {
      folder.next.set(name, row as Row)
      return cached
    }
    const read = fileDigests(file)
    if (read === null) return undefined
    folder.next.set(name, [
      stamp.size,
      stamp.mtimeMs,
      stamp.ctimeMs,
      stamp.ino,
      read.checksum,
      read.legacy,
      read.content,
    ])
    // A racy entry read again gives the next run nothing it could trust; anything else does.
    if (cached?.[0] !== read.checksum || !isRacy(stamp, this.#startedMs - RACY_MS)) folder.changed = true
    return [read.checksum, read.legacy, read.content]
  }

  /**
   * Writes back the folders whose entries changed; never throws. Only the files looked up in
   * this run are kept (the applied revisions, once a run is done): an entry is trusted by the
   * time of the run that wrote it, so an older one must not be carried over.
   */
  save(): void {
    for (const [path, folder] of this.#folders) {
      if (folder.file === undefined) continue
      const dropped = Object.keys(folder.previous).some((name) => !folder.next.has(name))
      if (!folder.changed && !dropped) continue
      const content: CacheFile = {
        format: FORMAT,
        migraph: MIGRAPH_VERSION,
        folder: path,
        startedMs: this.#startedMs,
        entries: Object.fromEntries(folder.next),
      }
      writeCacheFile(folder.file, content)
    }
  }

  #folder(path: string): Folder {
    let folder = this.#folders.get(path)
    if (folder === undefined) {
      const dir = this.#cacheDir(path)
      const key = fingerprint(String(FORMAT), MIGRAPH_VERSION, path)
      const file = dir === undefined ? undefined : join(dir, `checksums-${key}.json`)
      const loaded = file === undefined ? undefined : readEntries(file, path)
      folder = {
        file,
        previous: loaded?.entries ?? {},
        trustedBeforeMs: loaded?.trustedBeforeMs ?? 0,
        next: new Map(),
        changed: false,
      }
      this.#folders.set(path, folder)
    }
    return folder
  }
}

function readEntries(
  file: string,
  folder: string,
): { entries: Record<string, Row>; trustedBeforeMs: number } | undefined {
  const read = readCacheFile(file)
  const parsed = read?.value as Partial<CacheFile> | undefined
  if (
    read === undefined ||
    parsed === undefined ||
    parsed.format !== FORMAT ||
    parsed.migraph !== MIGRAPH_VERSION ||
    parsed.folder !== folder ||
    typeof parsed.entries !== 'object' ||
    parsed.entries === null
  ) {
    return undefined
  }
  return { entries: parsed.entries, trustedBeforeMs: read.trustedBeforeMs }
}

/** A file's checksum, legacy checksum and content digest. */
type Digests = readonly [checksum: string, legacy: string, content: string]

/** The digests a stored row holds for a file with this stat; undefined if another file's or malformed. */
function storedDigests(row: Row, stamp: ChecksumStamp): Digests | undefined {
  if (
    !Array.isArray(row) ||
    row.length !== 7 ||
    typeof row[4] !== 'string' ||
    typeof row[5] !== 'string' ||
    typeof row[6] !== 'string'
  ) {
    return undefined
  }
  const same =
    row[0] === stamp.size && row[1] === stamp.mtimeMs && row[2] === stamp.ctimeMs && row[3] === stamp.ino
  return same ? [row[4], row[5], row[6]] : undefined
}

function isRacy(stamp: ChecksumStamp, trustedBeforeMs: number): boolean {
  return stamp.mtimeMs >= trustedBeforeMs || stamp.ctimeMs >= trustedBeforeMs
}
