import { createHash } from 'node:crypto'
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import { MIGRAPH_VERSION } from '../version.js'
import type { RevisionHeader } from './revision-header.js'

// Bump when the stored form or the header parser changes, so no older entry is ever trusted.
const FORMAT = 1
/**
 * A file whose mtime or ctime falls within this much of the moment its entry was recorded may
 * change again without its stat changing (timestamps are only as fine as the file system keeps
 * them, down to 2 s on FAT), so its entry is never trusted: git's "racy" rule.
 */
const RACY_NS = 2_000_000_000n

/** What identifies a file's content without reading it: git's index keeps the same fields. */
export interface FileStamp {
  readonly size: bigint
  readonly mtimeNs: bigint
  readonly ctimeNs: bigint
  readonly ino: bigint
}

/** The world the cache touches, injectable for tests of the racy rule. */
export interface HeaderCacheOptions {
  /** `<nearest node_modules>/.cache/migraph`; undefined turns the cache off. */
  readonly dir: string | undefined
  /** The stat of a file, following symbolic links as reading does. */
  readonly stat?: ((file: string) => FileStamp) | undefined
  /** Wall-clock time, nanoseconds since the epoch. */
  readonly nowNs?: (() => bigint) | undefined
}

// size, mtimeNs, ctimeNs, ino (decimal strings), then the header fields in this order.
type Row = [
  string,
  string,
  string,
  string,
  string,
  string | readonly string[] | null,
  readonly string[] | null,
  readonly string[] | null,
  string | null,
  string | null,
  string | null,
  boolean,
]

interface CacheFile {
  readonly format: number
  readonly migraph: string
  readonly location: string
  /** When the run that wrote the file started, ns: every stat it recorded was taken later. */
  readonly startedNs: string
  readonly entries: Record<string, Row>
}

const statStamp = (file: string): FileStamp => statSync(file, { bigint: true })
const wallClockNs = (): bigint => BigInt(Date.now()) * 1_000_000n

/**
 * The headers of one versions folder, remembered between runs by each file's stat, as git's index
 * remembers content. An entry counts only when size, mtime, ctime and inode all match and the
 * file was not modified within {@link RACY_NS} of the run that recorded it; anything else is read
 * again. Reading or writing the cache never fails a command: a missing, corrupt or unwritable
 * cache only means reading every file.
 */
export class HeaderCache {
  readonly #file: string | undefined
  readonly #location: string
  readonly #stat: (file: string) => FileStamp
  readonly #startedNs: bigint
  readonly #previous: Readonly<Record<string, Row>>
  /** Entries recorded before this threshold were not racy when recorded. */
  readonly #trustedBeforeNs: bigint
  readonly #next = new Map<string, Row>()
  #changed = false

  private constructor(
    file: string | undefined,
    location: string,
    options: HeaderCacheOptions,
    startedNs: bigint,
  ) {
    this.#file = file
    this.#location = location
    this.#stat = options.stat ?? statStamp
    this.#startedNs = startedNs
    const loaded = file === undefined ? undefined : readCacheFile(file, location)
    this.#previous = loaded?.entries ?? {}
    this.#trustedBeforeNs = loaded === undefined ? 0n : loaded.trustedBeforeNs
    this.#changed = loaded === undefined && file !== undefined
  }

  /** Opens the cache of a versions folder; never throws. */
  static open(location: string, options: HeaderCacheOptions): HeaderCache {
    // Taken before any file is stat'ed: a later edit has an mtime at or after it.
    const startedNs = (options.nowNs ?? wallClockNs)()
    const absolute = resolve(location)
    const file =
      options.dir === undefined
        ? undefined
        : join(
            options.dir,
            `headers-${createHash('sha256')
              .update(`${FORMAT}\0${MIGRAPH_VERSION}\0${absolute}`)
              .digest('hex')
              .slice(0, 24)}.json`,
          )
    return new HeaderCache(file, absolute, options, startedNs)
  }

  /** The stat of a file to look up; undefined when it cannot be stat'ed (reading will say why). */
  stamp(file: string): FileStamp | undefined {
    try {
      return this.#stat(file)
    } catch {
      return undefined
    }
  }

  /** The cached header of a file name, when its entry can be trusted. */
  lookup(name: string, stamp: FileStamp | undefined): RevisionHeader | undefined {
    const row = this.#previous[name]
    if (stamp === undefined || row === undefined || !Array.isArray(row) || !sameStamp(row, stamp)) return
    if (isRacy(stamp, this.#trustedBeforeNs)) return
    const header = headerOf(row)
    if (header !== undefined) this.#next.set(name, row)
    return header
  }

  /** Records the header just read from a file with that stat. */
  remember(name: string, stamp: FileStamp | undefined, header: RevisionHeader): void {
    if (stamp === undefined) {
      this.#changed = true
      return
    }
    const row = rowOf(stamp, header)
    this.#next.set(name, row)
    if (this.#changed) return
    const previous = this.#previous[name]
    // Re-reading a racy entry that is still racy and unchanged gives the next run nothing new;
    // anything else (a new, changed or no longer racy entry) is worth writing down.
    const same = previous !== undefined && JSON.stringify(previous) === JSON.stringify(row)
    if (!same || !isRacy(stamp, this.#startedNs - RACY_NS)) {
      this.#changed = true
    }
  }

  /** Writes the cache if anything changed (a file added, removed or edited); never throws. */
  save(): void {
    if (this.#file === undefined) return
    const removed = Object.keys(this.#previous).some((name) => !this.#next.has(name))
    if (!this.#changed && !removed) return
    const content: CacheFile = {
      format: FORMAT,
      migraph: MIGRAPH_VERSION,
      location: this.#location,
      startedNs: String(this.#startedNs),
      entries: Object.fromEntries(this.#next),
    }
    const temporary = `${this.#file}.${process.pid}.tmp`
    try {
      mkdirSync(join(this.#file, '..'), { recursive: true })
      // Write then rename, so a concurrent run reads the old cache or the new one, never half.
      writeFileSync(temporary, JSON.stringify(content))
      renameSync(temporary, this.#file)
    } catch {
      // A read-only node_modules or a full disk: the next run reads the files again.
    }
  }
}

function readCacheFile(
  file: string,
  location: string,
): { entries: Record<string, Row>; trustedBeforeNs: bigint } | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const written = fstatSync(fd, { bigint: true }).mtimeNs
    const parsed = JSON.parse(readFileSync(fd, 'utf8')) as Partial<CacheFile> | null
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      parsed.format !== FORMAT ||
      parsed.migraph !== MIGRAPH_VERSION ||
      parsed.location !== location ||
      typeof parsed.startedNs !== 'string' ||
      typeof parsed.entries !== 'object' ||
      parsed.entries === null
    ) {
      return undefined
    }
    const started = BigInt(parsed.startedNs)
    // The earlier of the writer's clock and the file system's, in case the two disagree.
    const recorded = started < written ? started : written
    return { entries: parsed.entries, trustedBeforeNs: recorded - RACY_NS }
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

function sameStamp(row: Row, stamp: FileStamp): boolean {
  return (
    row[0] === String(stamp.size) &&
    row[1] === String(stamp.mtimeNs) &&
    row[2] === String(stamp.ctimeNs) &&
    row[3] === String(stamp.ino)
  )
}

function isRacy(stamp: FileStamp, trustedBeforeNs: bigint): boolean {
  return stamp.mtimeNs >= trustedBeforeNs || stamp.ctimeNs >= trustedBeforeNs
}

function rowOf(stamp: FileStamp, h: RevisionHeader): Row {
  return [
    String(stamp.size),
    String(stamp.mtimeNs),
    String(stamp.ctimeNs),
    String(stamp.ino),
    h.revision,
    h.downRevision,
    h.branchLabels,
    h.dependsOn,
    h.message,
    h.createDate,
    h.doc,
    h.transactional,
  ]
}

/** The header of a stored row; undefined when the row is not one this version wrote. */
function headerOf(row: Row): RevisionHeader | undefined {
  if (row.length !== 12) return undefined
  const [, , , , revision, downRevision, branchLabels, dependsOn, message, createDate, doc, transactional] =
    row
  if (
    typeof revision !== 'string' ||
    !isIds(downRevision, true) ||
    !isIds(branchLabels, false) ||
    !isIds(dependsOn, false) ||
    !isText(message) ||
    !isText(createDate) ||
    !isText(doc) ||
    typeof transactional !== 'boolean'
  ) {
    return undefined
  }
  return { revision, downRevision, branchLabels, dependsOn, message, createDate, doc, transactional }
}

function isIds(value: unknown, allowSingle: boolean): boolean {
  if (value === null) return true
  if (allowSingle && typeof value === 'string') return true
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

function isText(value: unknown): boolean {
  return value === null || typeof value === 'string'
}
