import { impliedRevisions, type Revision, walkRevisions } from '@migraph/graph'
import type { Project } from '../context.js'
import { MigraphError } from '../errors.js'
import type { HistoryEntry } from '../runtime/history-table.js'

/** One revision as `mig status` reports it. */
export interface StatusEntry {
  readonly revision: string
  readonly message: string | null
  readonly path: string | null
  readonly branchLabels: readonly string[]
  /** Whether the database holds it: it is, or is below, a row of the version table. */
  readonly applied: boolean
  /** How it got there, from the history table: `applied`, `stamped` or `resolved-applied`. */
  readonly how: string | null
  /** When its last upgrade (or stamp) finished, ISO 8601; null when the history does not say. */
  readonly appliedAt: string | null
  readonly appliedBy: string | null
  readonly durationMs: number | null
}

/** The revisions below one head, oldest first, that no earlier group listed. */
export interface StatusGroup {
  readonly head: string
  readonly branchLabels: readonly string[]
  readonly revisions: readonly StatusEntry[]
}

/** What `mig status` answers: every revision, applied or pending, per branch, with counts. */
export interface StatusResult {
  /** The version table's rows. */
  readonly current: readonly string[]
  /** One group per head, in the graph's order of heads. */
  readonly groups: readonly StatusGroup[]
  readonly applied: readonly StatusEntry[]
  readonly pending: readonly StatusEntry[]
  readonly appliedCount: number
  readonly pendingCount: number
}

/**
 * `mig status`: every revision of the graph, oldest first, marked applied (with when, by whom and
 * how long it took, from the history table) or pending; one group per head when the graph has
 * several. Read-only: it creates nothing, not even the database.
 */
export async function status(project: Project): Promise<StatusResult> {
  const directory = await project.scripts()
  const { readState } = await import('../runtime/session.js')
  const read = await readState(project)
  const { scripts, heads } = directory.forVersions(read.heads)
  const state = { ...read, heads }
  const map = scripts.map
  for (const id of state.heads) {
    if (!map.has(id)) {
      throw new MigraphError(
        'unknown-revision-in-database',
        `the version table records revision '${id}', which no revision file declares (was a file deleted, or is this the right database?)`,
      )
    }
  }
  const applied = impliedRevisions(map, state.heads)
  const lastUp = lastApplication(state.history)
  const entry = (revision: Revision): StatusEntry => {
    const isApplied = applied.has(revision.revision)
    const record = isApplied ? lastUp.get(revision.revision) : undefined
    return Object.freeze({
      revision: revision.revision,
      message: revision.message,
      path: revision.path,
      branchLabels: revision.allBranchLabels,
      applied: isApplied,
      how: record?.status ?? null,
      appliedAt: record?.finishedAt ?? null,
      appliedBy: record?.appliedBy ?? null,
      durationMs: record === undefined ? null : Math.round(record.durationMs * 10) / 10,
    })
  }
  const listed = new Set<string>()
  const groups: StatusGroup[] = []
  for (const head of map.heads) {
    const revisions = [...walkRevisions(map, 'base', head)]
      .reverse()
      .filter((revision) => !listed.has(revision.revision))
    for (const revision of revisions) listed.add(revision.revision)
    const headRevision = map.get(head)
    groups.push(
      Object.freeze({
        head,
        branchLabels: headRevision.allBranchLabels,
        revisions: Object.freeze(revisions.map(entry)),
      }),
    )
  }
  const all = groups.flatMap((group) => group.revisions)
  const appliedEntries = all.filter((e) => e.applied)
  const pendingEntries = all.filter((e) => !e.applied)
  return Object.freeze({
    current: state.heads,
    groups: Object.freeze(groups),
    applied: Object.freeze(appliedEntries),
    pending: Object.freeze(pendingEntries),
    appliedCount: appliedEntries.length,
    pendingCount: pendingEntries.length,
  })
}

/** Each revision's last upgrade, stamp or resolve that left it applied, replaying the history. */
function lastApplication(history: readonly HistoryEntry[]): Map<string, HistoryEntry> {
  const last = new Map<string, HistoryEntry>()
  for (const entry of history) {
    const up = entry.direction === 'up'
    if (
      up &&
      (entry.status === 'applied' || entry.status === 'stamped' || entry.status === 'resolved-applied')
    ) {
      last.set(entry.revision, entry)
    } else if (
      entry.status === 'reverted' ||
      (!up && (entry.status === 'stamped' || entry.status === 'resolved-applied'))
    ) {
      last.delete(entry.revision)
    }
  }
  return last
}
