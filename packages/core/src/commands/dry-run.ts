import type { MigrationStep, RevisionMap } from '@migraph/graph'
import type { Project } from '../context.js'
import { describeTarget } from '../dialects/index.js'
import { CommandError } from '../errors.js'
import type { ScriptDirectory } from '../script/script-directory.js'
import type { MigrateResult, StepSummary } from './migrate.js'

/**
 * `upgrade/downgrade --dry-run`: plans against the database's current heads, then runs every
 * transactional step inside one transaction that is rolled back. Refused where DDL commits
 * implicitly (MySQL/MariaDB): a rollback there would not undo it.
 */
export async function dryRun(
  project: Project,
  scripts: ScriptDirectory,
  target: string,
  plan: (current: readonly string[], target: string, map: RevisionMap) => readonly MigrationStep[],
  summarize: (step: MigrationStep) => StepSummary,
): Promise<MigrateResult> {
  const dialect = project.dialect()
  if (!dialect.transactionalDDL) {
    throw new CommandError(
      `--dry-run cannot rehearse on ${dialect.name === 'mysql' ? 'MySQL/MariaDB' : dialect.name}: its DDL commits implicitly, so a rolled-back run would still change the database; use --sql to review the SQL instead`,
    )
  }
  const [{ withSession }, { readRunState }, { rehearseSteps }] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/history-table.js'),
    import('../runtime/dry-run.js'),
  ])
  project.environment.reporter.info(
    `Dry run on ${describeTarget(project.target())}: every change is rolled back`,
  )
  return withSession(project, { lock: false }, async (session) => {
    const state = await readRunState(session.connection.db, session.versionTable)
    const { appliedByHistory } = await import('../runtime/history-replay.js')
    const view = scripts.forVersions(state.heads, [target], appliedByHistory(state.history))
    const steps = plan(view.heads, target, view.scripts.map)
    const rehearsed = await rehearseSteps(session, view.scripts, steps, {
      x: project.options.x,
      reporter: project.environment.reporter,
    })
    return { steps: steps.map(summarize), heads: state.heads, dryRun: rehearsed }
  })
}
