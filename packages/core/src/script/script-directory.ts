import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { type Revision, RevisionMap } from '@migraph/graph'
import { RevisionFileError } from '../errors.js'
import { type FileStamp, HeaderCache, type HeaderCacheOptions, STAMP_WIDTH } from './header-cache.js'
import { describeImportError, findCacheDir, importEach, type ModuleImporter } from './import-module.js'
import { parseRevisionHeader, type RevisionHeader } from './revision-header.js'

/** One revision file: its header, read statically, and where it lives. */
export interface RevisionScript extends RevisionHeader {
  readonly path: string
  readonly versionLocation: string
}

/** A revision module once imported: the functions the runner calls. */
export interface RevisionModule {
  readonly upgrade: (op: never) => Promise<void> | void
  readonly downgrade: (op: never) => Promise<void> | void
}

const REVISION_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs'])
const NO_THROW = { throwIfNoEntry: false } as const
const { S_IFMT, S_IFLNK, S_IFREG } = constants

/** Reports something worth telling the user that is not an error. */
export type WarningSink = (message: string) => void

/** How {@link ScriptDirectory.load} remembers headers between runs. */
export interface ScriptDirectoryOptions {
  /**
   * The header cache of each versions folder: `false` reads every file; by default it lives in
   * the nearest `node_modules/.cache/migraph`.
   */
  readonly headerCache?: false | ((location: string) => HeaderCacheOptions) | undefined
}

const defaultHeaderCache = (location: string): HeaderCacheOptions => ({ dir: findCacheDir(location) })

/**
 * The revision files of a project, across every version location, and the graph they form.
 * Building it reads each file's header as text; no revision module is imported unless its header
 * cannot be read statically (then once, with a warning) or `loadModule` is called to run it.
 */
export class ScriptDirectory {
  readonly map: RevisionMap
  readonly versionLocations: readonly string[]
  /** In the graph's input order: the script of `map.revisions[i]` is at `i`. */
  readonly #list: readonly RevisionScript[]
  #byId: ReadonlyMap<string, RevisionScript> | undefined
  readonly #importer: ModuleImporter
  /** Each folder's listing: its revision file names in sorted order, and their stamps. */
  readonly #listings: readonly Listing[]
  /** When the listings started (ms since the epoch): every stamp in them was taken later. */
  readonly listedAtMs: number

  private constructor(
    map: RevisionMap,
    list: readonly RevisionScript[],
    versionLocations: readonly string[],
    importer: ModuleImporter,
    listings: readonly Listing[],
    listedAtMs: number,
  ) {
    this.map = map
    this.#list = list
    this.versionLocations = versionLocations
    this.#importer = importer
    this.#listings = listings
    this.listedAtMs = listedAtMs
  }

  /**
   * The stamp the folder listing took of a revision file (following a symbolic link, as reading
   * does), so that a check of the file soon after need not stat it again; undefined for a file
   * the listing did not stamp.
   */
  stampOf(file: string): FileStamp | undefined {
    for (const { prefix, names, stamps } of this.#listings) {
      if (!file.startsWith(prefix)) continue
      const name = file.slice(prefix.length)
      // The names are sorted: a binary search finds one without a map of them all.
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

  /** Every script by revision id, in the graph's input order. */
  get scripts(): ReadonlyMap<string, RevisionScript> {
    if (this.#byId === undefined) {
      const byId = new Map<string, RevisionScript>()
      for (const script of this.#list) byId.set(script.revision, script)
      this.#byId = byId
    }
    return this.#byId
  }

  /** The script of a revision of {@link map}. */
  scriptOf(revision: Revision): RevisionScript {
    return this.#list[revision.index] as RevisionScript
  }

  /** Reads every version location and builds the graph; graph errors name the files at fault. */
  static async load(
    versionLocations: readonly string[],
    importer: ModuleImporter,
    warn: WarningSink = () => {},
    options: ScriptDirectoryOptions = {},
  ): Promise<ScriptDirectory> {
    const cacheOptions = options.headerCache ?? defaultHeaderCache
    const scripts: RevisionScript[] = []
    const listings: Listing[] = []
    const listedAtMs = Date.now()
    for (const location of versionLocations) {
      const listing = listRevisionFiles(location)
      listings.push(listing)
      const { prefix, names, stamps } = listing
      // The run started before this folder was listed: every stamp the cache records is later.
      const cache =
        cacheOptions === false
          ? undefined
          : HeaderCache.open(location, { nowMs: () => listedAtMs, ...cacheOptions(location) })
      cache?.restamp(prefix, names, stamps)
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string
        const file = prefix + name
        const stamped = !Number.isNaN(stamps[i * STAMP_WIDTH])
        const cached = stamped ? cache?.lookup(name, i, stamps, file, location) : undefined
        if (cached !== undefined) {
          scripts.push(cached)
          continue
        }
        // Most headers are literals: read them without an await per file.
        const source = readSource(file)
        const header = readStaticHeader(source)
        if (header !== undefined) {
          const script = checkHeader(file, location, header)
          if (stamped) cache?.remember(name, i, stamps, script)
          else cache?.forget()
          scripts.push(script)
        } else {
          // Not cached: what a module exports can depend on more than its own text.
          scripts.push(await readDynamicScript(file, location, source, importer, warn))
        }
      }
      cache?.save()
    }
    // A script is a RevisionInput: its header fields and its path.
    const map = RevisionMap.build(scripts)
    return new ScriptDirectory(map, scripts, versionLocations, importer, listings, listedAtMs)
  }

  /** The script of a revision id (exact). */
  script(revision: string): RevisionScript {
    const rev = this.map.lookupKey(revision)
    if (rev === undefined || rev.revision !== revision) {
      throw new RevisionFileError('', `no revision file declares revision '${revision}'`)
    }
    return this.scriptOf(rev)
  }

  /**
   * Imports the modules of several revisions together (see {@link ModuleImporter.many}). Fails
   * with the error of the first failing revision in the order given, whichever failed first in
   * time.
   */
  async loadModules(revisions: Iterable<string>): Promise<Map<string, RevisionModule>> {
    const scripts = [...new Set(revisions)].map((revision) => this.script(revision))
    const files = scripts.map((script) => script.path)
    const settled = await (this.#importer.many?.(files) ?? importEach(this.#importer, files))
    const modules = new Map<string, RevisionModule>()
    for (const [at, script] of scripts.entries()) {
      const result = settled[at] as PromiseSettledResult<Record<string, unknown>>
      if (result.status === 'rejected') throw importFailure(script, result.reason)
      modules.set(script.revision, revisionModule(script, result.value))
    }
    return modules
  }

  /** Imports a revision module to run it; checks that it exports what the runner calls. */
  async loadModule(revision: string): Promise<RevisionModule> {
    const script = this.script(revision)
    let mod: Record<string, unknown>
    try {
      mod = await this.#importer(script.path)
    } catch (error) {
      throw importFailure(script, error)
    }
    return revisionModule(script, mod)
  }
}

function importFailure(script: RevisionScript, error: unknown): RevisionFileError {
  return new RevisionFileError(script.path, describeImportError(script.path, error), { cause: error })
}

/** The module of a revision, once checked to export what the runner calls. */
function revisionModule(script: RevisionScript, mod: Record<string, unknown>): RevisionModule {
  if (mod.revision !== script.revision) {
    throw new RevisionFileError(
      script.path,
      `${script.path}: exports revision ${JSON.stringify(mod.revision)} but its header reads '${script.revision}'`,
    )
  }
  for (const name of ['upgrade', 'downgrade'] as const) {
    if (typeof mod[name] !== 'function') {
      throw new RevisionFileError(script.path, `${script.path}: missing export 'async function ${name}(op)'`)
    }
  }
  return mod as unknown as RevisionModule
}

/**
 * Revision file names of one folder in order, the prefix that makes them paths, and each file's
 * stamp for the header cache (NaN when it vanished meanwhile: reading it will say so). A symbolic
 * link is followed, and refused when it leaves the folder. One `lstat` per file both types it
 * and stamps it.
 */
/** One versions folder as listed: see {@link listRevisionFiles}. */
interface Listing {
  readonly prefix: string
  readonly names: string[]
  readonly stamps: Float64Array
}

function listRevisionFiles(location: string): Listing {
  let listed: string[]
  try {
    listed = readdirSync(location)
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
  // `join(location, name)` for a plain entry name, without normalizing the folder each time.
  const prefix = join(location, '_').slice(0, -1)
  // Sorting the names orders the paths the same way (one shared prefix), comparing less text.
  const candidates = listed.filter(isRevisionFileName).sort()
  const names: string[] = []
  // Four numbers per file in one typed array: an object per file, and the boxes of its
  // fractional times, would outlive young-generation collections, which copy them each time.
  const stamps = new Float64Array(candidates.length * STAMP_WIDTH)
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
    } else {
      stamps[at] = stats.size
      stamps[at + 1] = stats.mtimeMs
      stamps[at + 2] = stats.ctimeMs
      stamps[at + 3] = stats.ino
    }
  }
  return { prefix, names, stamps: stamps.subarray(0, names.length * STAMP_WIDTH) }
}

function isRevisionFileName(name: string): boolean {
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

let readBuffer = Buffer.allocUnsafe(64 * 1024)

/**
 * A revision file's text. One open, one read and one close per file: `readFileSync` spends a
 * second read (and option handling) per file, which shows at thousands of revisions. A read that
 * returns less than was asked for is the end of a regular file; a file that fills the buffer
 * grows it and reads on.
 */
function readSource(file: string): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    throw new RevisionFileError(file, `cannot read ${file}: ${(error as Error).message}`)
  }
  try {
    let length = 0
    for (;;) {
      const read = readSync(fd, readBuffer, length, readBuffer.length - length, length)
      length += read
      if (read === 0 || length < readBuffer.length) break
      const larger = Buffer.allocUnsafe(readBuffer.length * 2)
      readBuffer.copy(larger, 0, 0, length)
      readBuffer = larger
    }
    return readBuffer.toString('utf8', 0, length)
  } catch (error) {
    throw new RevisionFileError(file, `cannot read ${file}: ${(error as Error).message}`)
  } finally {
    closeSync(fd)
  }
}

/** The header of a file when it is all literals; undefined when the module must be imported. */
function readStaticHeader(source: string): Partial<RevisionHeader> | undefined {
  const { header, dynamic } = parseRevisionHeader(source)
  if (dynamic.length > 0 || header.revision === undefined) return undefined
  return header
}

async function readDynamicScript(
  file: string,
  location: string,
  source: string,
  importer: ModuleImporter,
  warn: WarningSink,
): Promise<RevisionScript> {
  const { header, dynamic } = parseRevisionHeader(source)
  if (!/export\s+(const|let|var|\{)[\s\S]*\brevision\b/.test(source)) {
    throw new RevisionFileError(file, `${file}: missing export 'revision' (a string literal id)`)
  }
  warn(
    `${file}: header (${dynamic.join(', ') || 'revision'}) is not a literal; importing the module to read it`,
  )
  let mod: Record<string, unknown>
  try {
    mod = await importer(file)
  } catch (error) {
    throw new RevisionFileError(file, describeImportError(file, error), { cause: error })
  }
  return checkHeader(file, location, { ...header, ...pick(mod) })
}

function pick(mod: Record<string, unknown>): Partial<RevisionHeader> {
  const out: Record<string, unknown> = {}
  for (const key of ['revision', 'downRevision', 'branchLabels', 'dependsOn']) {
    if (key in mod) out[key] = mod[key]
  }
  if ('transactional' in mod) out.transactional = mod.transactional !== false
  return out as Partial<RevisionHeader>
}

function checkHeader(file: string, location: string, h: Partial<RevisionHeader>): RevisionScript {
  const revision = h.revision
  if (typeof revision !== 'string' || revision === '') {
    throw new RevisionFileError(
      file,
      `${file}: 'revision' must be a non-empty string, got ${JSON.stringify(revision)}`,
    )
  }
  return Object.freeze({
    revision,
    downRevision: idList(file, 'downRevision', h.downRevision, true),
    branchLabels: idList(file, 'branchLabels', h.branchLabels, false) as readonly string[] | null,
    dependsOn: idList(file, 'dependsOn', h.dependsOn, false) as readonly string[] | null,
    message: h.message ?? null,
    createDate: h.createDate ?? null,
    doc: h.doc ?? null,
    transactional: h.transactional ?? true,
    path: file,
    versionLocation: location,
  })
}

function idList(
  file: string,
  name: string,
  value: unknown,
  allowSingle: boolean,
): string | readonly string[] | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' && (allowSingle || value !== ''))
    return allowSingle ? value : Object.freeze([value])
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')) {
    return Object.freeze([...value])
  }
  throw new RevisionFileError(
    file,
    `${file}: '${name}' must be ${allowSingle ? 'null, a revision id or an array of ids' : 'null or an array of strings'}, got ${JSON.stringify(value)}`,
  )
}
