import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { placeNewRevision } from '@migraph/graph'
import type { RevisionFormat } from '../config/resolved-config.js'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { isSearchedFolderName } from '../script/folder-listing.js'
import { checkRevisionId, formatCreateDate, renderFileName, slugify } from '../script/revision-file-name.js'
import { ScriptDirectory } from '../script/script-directory.js'
import { renderTemplate, TEMPLATES_DIR } from '../script/templates.js'
import { runPostWrite } from './post-write.js'
import { countRevisionFiles, lockVersionFolders } from './revision-lock.js'

export interface RevisionArgs {
  readonly message?: string | undefined
  /** The head (or heads, for a merge) the new revision follows. Default `head`. */
  readonly head?: string | readonly string[] | undefined
  /** Allow `head` to be a non-head revision, starting a new branch from it. */
  readonly splice?: boolean | undefined
  readonly branchLabels?: readonly string[] | undefined
  readonly dependsOn?: readonly string[] | undefined
  readonly versionPath?: string | undefined
  readonly revId?: string | undefined
  /** Generated bodies of `upgrade()` and `downgrade()`, and the names imported from migraph. */
  readonly body?:
    | { readonly upgrades: string; readonly downgrades: string; readonly imports?: string | undefined }
    | undefined
  /** `ts` (a module) or `sql` (a `.sql` file); default: the config's `revisionFormat`. */
  readonly format?: RevisionFormat | undefined
}

export interface RevisionResult {
  readonly revision: string
  readonly downRevisions: readonly string[]
  readonly path: string
}

/**
 * Writes a new revision file from the revision template (`mig revision -m MSG`). Placement
 * follows Alembic: after the single head by default, after `--head`, or as a new base with
 * `--head base`; the new graph is validated before the file is written.
 */
export async function revision(project: Project, args: RevisionArgs = {}): Promise<RevisionResult> {
  // The graph is read under the lock, so a concurrent writer's revision is seen and followed.
  const lock = await lockVersionFolders(project)
  try {
    const { expectedHeads, filesBefore, ...result } = await writeRevision(project, args)
    await warnOfUnexpectedHeads(project, { expectedHeads, filesBefore })
    await runPostWrite(project, result.path)
    return result
  } finally {
    lock.release()
  }
}

async function writeRevision(
  project: Project,
  args: RevisionArgs,
): Promise<RevisionResult & { readonly expectedHeads: number; readonly filesBefore: number }> {
  const scripts = await project.scripts()
  const { environment, config } = project
  const revId = args.revId ?? environment.generateRevisionId()
  const idProblem = checkRevisionId(revId)
  if (idProblem !== undefined) throw new CommandError(`--rev-id: ${idProblem}`)
  if (scripts.scripts.has(revId)) {
    throw new CommandError(`revision id '${revId}' already exists in ${scripts.script(revId).path}`)
  }
  const placement = placeNewRevision(scripts.map, {
    revision: revId,
    head: args.head ?? 'head',
    splice: args.splice ?? false,
    branchLabel: args.branchLabels ?? [],
    dependsOn: args.dependsOn ?? [],
  })
  const downRevisions = placement.downRevisions
  // Check the graph the new file would make (label clashes, …) before writing anything.
  scripts.checkWith({
    revision: revId,
    downRevision: downRevisions.length === 0 ? null : downRevisions,
    branchLabels: args.branchLabels ?? null,
    dependsOn: placement.dependsOn,
    path: '(new revision)',
  })

  const path = await writeRevisionFile(project, scripts, {
    revision: revId,
    downRevisions,
    branchLabels: args.branchLabels ?? [],
    dependsOn: placement.dependsOn,
    message: args.message,
    versionPath: args.versionPath,
    format: args.format ?? config.revisionFormat,
    body: args.body,
  })
  const expectedHeads = scripts.map.heads.filter((head) => !downRevisions.includes(head)).length + 1
  return { revision: revId, downRevisions, path, expectedHeads, filesBefore: scripts.scripts.size }
}

/** What {@link writeRevisionFile} writes: a revision's header fields and its functions' bodies. */
export interface RevisionFileSpec {
  readonly revision: string
  readonly downRevisions: readonly string[]
  readonly branchLabels: readonly string[]
  readonly dependsOn: readonly string[]
  readonly message?: string | undefined
  readonly versionPath?: string | undefined
  readonly format: RevisionFormat
  readonly body?: RevisionArgs['body']
  /** Further template data: `replaces`, and for `.sql` `noTransaction` and `irreversible`. */
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Renders the revision template (the configured one, else the built-in one of the format) into
 * a new file named by the config's `fileTemplate`, in the version location Alembic would pick.
 * The caller has checked the graph the file makes.
 */
export async function writeRevisionFile(
  project: Project,
  scripts: ScriptDirectory,
  spec: RevisionFileSpec,
): Promise<string> {
  const { environment, config } = project
  const { revision: revId, downRevisions, format, body, message } = spec
  const folder = versionFolder(project, spec.versionPath, downRevisions, scripts)
  const now = environment.now()
  const fileName = `${renderFileName(config.fileTemplate, {
    rev: revId,
    slug: slugify(message, config.truncateSlugLength),
    date: now,
    timeZone: config.timezone,
  })}.${format}`
  const path = join(folder, fileName)
  if (dirname(path) !== folder) throw new CommandError(`file template produced a path outside ${folder}`)
  if (existsSync(path)) throw new CommandError(`${path} already exists`)
  // A configured template replaces the built-in one of its format, told by its name.
  const configured = config.template
  const template =
    configured !== undefined && configured.endsWith('.sql.ejs') === (format === 'sql')
      ? configured
      : join(TEMPLATES_DIR, `revision.${format}.ejs`)
  const down =
    downRevisions.length === 0 ? null : downRevisions.length === 1 ? downRevisions[0] : downRevisions
  const source = await renderTemplate(template, {
    revision: revId,
    downRevision: down,
    revises: downRevisions.join(', '),
    branchLabels: spec.branchLabels.length > 0 ? spec.branchLabels : null,
    dependsOn: spec.dependsOn.length > 0 ? spec.dependsOn : null,
    message: message ?? '',
    createDate: formatCreateDate(now, project.config.timezone),
    upgrades: body?.upgrades ?? '',
    downgrades: body?.downgrades ?? '',
    imports: body?.imports ?? '',
    ...spec.extra,
  })
  mkdirSync(folder, { recursive: true })
  writeFileSync(path, source, { flag: 'wx' })
  return path
}

/**
 * A revision file written meanwhile by someone not taking the lock (an older migraph, an editor,
 * a `git pull`) can have followed the same head: the graph then has more heads than this
 * revision leaves. Said as a warning; the file written stays.
 */
async function warnOfUnexpectedHeads(
  project: Project,
  written: { readonly expectedHeads: number; readonly filesBefore: number },
): Promise<void> {
  const locations = project.config.versionLocations
  const recursive = project.config.recursiveVersionLocations
  if (countRevisionFiles(locations, recursive) === written.filesBefore + 1) return
  const warn = (message: string) => project.environment.reporter.warn(message)
  let heads: readonly string[]
  try {
    heads = (await ScriptDirectory.load(locations, project.environment.importModule, { recursive })).map.heads
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    warn(`the versions folder changed while the revision was written, and its graph is now broken: ${detail}`)
    return
  }
  if (heads.length > written.expectedHeads) {
    warn(
      `another revision was written to the versions folder meanwhile: the graph now has ${heads.length} heads ` +
        `(${heads.join(', ')}); join them with 'mig merge heads', or fix a downRevision`,
    )
  }
}

/** Alembic's choice of folder: `--version-path`, else the folder of a parent, else the only one. */
function versionFolder(
  project: Project,
  versionPath: string | undefined,
  downRevisions: readonly string[],
  scripts: ScriptDirectory,
): string {
  const locations = project.config.versionLocations
  if (versionPath !== undefined) {
    const folder = isAbsolute(versionPath) ? versionPath : resolve(project.environment.cwd, versionPath)
    const recursive = project.config.recursiveVersionLocations
    if (
      !locations.includes(folder) &&
      !(recursive && locations.some((l) => isSearchedSubfolder(l, folder)))
    ) {
      const where = recursive ? ' nor a folder searched inside one' : ''
      throw new CommandError(
        `--version-path ${versionPath} is not one of the configured version locations${where}: ${locations.join(', ')}`,
      )
    }
    return folder
  }
  if (locations.length === 1) return locations[0] as string
  for (const parent of downRevisions) {
    const script = scripts.scripts.get(parent)
    if (script !== undefined) return script.versionLocation
  }
  throw new CommandError(
    `several version locations are configured (${locations.join(', ')}); give --version-path for a new base revision`,
  )
}

/**
 * Whether `folder` lies inside `location` where `recursiveVersionLocations` looks for revisions:
 * no part of its path from there is a dot-folder, `node_modules` or `__pycache__`.
 */
function isSearchedSubfolder(location: string, folder: string): boolean {
  const path = relative(location, folder)
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return false
  return path.split(sep).every(isSearchedFolderName)
}
