import {
  branchPoints,
  currentRevisions,
  historyRange,
  listHeads,
  overlappingVersions,
  type Revision,
} from '@migraph/graph'
import type { Project } from '../context.js'
import { CommandError, MigraphError, type VersionTableError } from '../errors.js'
import type { ScriptDirectory } from '../script/script-directory.js'

/** A revision as the inspection commands report it (also their `--json` shape). */
export interface RevisionInfo {
  readonly revision: string
  readonly downRevisions: readonly string[]
  readonly branchLabels: readonly string[]
  readonly dependsOn: readonly string[]
  readonly message: string | null
  readonly path: string | null
  readonly createDate: string | null
  /** The revision file's whole header comment, as `-v` prints it; computed when read. */
  readonly doc: string | null
  readonly nextRevisions: readonly string[]
  readonly isHead: boolean
  /** False for a head that only dependsOn links follow (Alembic's "effective head"). */
  readonly isRealHead: boolean
  readonly isBase: boolean
  readonly isBranchPoint: boolean
  readonly isMergePoint: boolean
  /** Set by `current` and `history -i`: this revision is in the version table. */
  readonly isCurrent?: boolean | undefined
}

/**
 * A revision as the inspection commands report it. A class rather than an object literal: history
 * describes every revision of the graph, and a literal with a getter is built the slow way each
 * time. `doc` is read from the revision's script when asked for (its file's header comment), so it
 * is not an own property, and describing a revision makes no script object.
 */
class Description implements RevisionInfo {
  declare readonly revision: string
  declare readonly downRevisions: readonly string[]
  declare readonly branchLabels: readonly string[]
  declare readonly dependsOn: readonly string[]
  declare readonly message: string | null
  declare readonly path: string | null
  declare readonly createDate: string | null
  declare readonly nextRevisions: readonly string[]
  declare readonly isHead: boolean
  declare readonly isRealHead: boolean
  declare readonly isBase: boolean
  declare readonly isBranchPoint: boolean
  declare readonly isMergePoint: boolean
  declare readonly isCurrent?: boolean | undefined
  readonly #scripts: ScriptDirectory
  readonly #revision: Revision

  constructor(scripts: ScriptDirectory, revision: Revision, current: ReadonlySet<string> | undefined) {
    this.#scripts = scripts
    this.#revision = revision
    this.revision = revision.revision
    this.downRevisions = revision.downRevisions
    this.branchLabels = revision.allBranchLabels
    this.dependsOn = revision.dependsOn
    this.message = revision.message
    this.path = revision.path
    this.createDate = revision.createDate
    this.nextRevisions = revision.nextRevisions
    this.isHead = revision.isHead
    this.isRealHead = revision.isRealHead
    this.isBase = revision.isBase
    this.isBranchPoint = revision.isBranchPoint
    this.isMergePoint = revision.isMergePoint
    if (current !== undefined) this.isCurrent = current.has(revision.revision)
  }

  /** Rebuilt from the template for most files; only `-v` prints it. A squash names what it replaces. */
  get doc(): string | null {
    const script = this.#scripts.scriptOf(this.#revision)
    const doc = script.doc ?? null
    if (script.replaces === null || doc?.includes('Replaces:') === true) return doc
    return `${doc ?? ''}\nReplaces: ${script.replaces.join(', ')}`.trim()
  }
}

/** Describes one revision of the graph. */
export function describeRevision(
  scripts: ScriptDirectory,
  revision: Revision,
  current?: ReadonlySet<string>,
): RevisionInfo {
  return new Description(scripts, revision, current)
}

/** `mig heads`: the revisions nothing follows, in Alembic's order. */
export async function heads(
  project: Project,
  args: { resolveDependencies?: boolean } = {},
): Promise<readonly RevisionInfo[]> {
  const scripts = await project.scripts()
  return listHeads(scripts.map, { resolveDependencies: args.resolveDependencies === true }).map((r) =>
    describeRevision(scripts, r),
  )
}

/** `mig branches`: the branch points, each with the revisions it branches into. */
export async function branches(project: Project): Promise<readonly RevisionInfo[]> {
  const scripts = await project.scripts()
  return branchPoints(scripts.map).map((point) => describeRevision(scripts, point.revision))
}

/** `mig show <rev>`: the revisions an identifier names. */
export async function show(project: Project, args: { revision: string }): Promise<readonly RevisionInfo[]> {
  const scripts = await project.scripts()
  const needsCurrent = /current/.test(args.revision)
  const current = needsCurrent ? await readCurrent(project) : []
  return scripts.map.resolve(args.revision, current).map((r) => describeRevision(scripts, r))
}

/**
 * `mig current`: the revisions recorded in the version table. Read-only. Rows that conflict (one
 * an ancestor of another) fail with a {@link VersionTableError} whose `current` describes each.
 */
export async function current(project: Project): Promise<readonly RevisionInfo[]> {
  const { scripts, heads: ids } = (await project.scripts()).forVersions(await readCurrent(project))
  for (const id of ids) {
    if (!scripts.map.has(id)) {
      // The same code as `upgrade` and `check` give for it, hence the same exit status.
      throw new MigraphError(
        'unknown-revision-in-database',
        `the version table records revision '${id}', which no revision file declares (was a file deleted, or is this the right database?)`,
      )
    }
  }
  const set = new Set(ids)
  const conflicting = overlappingVersions(scripts.map, ids)
  if (conflicting.length > 0) {
    // Shown as they are, each row, before the command fails: that is what needs repairing.
    const { versionTableFailure } = await import('./check.js')
    const rows = ids.map((id) => describeRevision(scripts, scripts.map.get(id), set))
    throw versionTableFailure({ conflicting, missing: [] }, rows)
  }
  return currentRevisions(scripts.map, ids).map((revision) => describeRevision(scripts, revision, set))
}

export interface HistoryArgs {
  /** `[start]:[end]`, e.g. `ae10:head`, `-3:current`, `base:`. */
  readonly range?: string | undefined
  /** Mark the revisions in the version table (`-i`). */
  readonly indicateCurrent?: boolean | undefined
}

/** `mig history`: revisions newest first, optionally within a range. */
export async function history(project: Project, args: HistoryArgs = {}): Promise<readonly RevisionInfo[]> {
  const needsCurrent = args.indicateCurrent === true || /current/.test(args.range ?? '')
  const { scripts, heads: currentHeads } = (await project.scripts()).forVersions(
    needsCurrent ? await readCurrent(project) : [],
  )
  const currentSet = args.indicateCurrent === true ? new Set(currentHeads) : undefined
  return historyRange(scripts.map, args.range, currentHeads).map((r) =>
    describeRevision(scripts, r, currentSet),
  )
}

/** `mig edit <rev>`: the file of one revision (the CLI opens it in `$EDITOR`). */
export async function revisionPath(project: Project, args: { revision: string }): Promise<string> {
  const scripts = await project.scripts()
  const needsCurrent = /current/.test(args.revision)
  const currentHeads = needsCurrent ? await readCurrent(project) : []
  const found = scripts.map.resolve(args.revision, currentHeads)
  if (found.length !== 1) {
    throw new CommandError(`'${args.revision}' names ${found.length} revisions; edit needs exactly one`)
  }
  return scripts.script((found[0] as Revision).revision).path
}

async function readCurrent(project: Project): Promise<readonly string[]> {
  const { readCurrentHeads } = await import('../runtime/session.js')
  return readCurrentHeads(project)
}
