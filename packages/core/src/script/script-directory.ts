import { findSquashes, type Revision, type RevisionInput, RevisionMap, squashView } from '@migraph/graph'
import { RevisionFileError } from '../errors.js'
import { type Listing, listRevisionFiles, restampListing, stampIn } from './folder-listing.js'
import { type FileStamp, type HeaderCacheOptions, STAMP_WIDTH } from './header-cache.js'
import { findCacheDir, importEach, type ModuleImporter } from './import-module.js'
import { RevisionCache } from './revision-cache.js'
import { checkHeader, type RevisionScript, readHeader, readSource } from './revision-file.js'
import type { parseRevisionHeader } from './revision-header.js'
import { importFailure, type RevisionModule, revisionModule, sqlModule } from './revision-module.js'
import { isSqlRevisionFile } from './sql-revision.js'
import { readRowsThroughSquashes } from './squash-rows.js'

export type { RevisionScript } from './revision-file.js'
export type { RevisionModule } from './revision-module.js'

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

  /**
   * The file that declares `revision`, in this graph or outside it: a squash set aside for its
   * originals, or an original a squash stands for, still has its file.
   */
  fileOf(revision: string): RevisionScript | undefined {
    if (this.#all === undefined) return this.scripts.get(revision)
    return this.#all.find((script) => script.revision === revision)
  }

  /**
   * Validates the graph these files would form with one more revision (a new file, a squash),
   * read as graph-only commands read it: each squash in place of what it replaces. Throws the
   * graph's error, naming the file at fault, before anything is written.
   */
  checkWith(extra: RevisionInput): void {
    RevisionMap.build(squashView([...this.everyScript, extra]).inputs)
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
    applied?: ReadonlySet<string>,
  ): {
    readonly scripts: ScriptDirectory
    readonly heads: readonly string[]
    readonly stored: ReadonlyMap<string, string>
  } {
    const all = this.#all
    if (all === undefined) return { scripts: this, heads: rows, stored: new Map() }
    const { expand, heads, stored } = readRowsThroughSquashes(findSquashes(all), rows, targets, applied)
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
