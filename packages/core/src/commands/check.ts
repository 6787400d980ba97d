import type { Project } from '../context.js'
import { MigraphError } from '../errors.js'
import type { HistoryFacts } from '../runtime/history-table.js'
import type { IntegrityReport } from '../runtime/integrity.js'

/** The result of `mig check`: each list empty means that check passed. */
export interface CheckResult extends IntegrityReport {
  readonly heads: readonly string[]
}

/**
 * `mig check`: fails (with a distinct code per finding) when the database records a revision
 * the code does not know, when a failed revision awaits `mig resolve`, when an applied
 * revision's file changed or vanished, or when revisions are pending. Read-only.
 */
export async function check(project: Project): Promise<CheckResult> {
  const scripts = await project.scripts()
  const [{ readState }, { inspectIntegrity }, { ChecksumCache, listingStamps }] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/integrity.js'),
    import('../runtime/checksum-cache.js'),
  ])
  const { heads, history } = await readState(project)
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
  if (result.unknown.length > 0) {
    return new MigraphError(
      'unknown-revision-in-database',
      `the version table records ${result.unknown.map((r) => `'${r}'`).join(', ')}, which no revision file declares (a deleted file, or the wrong database?)`,
    )
  }
  const failed = result.failed[0]
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
