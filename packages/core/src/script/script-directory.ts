import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import { RevisionMap } from '@migraph/graph'
import { RevisionFileError } from '../errors.js'
import { describeImportError, type ModuleImporter } from './import-module.js'
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

/** Reports something worth telling the user that is not an error. */
export type WarningSink = (message: string) => void

/**
 * The revision files of a project, across every version location, and the graph they form.
 * Building it reads each file's header as text; no revision module is imported unless its header
 * cannot be read statically (then once, with a warning) or `loadModule` is called to run it.
 */
export class ScriptDirectory {
  readonly map: RevisionMap
  readonly scripts: ReadonlyMap<string, RevisionScript>
  readonly versionLocations: readonly string[]
  readonly #importer: ModuleImporter

  private constructor(
    map: RevisionMap,
    scripts: ReadonlyMap<string, RevisionScript>,
    versionLocations: readonly string[],
    importer: ModuleImporter,
  ) {
    this.map = map
    this.scripts = scripts
    this.versionLocations = versionLocations
    this.#importer = importer
  }

  /** Reads every version location and builds the graph; graph errors name the files at fault. */
  static async load(
    versionLocations: readonly string[],
    importer: ModuleImporter,
    warn: WarningSink = () => {},
  ): Promise<ScriptDirectory> {
    const scripts: RevisionScript[] = []
    for (const location of versionLocations) {
      for (const file of listRevisionFiles(location)) {
        scripts.push(await readScript(file, location, importer, warn))
      }
    }
    const map = RevisionMap.build(
      scripts.map((s) => ({
        revision: s.revision,
        downRevision: s.downRevision,
        branchLabels: s.branchLabels,
        dependsOn: s.dependsOn,
        message: s.message,
        path: s.path,
        createDate: s.createDate,
      })),
    )
    const byId = new Map<string, RevisionScript>()
    for (const script of scripts) byId.set(script.revision, script)
    return new ScriptDirectory(map, byId, versionLocations, importer)
  }

  /** The script of a revision id (exact). */
  script(revision: string): RevisionScript {
    const script = this.scripts.get(revision)
    if (script === undefined)
      throw new RevisionFileError('', `no revision file declares revision '${revision}'`)
    return script
  }

  /** Imports a revision module to run it; checks that it exports what the runner calls. */
  async loadModule(revision: string): Promise<RevisionModule> {
    const script = this.script(revision)
    let mod: Record<string, unknown>
    try {
      mod = await this.#importer(script.path)
    } catch (error) {
      throw new RevisionFileError(script.path, describeImportError(script.path, error), { cause: error })
    }
    if (mod.revision !== script.revision) {
      throw new RevisionFileError(
        script.path,
        `${script.path}: exports revision ${JSON.stringify(mod.revision)} but its header reads '${script.revision}'`,
      )
    }
    for (const name of ['upgrade', 'downgrade'] as const) {
      if (typeof mod[name] !== 'function') {
        throw new RevisionFileError(
          script.path,
          `${script.path}: missing export 'async function ${name}(op)'`,
        )
      }
    }
    return mod as unknown as RevisionModule
  }
}

/** Revision files of one folder in file-name order; a symlink that leaves the folder is refused. */
function listRevisionFiles(location: string): string[] {
  let entries: import('node:fs').Dirent[]
  try {
    entries = readdirSync(location, { withFileTypes: true })
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
  const files: string[] = []
  for (const entry of entries) {
    const name = entry.name
    if (name.startsWith('.') || name.startsWith('_') || name.endsWith('.d.ts')) continue
    if (!REVISION_EXTENSIONS.has(extname(name))) continue
    const file = join(location, name)
    if (entry.isSymbolicLink()) {
      const target = safeRealpath(file)
      const root = realpathSync(location)
      if (target === undefined || relative(root, target).startsWith('..') || target === root) {
        throw new RevisionFileError(
          file,
          `${file}: symbolic link resolves outside the versions folder ${location}`,
        )
      }
    } else if (!entry.isFile()) {
      continue
    }
    files.push(file)
  }
  return files.sort()
}

function safeRealpath(file: string): string | undefined {
  try {
    return realpathSync(file)
  } catch {
    return undefined
  }
}

async function readScript(
  file: string,
  location: string,
  importer: ModuleImporter,
  warn: WarningSink,
): Promise<RevisionScript> {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch (error) {
    throw new RevisionFileError(file, `cannot read ${file}: ${(error as Error).message}`)
  }
  const { header, dynamic } = parseRevisionHeader(source)
  let values: Partial<RevisionHeader> = header
  if (dynamic.length > 0 || header.revision === undefined) {
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
    values = { ...header, ...pick(mod) }
  }
  return checkHeader(file, location, values)
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
