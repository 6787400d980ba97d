import { closeSync, openSync, readSync } from 'node:fs'
import { findSquashes, type Revision, RevisionMap, squashView } from '@migraph/graph'
import { readTimeouts } from '../config/revision-limits.js'
import { RevisionFileError } from '../errors.js'
import { type Listing, listRevisionFiles, restampListing, stampIn } from './folder-listing.js'
import { type FileStamp, type HeaderCacheOptions, STAMP_WIDTH } from './header-cache.js'
import { describeImportError, findCacheDir, importEach, type ModuleImporter } from './import-module.js'
import { RevisionCache } from './revision-cache.js'
import { parseRevisionHeader, type RevisionHeader } from './revision-header.js'
import {
  isSqlRevisionFile,
  outsideTransactionStatement,
  parseSqlRevision,
  type SqlRevisionModule,
  sqlRevisionModule,
} from './sql-revision.js'
import { readRowsThroughSquashes } from './squash-rows.js'

/** One revision file: its header, read statically, and where it lives. */
export interface RevisionScript extends RevisionHeader {
  readonly path: string
  readonly versionLocation: string
}

/** A revision module once imported: the functions the runner calls. */
export interface RevisionModule {
  readonly upgrade: (op: never) => Promise<void> | void
  readonly downgrade: (op: never) => Promise<void> | void
  /**
   * `export const timeouts = { lockTimeout, statementTimeout }`, checked: read from the module
   * when it is imported to run (never by graph-only commands, which do not need it).
   */
  readonly limits?: { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null }
  /** `export const lint = { ignore: { rule: 'reason' } }`, as exported; `mig lint` checks it. */
  readonly lint?: unknown
  /** A `.sql` revision's statements and how they may run; undefined for a module. */
  readonly sql?: SqlRevisionModule | undefined
}

/** How {@link ScriptDirectory.load} remembers headers and the graph between runs. */
export interface ScriptDirectoryOptions {
  /**
   * Where the revision cache lives (see {@link RevisionCache}), asked of each versions folder; the
   * first folder's answer places the one file of the project: `false` reads every file, and by
   * default it lives in the nearest `node_modules/.cache/migraph`.
   */
  readonly headerCache?: false | ((location: string) => HeaderCacheOptions) | undefined
  /** Whether the revision files of each folder's sub-folders count too (`recursiveVersionLocations`). */
  readonly recursive?: boolean | undefined
}

const defaultHeaderCache = (location: string): HeaderCacheOptions => ({ dir: findCacheDir(location) })

/**
 * The revision files of a project, across every version location, and the graph they form.
 * Building it reads each file's header as text (see {@link parseRevisionHeader}); a revision module
 * is imported only by {@link loadModules} or {@link loadModule}, to run it.
 */
export class ScriptDirectory {
  readonly map: RevisionMap
  readonly versionLocations: readonly string[]
  /** In the graph's input order: the script of `map.revisions[i]` is at `i`, once made. */
  readonly #list: (RevisionScript | undefined)[]
  /** Makes the script at a position, for a directory restored from the revision cache. */
  readonly #make: ((i: number) => RevisionScript) | undefined
  #byId: ReadonlyMap<string, RevisionScript> | undefined
  readonly #importer: ModuleImporter
  /** Each folder's listing: its revision file names in sorted order, and their stamps. */
  readonly #listings: readonly Listing[]
  /** When the listings started (ms since the epoch): every stamp in them was taken later. */
  readonly listedAtMs: number
  /** Every script read, squashes and what they replace alike, when any squash is among them. */
  #all: readonly RevisionScript[] | undefined

  private constructor(
    map: RevisionMap,
    scripts: RevisionScript[] | ((i: number) => RevisionScript),
    versionLocations: readonly string[],
    importer: ModuleImporter,
    listings: readonly Listing[],
    listedAtMs: number,
  ) {
    this.map = map
    this.#list = typeof scripts === 'function' ? new Array(map.size) : scripts
    this.#make = typeof scripts === 'function' ? scripts : undefined
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
    return stampIn(this.#listings, file)
  }

  /** Every script by revision id, in the graph's input order. */
  get scripts(): ReadonlyMap<string, RevisionScript> {
    if (this.#byId === undefined) {
      const byId = new Map<string, RevisionScript>()
      for (const revision of this.map.revisions) byId.set(revision.revision, this.scriptOf(revision))
      this.#byId = byId
    }
    return this.#byId
  }

  /** Every script read, squashes and the revisions they replace alike, whatever the graph holds. */
  get everyScript(): readonly RevisionScript[] {
    return this.#all ?? [...this.scripts.values()]
  }

  /** The script of a revision of {@link map}. */
  scriptOf(revision: Revision): RevisionScript {
    const at = revision.index
    let script = this.#list[at]
    if (script === undefined) {
      script = (this.#make as (i: number) => RevisionScript)(at)
      this.#list[at] = script
    }
    return script
  }

  /** Reads every version location and builds the graph; graph errors name the files at fault. */
  static async load(
    versionLocations: readonly string[],
    importer: ModuleImporter,
    options: ScriptDirectoryOptions = {},
  ): Promise<ScriptDirectory> {
    const cacheOptions = options.headerCache ?? defaultHeaderCache
    const listedAtMs = Date.now()
    const perLocation = cacheOptions === false ? undefined : versionLocations.map(cacheOptions)
    const listings = versionLocations.map((location, at) => {
      const listing = listRevisionFiles(location, options.recursive === true)
      const stat = perLocation?.[at]?.stat
      return stat === undefined ? listing : restampListing(listing, stat)
    })
    const startedMs = (perLocation?.[0]?.nowMs ?? (() => listedAtMs))()
    const cache =
      perLocation === undefined
        ? undefined
        : RevisionCache.open(versionLocations, { dir: perLocation[0]?.dir, startedMs })
    const restored = cache?.restore(versionLocations, listings)
    if (restored !== undefined) {
      return new ScriptDirectory(
        restored.map,
        restored.scriptAt,
        versionLocations,
        importer,
        listings,
        listedAtMs,
      )
    }
    const scripts: RevisionScript[] = []
    // Whether every file was stamped: only then does the graph depend on nothing but the stamps
    // the cache records.
    let recordable = true
    for (const [at, location] of versionLocations.entries()) {
      const { prefix, names, stamps } = listings[at] as Listing
      const headers = cache?.headerCache(at)
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string
        const file = prefix + name
        const stamped = !Number.isNaN(stamps[i * STAMP_WIDTH])
        if (!stamped) recordable = false
        const cached = stamped ? headers?.lookup(name, i, stamps, file, location) : undefined
        if (cached !== undefined) {
          scripts.push(cached)
          continue
        }
        const script = checkHeader(file, location, readHeader(file, readSource(file)))
        if (stamped) headers?.remember(name, i, stamps, script)
        else headers?.forget()
        scripts.push(script)
      }
    }
    if (scripts.some((script) => script.replaces !== null)) {
      // The graph depends on the database's rows (see forVersions): it is not recorded.
      cache?.save(listings, undefined)
      const parts = { locations: versionLocations, importer, listings, listedAtMs }
      return ScriptDirectory.#squashed(scripts, new Set(), parts)
    }
    // A script is a RevisionInput: its header fields and its path.
    let map: RevisionMap
    try {
      map = RevisionMap.build(scripts)
    } catch (error) {
      // A broken graph: its headers are still worth keeping for the run after the fix.
      cache?.save(listings, undefined)
      throw error
    }
    cache?.save(listings, recordable ? map : undefined)
    return new ScriptDirectory(map, scripts, versionLocations, importer, listings, listedAtMs)
  }

  /**
   * The graph with squashes: each squash in `expand` gives way to the revisions it replaces,
   * every other one stands in for them (see {@link squashView}).
   */
  static #squashed(
    all: readonly RevisionScript[],
    expand: ReadonlySet<string>,
    parts: {
      readonly locations: readonly string[]
      readonly importer: ModuleImporter
      readonly listings: readonly Listing[]
      readonly listedAtMs: number
    },
  ): ScriptDirectory {
    // Plain inputs: a rewritten revision's script keeps the header its file declares.
    const inputs = all.map((s) => ({
      revision: s.revision,
      downRevision: s.downRevision,
      branchLabels: s.branchLabels,
      dependsOn: s.dependsOn,
      message: s.message,
      createDate: s.createDate,
      path: s.path,
      replaces: s.replaces,
    }))
    const view = squashView(inputs, expand)
    const map = RevisionMap.build(view.inputs, { aliases: view.aliases })
    const scripts = view.positions.map((i) => all[i] as RevisionScript)
    const directory = new ScriptDirectory(
      map,
      scripts,
      parts.locations,
      parts.importer,
      parts.listings,
      parts.listedAtMs,
    )
    directory.#all = all
    return directory
  }

  /**
   * The graph as a database with these version rows reads it, Django's way: a row at a revision
   * a squash replaces, other than its last, keeps the replaced revisions in the graph (the
   * database goes on with them); a row at the last one stands for the squash. `heads` are the rows
   * as revisions of the graph returned, and `stored` says which of them the version table holds
   * under another id (squash → the row it holds), for the first step that changes that row.
   * A target inside a squash (`upgrade r3`, `stamp r3`) keeps that squash's originals too.
   */
  forVersions(
    rows: readonly string[],
    targets: readonly string[] = [],
  ): {
    readonly scripts: ScriptDirectory
    readonly heads: readonly string[]
    readonly stored: ReadonlyMap<string, string>
  } {
    const all = this.#all
    if (all === undefined) return { scripts: this, heads: rows, stored: new Map() }
    const { expand, heads, stored } = readRowsThroughSquashes(findSquashes(all), rows, targets)
    if (expand.size === 0) return { scripts: this, heads, stored }
    const parts = {
      locations: this.versionLocations,
      importer: this.#importer,
      listings: this.#listings,
      listedAtMs: this.listedAtMs,
    }
    return { scripts: ScriptDirectory.#squashed(all, expand, parts), heads, stored }
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
   * Imports the modules of several revisions together (see {@link ModuleImporter.many}), given
   * what the caller knows of each file's content digest without reading it. Fails with the error
   * of the first failing revision in the order given, whichever failed first in time.
   */
  async loadModules(
    revisions: Iterable<string>,
    digestOf?: (revision: string) => string | null | undefined,
  ): Promise<Map<string, RevisionModule>> {
    const all = [...new Set(revisions)].map((revision) => this.script(revision))
    // `.sql` revisions are read, not imported: the importer sees only modules.
    const scripts = all.filter((script) => !isSqlRevisionFile(script.path))
    const files = scripts.map((script) => script.path)
    const digests = digestOf === undefined ? undefined : scripts.map((script) => digestOf(script.revision))
    const settled =
      files.length === 0
        ? []
        : await (this.#importer.many?.(files, digests) ?? importEach(this.#importer, files))
    const imported = new Map<string, RevisionModule>()
    for (const [at, script] of scripts.entries()) {
      const result = settled[at] as PromiseSettledResult<Record<string, unknown>>
      if (result.status === 'rejected') throw importFailure(script, result.reason)
      imported.set(script.revision, revisionModule(script, result.value))
    }
    const modules = new Map<string, RevisionModule>()
    for (const script of all) {
      modules.set(script.revision, imported.get(script.revision) ?? sqlModule(script))
    }
    return modules
  }

  /** Imports a revision module to run it; checks that it exports what the runner calls. */
  async loadModule(revision: string): Promise<RevisionModule> {
    const script = this.script(revision)
    if (isSqlRevisionFile(script.path)) return sqlModule(script)
    let mod: Record<string, unknown>
    try {
      mod = await this.#importer(script.path)
    } catch (error) {
      throw importFailure(script, error)
    }
    return revisionModule(script, mod)
  }
}

/**
 * The module of a `.sql` revision, read from its file now: a header that no longer reads as the
 * graph was built from (an edit since) fails before any step runs.
 */
function sqlModule(script: RevisionScript): RevisionModule {
  const source = readSource(script.path)
  const sql = sqlRevisionModule(script.path, source)
  const header = readHeader(script.path, source)
  for (const name of HEADER_FIELDS) {
    const now = exportedField(name, header[name])
    if (!sameValue(now, exportedField(name, script[name]))) {
      throw new RevisionFileError(
        script.path,
        `${script.path}: its ${name} changed since the graph was read; run the command again`,
      )
    }
  }
  return { upgrade: sql.upgrade, downgrade: sql.downgrade, sql }
}

function importFailure(script: RevisionScript, error: unknown): RevisionFileError {
  return new RevisionFileError(script.path, describeImportError(script.path, error), { cause: error })
}

/**
 * The module of a revision, once checked to export what the runner calls and, for each header
 * field, the value its header was read as: a header that says one thing while the code exports
 * another (a declaration the static reader could not see) fails before any step runs.
 */
function revisionModule(script: RevisionScript, mod: Record<string, unknown>): RevisionModule {
  for (const name of HEADER_FIELDS) {
    const exported = exportedField(name, mod[name])
    const declared = exportedField(name, script[name])
    if (!sameValue(exported, declared)) {
      throw new RevisionFileError(
        script.path,
        `${script.path}: exports ${name} ${describe(mod[name])} but its header reads ${describe(script[name])}; header fields must be top-level 'export const' literals`,
      )
    }
  }
  for (const name of ['upgrade', 'downgrade'] as const) {
    if (typeof mod[name] !== 'function') {
      throw new RevisionFileError(script.path, `${script.path}: missing export 'async function ${name}(op)'`)
    }
  }
  if (mod.timeouts === undefined) return mod as unknown as RevisionModule
  const limits = readTimeouts(mod.timeouts)
  if (typeof limits === 'string') {
    throw new RevisionFileError(script.path, `${script.path}: export 'timeouts' ${limits}`)
  }
  return {
    upgrade: mod.upgrade as RevisionModule['upgrade'],
    downgrade: mod.downgrade as RevisionModule['downgrade'],
    limits,
    lint: mod.lint,
  }
}

const HEADER_FIELDS = [
  'revision',
  'downRevision',
  'branchLabels',
  'dependsOn',
  'transactional',
  'replaces',
] as const

/**
 * A header field's value as the runner takes it: absent is null (and `transactional` true), one
 * id is a list of one.
 */
function exportedField(name: (typeof HEADER_FIELDS)[number], value: unknown): unknown {
  if (name === 'transactional') return value !== false
  if (name === 'revision') return value
  if (value === undefined || value === null) return null
  return typeof value === 'string' ? [value] : value
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i])
  return a === b
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
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

/** The header of a revision file, read from its text; every field must be a literal. */
function readHeader(file: string, source: string): Partial<RevisionHeader> {
  if (isSqlRevisionFile(file)) {
    const parsed = parseSqlRevision(file, source)
    const transactional = !parsed.noTransaction && outsideTransactionStatement(parsed) === undefined
    return { ...parsed.header, transactional }
  }
  const { header, problems } = parseRevisionHeader(source)
  const problem = problems[0]
  if (problem !== undefined) throw new RevisionFileError(file, `${file}: ${problem.reason}`)
  if (header.revision === undefined) {
    throw new RevisionFileError(file, `${file}: missing export 'revision' (a string literal id)`)
  }
  return header
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
    replaces: idList(file, 'replaces', h.replaces, false) as readonly string[] | null,
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
