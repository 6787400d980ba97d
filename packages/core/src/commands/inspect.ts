import { branchPoints, currentRevisions, historyRange, listHeads, type Revision } from '@migraph/graph'
import type { Project } from '../context.js'
import { CommandError, MigraphError } from '../errors.js'
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
  /** The revision file's whole header comment, as `-v` prints it. */
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

/** Describes one revision of the graph. */
export function describeRevision(
  scripts: ScriptDirectory,
  revision: Revision,
  current?: ReadonlySet<string>,
): RevisionInfo {
  const script = scripts.scriptOf(revision)
  return {
    revision: revision.revision,
    downRevisions: revision.downRevisions,
    branchLabels: revision.allBranchLabels,
    dependsOn: revision.dependsOn,
    message: revision.message ?? script.message ?? null,
    path: revision.path ?? script.path ?? null,
    createDate: script.createDate ?? null,
    // Rebuilt from the template for most files; only `-v` and `--json` print it.
    get doc() {
      return script.doc ?? null
    },
    nextRevisions: revision.nextRevisions,
    isHead: revision.isHead,
    isRealHead: revision.isRealHead,
    isBase: revision.isBase,
    isBranchPoint: revision.isBranchPoint,
    isMergePoint: revision.isMergePoint,
    ...(current === undefined ? {} : { isCurrent: current.has(revision.revision) }),
  }
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

/** `mig current`: the revisions recorded in the version table. Read-only. */
export async function current(project: Project): Promise<readonly RevisionInfo[]> {
  const scripts = await project.scripts()
  const ids = await readCurrent(project)
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
  const scripts = await project.scripts()
  const needsCurrent = args.indicateCurrent === true || /current/.test(args.range ?? '')
  const currentHeads = needsCurrent ? await readCurrent(project) : []
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
