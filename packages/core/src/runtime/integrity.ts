import { impliedRevisions, overlappingVersions, planUpgrade, type RevisionMap } from '@migraph/graph'
import type { ScriptDirectory } from '../script/script-directory.js'
import { type ChecksumSource, checksumMatches } from './checksum.js'
import { appliedByHistory, appliedChecksums, unresolvedFailures } from './history-replay.js'
import type { HistoryEntry, HistoryFacts } from './history-table.js'

/**
 * What `mig check` (and the guard before every upgrade) finds wrong between code and database;
 * `E` is what it read of each history entry (`mig check` the whole entry, the guard its facts).
 */
export interface IntegrityReport<E extends HistoryFacts = HistoryEntry> {
  /** Revisions the version table records that no revision file declares. */
  readonly unknown: readonly string[]
  /** Version-table rows of which the first is an ancestor of the second: a corrupt table. */
  readonly conflicting: readonly (readonly [string, string])[]
  /**
   * The heads of what the history says is applied (and never reverted) that the version table
   * does not stand for: it was emptied, dropped or edited by hand.
   */
  readonly missing: readonly string[]
  /** Failed revisions on MySQL/MariaDB not yet settled with `mig resolve`. */
  readonly failed: readonly E[]
  /** Applied revisions whose file changed since (line endings aside). */
  readonly changed: readonly { readonly revision: string; readonly path: string }[]
  /** Applied revisions whose file is gone. */
  readonly vanished: readonly string[]
  /** Revisions `upgrade heads` would apply. */
  readonly pending: readonly string[]
}

/**
 * Compares the version and history tables with the revision files. Reads files (or, with
 * `checksum` and `legacyChecksum` from a checksum cache, their stats), runs no module. A
 * checksum is compared under the rule it was recorded by (see {@link checksumMatches}).
 */
export function inspectIntegrity<E extends HistoryFacts>(
  scripts: ScriptDirectory,
  heads: readonly string[],
  history: readonly E[],
  options: { readonly pending?: boolean } & Partial<ChecksumSource> = {},
): IntegrityReport<E> {
  const map: RevisionMap = scripts.map
  const unknown = heads.filter((id) => !map.has(id))
  const { conflicting, missing } = versionTableFindings(map, heads, history)
  const changed: { revision: string; path: string }[] = []
  const vanished: string[] = []
  for (const [revision, checksum] of appliedChecksums(history)) {
    // By the graph's own index: building the map of every script by id costs more than this loop.
    const rev = map.lookupKey(revision)
    // Outside the graph, a squash set aside for its originals (or an original the squash stands
    // for) still has its file; only a revision a squash replaces may lose it.
    const script = rev?.revision === revision ? scripts.scriptOf(rev) : scripts.fileOf(revision)
    if (script === undefined) {
      if (map.aliasOf(revision) === undefined) vanished.push(revision)
    } else if (!checksumMatches(checksum, script.path, options)) {
      changed.push({ revision, path: script.path })
    }
  }
  const pending =
    unknown.length > 0 || conflicting.length > 0 || missing.length > 0 || options.pending === false
      ? []
      : planUpgrade(map, heads, 'heads')
          .filter((s) => !s.isStamp)
          .map((s) => s.revision)
  return { unknown, conflicting, missing, failed: unresolvedFailures(history), changed, vanished, pending }
}

/**
 * What is wrong with the version table itself: rows that conflict (one below another), and
 * revisions the history says are applied that no row stands for. Revisions no file declares are
 * left to the other findings, and while the table holds one, what it lacks cannot be told.
 * Reads nothing but its arguments.
 */
export function versionTableFindings(
  map: RevisionMap,
  heads: readonly string[],
  history: readonly Pick<HistoryEntry, 'revision' | 'direction' | 'status'>[],
): { readonly conflicting: readonly (readonly [string, string])[]; readonly missing: readonly string[] } {
  const conflicting = overlappingVersions(map, heads)
  // Most runs find every applied revision among the heads or below them; the walk below the
  // heads is only taken when one is not a head itself.
  // A row no file declares hides what lies below it: that is a finding of its own.
  if (heads.some((id) => !map.has(id))) return { conflicting, missing: [] }
  const applied = [...appliedByHistory(history)].filter((id) => !heads.includes(id) && map.has(id))
  if (applied.length === 0) return { conflicting, missing: [] }
  const implied = impliedRevisions(map, heads)
  const lost = applied.filter((id) => !implied.has(id))
  // Named by their heads: what `mig stamp` would restore.
  const below = impliedRevisions(
    map,
    lost.flatMap((id) => map.get(id).normalizedDownRevisions),
  )
  return { conflicting, missing: lost.filter((id) => !below.has(id)) }
}

/**
 * Refuses to migrate a database whose state the code cannot vouch for: an unknown revision in
 * the version table, an unresolved failure, or (unless `ignoreChecksums`) an applied revision
 * whose file changed or vanished.
 */
export function integrityProblem<E extends HistoryFacts>(
  report: IntegrityReport<E>,
  ignoreChecksums: boolean,
) {
  return { ...report, pending: [], ...(ignoreChecksums ? { changed: [], vanished: [] } : {}) }
}
