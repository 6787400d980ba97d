import { type FileStamp, RACY_MS } from './cache-file.js'
import type { RevisionHeader } from './revision-header.js'
import type { RevisionScript } from './script-directory.js'

export type { FileStamp } from './cache-file.js'

/** The world the revision cache touches, injectable for tests of the racy rule. */
export interface HeaderCacheOptions {
  /** `<nearest node_modules>/.cache/migraph`; undefined turns the cache off. */
  readonly dir: string | undefined
  /**
   * The stamp of a file, in place of the stat the folder listing took (tests fake coarse file
   * systems with it).
   */
  readonly stat?: ((file: string) => FileStamp) | undefined
  /** Wall-clock time, milliseconds since the epoch. */
  readonly nowMs?: (() => number) | undefined
}

/** A stored header: the {@link RevisionHeader} fields in this order. */
export type Row = readonly [
  revision: string,
  downRevision: string | readonly string[] | null,
  branchLabels: readonly string[] | null,
  dependsOn: readonly string[] | null,
  message: string | null,
  createDate: string | null,
  /** `true` for the header comment the revision template writes, which {@link templateDoc} rebuilds */
  doc: string | true | null,
  transactional: boolean,
  replaces: readonly string[] | null,
]

/**
 * One versions folder's headers as recorded: file names in listing order, {@link STAMP_WIDTH}
 * numbers per name (size, mtimeMs, ctimeMs, ino) and each file's header. Parallel arrays rather
 * than an object per file: they are read on every command, and at thousands of revisions fewer,
 * flatter values parse faster.
 */
export interface FolderRecord {
  readonly names: readonly string[]
  readonly stamps: Float64Array | readonly number[]
  readonly headers: readonly Row[]
}

/** Numbers per file in a stamp array: size, mtimeMs, ctimeMs, ino. */
export const STAMP_WIDTH = 4

/**
 * The headers of one versions folder, remembered between runs by each file's stat, as git's index
 * remembers content. An entry counts only when size, mtime, ctime and inode all match and the
 * file was not modified within {@link RACY_MS} of the run that recorded it; anything else is read
 * again. The record comes from, and goes back to, the project's revision cache file.
 */
export class HeaderCache {
  readonly #startedMs: number
  readonly #previous: (FolderRecord & { readonly stamps: Float64Array }) | undefined
  /** name → position in the previous record, built only when the listing stops matching it in order */
  #positions: Map<string, number> | undefined
  /** Entries recorded before this threshold were not racy when recorded. */
  readonly #trustedBeforeMs: number
  /**
   * How many leading entries of the previous record this run found unchanged, in the same places.
   * They are not copied into the arrays below until something differs: on the usual run nothing
   * does, and nothing is written.
   */
  #unchanged = 0
  #diverged = false
  #names: string[] = []
  #stamps: number[] = []
  #headers: Row[] = []
  #changed: boolean

  /**
   * @param previous the folder as the cache file recorded it, if it did
   * @param trustedBeforeMs entries changed at or after this were racy when recorded
   * @param startedMs when this run started listing: every stamp it takes is later
   */
  constructor(
    previous: (FolderRecord & { readonly stamps: Float64Array }) | undefined,
    trustedBeforeMs: number,
    startedMs: number,
  ) {
    this.#previous = previous
    this.#trustedBeforeMs = previous === undefined ? 0 : trustedBeforeMs
    this.#startedMs = startedMs
    this.#changed = previous === undefined
  }

  /**
   * The script of the `index`-th file listed (`file`, in `location`), whose stamp is at `index` in
   * `stamps`, when its recorded entry can be trusted. Files are looked up in listing order; the
   * cache keeps what the next run can use.
   */
  lookup(
    name: string,
    index: number,
    stamps: Float64Array,
    file: string,
    location: string,
  ): RevisionScript | undefined {
    const previous = this.#previous
    if (previous === undefined) return undefined
    const at = previous.names[index] === name ? index : this.#positionOf(name)
    if (at === undefined) return undefined
    if (
      !sameStamp(previous.stamps, at, stamps, index) ||
      this.#isRacy(stamps, index, this.#trustedBeforeMs)
    ) {
      return undefined
    }
    const row = previous.headers[at] as Row
    if (!isRow(row)) return undefined
    if (!this.#diverged && at === index && index === this.#unchanged) this.#unchanged++
    else this.#keep(name, stamps, index, row)
    return new StoredScript(row, file, location)
  }

  /** Records the header just read from the `index`-th file listed. */
  remember(name: string, index: number, stamps: Float64Array, header: RevisionHeader): void {
    const row = rowOf(header)
    this.#keep(name, stamps, index, row)
    if (this.#changed) return
    // Re-reading a racy entry that is still racy and unchanged gives the next run nothing new;
    // anything else (a new, changed or no longer racy entry) is worth writing down.
    if (
      !this.#isRacy(stamps, index, this.#startedMs - RACY_MS) ||
      !this.#recorded(name, stamps, index, row)
    ) {
      this.#changed = true
    }
  }

  /** A file that could not be stat'ed: the next run must not find its old entry. */
  forget(): void {
    this.#changed = true
  }

  /** Whether this run found anything the record should change for (a file added, removed or edited). */
  get changed(): boolean {
    const kept = this.#diverged ? this.#names.length : this.#unchanged
    return this.#changed || (this.#previous !== undefined && this.#previous.names.length !== kept)
  }

  /** The folder as this run found it, for the next run. */
  record(): FolderRecord {
    this.#diverge()
    return { names: this.#names, stamps: this.#stamps, headers: this.#headers }
  }

  /** From here on, entries are copied: the previous record's unchanged prefix first. */
  #diverge(): void {
    if (this.#diverged) return
    this.#diverged = true
    const previous = this.#previous
    const count = this.#unchanged
    if (previous === undefined || count === 0) return
    this.#names = previous.names.slice(0, count)
    this.#stamps = Array.from(previous.stamps.subarray(0, count * STAMP_WIDTH))
    this.#headers = previous.headers.slice(0, count)
  }

  #keep(name: string, stamps: Float64Array, index: number, row: Row): void {
    this.#diverge()
    const at = index * STAMP_WIDTH
    this.#names.push(name)
    this.#stamps.push(
      stamps[at] as number,
      stamps[at + 1] as number,
      stamps[at + 2] as number,
      stamps[at + 3] as number,
    )
    this.#headers.push(row)
  }

  #isRacy(stamps: Float64Array, index: number, trustedBeforeMs: number): boolean {
    const at = index * STAMP_WIDTH
    return (stamps[at + 1] as number) >= trustedBeforeMs || (stamps[at + 2] as number) >= trustedBeforeMs
  }

  #positionOf(name: string): number | undefined {
    const previous = this.#previous
    if (previous === undefined) return undefined
    if (this.#positions === undefined) {
      this.#positions = new Map()
      for (const [i, n] of previous.names.entries()) this.#positions.set(n, i)
    }
    return this.#positions.get(name)
  }

  /** Whether the previous record holds exactly this entry. */
  #recorded(name: string, stamps: Float64Array, index: number, row: Row): boolean {
    const at = this.#positionOf(name)
    const previous = this.#previous
    return (
      at !== undefined &&
      previous !== undefined &&
      sameStamp(previous.stamps, at, stamps, index) &&
      JSON.stringify(previous.headers[at]) === JSON.stringify(row)
    )
  }
}

/** Stamps as stored (base64 of their float64 bytes, in the machine's own order); undefined if damaged. */
export function decodeStamps(text: string): Float64Array | undefined {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length % Float64Array.BYTES_PER_ELEMENT !== 0) return undefined
  // A Float64Array must start on a multiple of 8 bytes, which a small Buffer from Node's shared
  // pool need not: such a one is copied first.
  const { buffer, byteOffset } =
    bytes.byteOffset % Float64Array.BYTES_PER_ELEMENT === 0 ? bytes : new Uint8Array(bytes)
  return new Float64Array(buffer, byteOffset, bytes.length / Float64Array.BYTES_PER_ELEMENT)
}

function sameStamp(stored: Float64Array, at: number, stamps: Float64Array, index: number): boolean {
  const s = at * STAMP_WIDTH
  const t = index * STAMP_WIDTH
  return (
    stored[s] === stamps[t] &&
    stored[s + 1] === stamps[t + 1] &&
    stored[s + 2] === stamps[t + 2] &&
    stored[s + 3] === stamps[t + 3]
  )
}

/** The stored form of a header. */
export function rowOf(h: RevisionHeader): Row {
  // Most revisions keep the comment the template wrote, the bulk of the file when stored whole.
  const standard =
    h.doc !== null && h.doc === templateDoc(h.revision, h.downRevision, h.message, h.createDate)
  return [
    h.revision,
    h.downRevision,
    h.branchLabels,
    h.dependsOn,
    h.message,
    h.createDate,
    standard ? true : h.doc,
    h.transactional,
    h.replaces,
  ]
}

/** The header comment of a revision as the revision template writes it. */
function templateDoc(
  revision: string,
  downRevision: string | readonly string[] | null,
  message: string | null,
  createDate: string | null,
): string {
  const revises =
    downRevision === null ? '' : typeof downRevision === 'string' ? downRevision : downRevision.join(', ')
  return `${message ?? ''}\n\nRevision ID: ${revision}\nRevises: ${revises}\nCreate Date: ${createDate ?? ''}`
}

/** Whether a stored row is one this version wrote. */
export function isRow(row: Row): boolean {
  if (!Array.isArray(row) || row.length !== 9) return false
  // Indexed, not destructured: destructuring an array steps an iterator, which costs at thousands
  // of rows, in code V8 has not optimized yet.
  const doc = row[6]
  return (
    typeof row[0] === 'string' &&
    row[0] !== '' &&
    isIds(row[1], true) &&
    isIds(row[2], false) &&
    isIds(row[3], false) &&
    isText(row[4]) &&
    isText(row[5]) &&
    (doc === true || isText(doc)) &&
    typeof row[7] === 'boolean' &&
    isIds(row[8], false)
  )
}

/**
 * The script of a file whose cached row the cache vouches for (checked when it was stored, and
 * its shape when read). The header comment in the template's shape is rebuilt only when asked
 * for: most commands never print it.
 */
export class StoredScript implements RevisionScript {
  declare readonly revision: string
  declare readonly downRevision: string | readonly string[] | null
  declare readonly branchLabels: readonly string[] | null
  declare readonly dependsOn: readonly string[] | null
  declare readonly message: string | null
  declare readonly createDate: string | null
  declare readonly transactional: boolean
  declare readonly replaces: readonly string[] | null
  declare readonly path: string
  declare readonly versionLocation: string
  readonly #doc: string | true | null

  constructor(row: Row, path: string, versionLocation: string) {
    this.revision = row[0]
    this.downRevision = row[1]
    this.branchLabels = row[2]
    this.dependsOn = row[3]
    this.message = row[4]
    this.createDate = row[5]
    this.#doc = row[6]
    this.transactional = row[7]
    this.replaces = row[8]
    this.path = path
    this.versionLocation = versionLocation
    Object.freeze(this)
  }

  get doc(): string | null {
    const doc = this.#doc
    return doc === true ? templateDoc(this.revision, this.downRevision, this.message, this.createDate) : doc
  }
}

function isIds(value: unknown, allowSingle: boolean): boolean {
  if (value === null) return true
  if (allowSingle && typeof value === 'string') return true
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i]
    if (typeof v !== 'string' || v === '') return false
  }
  return true
}

function isText(value: unknown): boolean {
  return value === null || typeof value === 'string'
}
