import { applyStep, planDowngrade, planUpgrade } from '@migraph/graph'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { unresolvedFailures } from '../runtime/history-replay.js'
import { confirmWrite, requireConfirmable } from './deploy-guard.js'

export interface ResolveArgs {
  readonly revision: string
  /** What the database now holds: the whole revision (`applied`) or none of it (`rolled-back`). */
  readonly outcome: 'applied' | 'rolled-back'
}

export interface ResolveResult {
  readonly revision: string
  readonly outcome: 'applied' | 'rolled-back'
  readonly heads: readonly string[]
}

/**
 * `mig resolve <rev> --applied|--rolled-back`: settles a revision that failed after part of it
 * was committed (MySQL/MariaDB DDL, or `transactional = false`), or whose run was interrupted
 * while it could not roll back (its `started` entry has no end). The user repairs the database first, then says which way;
 * `--applied` records the step in the version table as if it had succeeded, `--rolled-back`
 * leaves the version table as it is. Either way the history says who decided, and upgrades run
 * again.
 */
export async function resolve(project: Project, args: ResolveArgs): Promise<ResolveResult> {
  const scripts = await project.scripts()
  const [revision] = scripts.map.resolve(args.revision, [])
  if (revision === undefined) throw new CommandError(`'${args.revision}' names no revision`)
  const [
    { withSession },
    history,
    { applyVersionChanges, ensureVersionTable },
    { fileChecksum },
    { versionTableFindings },
    { versionTableFailure },
  ] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/history-table.js'),
    import('../runtime/version-table.js'),
    import('../runtime/checksum.js'),
    import('../runtime/integrity.js'),
    import('./check.js'),
  ])
  if (requireConfirmable(project, 'resolve')) await confirmWrite(project, 'resolve', [])
  return withSession(project, { lock: true }, async (session) => {
    const { db } = session.connection
    const table = history.historyTableOf(session.versionTable)
    const entries = await history.readHistory(db, table)
    let heads = await session.readHeads()
    // A version table that cannot be trusted gives no heads to record the revision on.
    const unsound = versionTableFailure(versionTableFindings(scripts.map, heads, entries))
    if (unsound !== undefined) throw unsound
    const failure = unresolvedFailures(entries).find((entry) => entry.revision === revision.revision)
    if (failure === undefined) {
      throw new CommandError(`revision ${revision.revision} has no failure to resolve (see 'mig check')`)
    }
    await db.transaction().execute(async (trx) => {
      if (args.outcome === 'applied') {
        const steps =
          failure.direction === 'up'
            ? planUpgrade(scripts.map, heads, revision.revision)
            : planDowngrade(scripts.map, heads, downTarget(revision.downRevisions))
        const step = steps.find((s) => s.revision === revision.revision)
        if (step === undefined || steps.length !== 1) {
          throw new CommandError(
            `cannot record revision ${revision.revision} as applied from the current heads (${heads.join(', ') || 'base'}); use 'mig stamp'`,
          )
        }
        const next = applyStep(scripts.map, heads, step)
        await ensureVersionTable(trx, session.versionTable)
        await applyVersionChanges(trx, session.versionTable, next.changes)
        heads = next.heads
      }
      const now = new Date().toISOString()
      await history.recordHistory(trx, table, {
        revision: revision.revision,
        direction: failure.direction,
        status: args.outcome === 'applied' ? 'resolved-applied' : 'resolved-rolled-back',
        checksum: args.outcome === 'applied' ? fileChecksum(scripts.script(revision.revision).path) : null,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
        appliedBy: history.currentActor(),
        opsCompleted: failure.opsCompleted,
        detail: `resolved by the user after: ${failure.status === 'started' ? 'an interrupted run' : (failure.detail ?? 'a failure')}`,
      })
    })
    return { revision: revision.revision, outcome: args.outcome, heads }
  })
}

function downTarget(downRevisions: readonly string[]): string {
  if (downRevisions.length === 0) return 'base'
  if (downRevisions.length === 1) return downRevisions[0] as string
  throw new CommandError(
    'a failed downgrade of a merge point cannot be resolved automatically; use mig stamp',
  )
}
