import type { Project } from '../context.js'
import { MigraphError, VersionTableError } from '../errors.js'
import type { HistoryFacts } from '../runtime/history-table.js'
import type { IntegrityReport } from '../runtime/integrity.js'

/** The result of `mig check`: each list empty means that check passed. */
export interface CheckResult extends IntegrityReport {
  readonly heads: readonly string[]
}

/**
 * `mig check`: fails (with a distinct code per finding) when the version table's rows conflict
 * or lost what the history says is applied, when the database records a revision
 * the code does not know, when a failed or interrupted revision awaits `mig resolve`, when an applied
 * revision's file changed or vanished, or when revisions are pending. Read-only.
 */
export async function check(project: Project): Promise<CheckResult> {
  const all = await project.scripts()
  const [{ readState }, { inspectIntegrity }, { ChecksumCache, listingStamps }] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/integrity.js'),
    import('../runtime/checksum-cache.js'),
  ])
  const state = await readState(project)
  const { scripts, heads } = all.forVersions(state.heads)
  const history = state.history
  const checksums = new ChecksumCache(listingStamps(scripts))
  const report = inspectIntegrity(scripts, heads, history, {
    checksum: checksums.checksum,
    legacyChecksum: checksums.legacyChecksum,
  })
  checksums.save()
  return { heads, ...report }
}

/** The error a failed check stands for, most serious first; undefined when all is well. */
export function checkFailure(result: IntegrityReport<HistoryFacts>): MigraphError | undefined {
  return versionTableFailure(result) ?? integrityFailure(result)
}

/**
 * The version table cannot be trusted: its rows conflict, or it lost revisions the history says
 * are applied. Every command that writes refuses, and `mig check` and `mig current` say so.
 */
export function versionTableFailure(
  result: Pick<IntegrityReport<HistoryFacts>, 'conflicting' | 'missing'>,
  current?: readonly unknown[],
): VersionTableError | undefined {
  if (result.conflicting.length > 0) {
    const pairs = result.conflicting.map(([below, above]) => `'${below}' is an ancestor of '${above}'`)
    return new VersionTableError(
      'conflicting-versions',
      `the version table holds conflicting rows: ${pairs.join(', ')} (it holds one row per head, so something other than migraph wrote it); set it to what the database holds with 'mig stamp --purge <revision>...'`,
      { conflicting: result.conflicting, current },
    )
  }
  if (result.missing.length > 0) {
    const revisions = result.missing.map((r) => `'${r}'`).join(', ')
    return new VersionTableError(
      'version-table-behind-history',
      `the history table records ${revisions} as applied and never reverted, but the version table does not hold ${result.missing.length === 1 ? 'it' : 'them'} (was it emptied, dropped or edited by hand?); run 'mig stamp ${result.missing.join(' ')}' if the database holds ${result.missing.length === 1 ? 'it' : 'them'}, or 'mig stamp --purge <revision>|base' to record where it is instead`,
      { missing: result.missing },
    )
  }
  return undefined
}

function integrityFailure(result: IntegrityReport<HistoryFacts>): MigraphError | undefined {
  if (result.unknown.length > 0) {
    return new MigraphError(
      'unknown-revision-in-database',
      `the version table records ${result.unknown.map((r) => `'${r}'`).join(', ')}, which no revision file declares (a deleted file, or the wrong database?)`,
    )
  }
  const failed = result.failed[0]
  if (failed?.status === 'started') {
    return new MigraphError(
      'partial-state',
      `revision ${failed.revision} (${failed.direction === 'up' ? 'upgrade' : 'downgrade'}) started at ${failed.startedAt} and never finished: its run was interrupted, and what it did so far may be in the database; repair the database, then run 'mig resolve ${failed.revision} --applied' or '--rolled-back'`,
    )
  }
  if (failed !== undefined) {
    return new MigraphError(
      'partial-state',
      `revision ${failed.revision} failed at ${failed.finishedAt} after ${failed.opsCompleted ?? 0} operation(s) completed; repair the database, then run 'mig resolve ${failed.revision} --applied' or '--rolled-back'`,
    )
  }
  if (result.changed.length > 0 || result.vanished.length > 0) {
    const parts = [
      ...result.changed.map((c) => `${c.path} (revision ${c.revision}) changed after it was applied`),
      ...result.vanished.map((r) => `revision ${r} was applied but its file is gone`),
    ]
    return new MigraphError('checksum-mismatch', parts.join('; '))
  }
  if (result.pending.length > 0) {
    return new MigraphError(
      'pending',
      `${result.pending.length} revision(s) pending: ${result.pending.join(', ')} (run 'mig upgrade heads')`,
    )
  }
  return undefined
}
