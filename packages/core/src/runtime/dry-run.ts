import type { MigrationStep } from '@migraph/graph'
import type { ScriptDirectory } from '../script/script-directory.js'
import type { Progress } from './partial-state.js'
import { runModule } from './run-module.js'
import type { RunOptions } from './runner.js'
import type { Session } from './session.js'

/** What a dry run found for one step. */
export interface RehearsedStep {
  readonly revision: string
  /** `ok`: ran and was rolled back; `failed`: threw (see `error`); `skipped`: not transactional; `not-run`: after a failure. */
  readonly outcome: 'ok' | 'failed' | 'skipped' | 'not-run'
  readonly durationMs: number
  readonly error?: string | undefined
}

/**
 * Migretti's "smart dry run": every transactional step runs, in order, inside one transaction that
 * is always rolled back; the version and history tables are never written. A step that opts out
 * of transactions is listed, not run. The first failure ends the rehearsal (the transaction is
 * then aborted on PostgreSQL, and later steps build on the failed one).
 */
export async function rehearseSteps(
  session: Session,
  scripts: ScriptDirectory,
  steps: readonly MigrationStep[],
  options: Pick<RunOptions, 'x' | 'reporter'>,
): Promise<readonly RehearsedStep[]> {
  const runnable = steps.filter((step) => !step.isStamp && scripts.script(step.revision).transactional)
  const modules = await scripts.loadModules(runnable.map((step) => step.revision))
  const results: RehearsedStep[] = []
  const trx = await session.connection.db.startTransaction().execute()
  let failed = false
  try {
    for (const step of steps) {
      if (step.isStamp) continue
      if (failed) {
        results.push({ revision: step.revision, outcome: 'not-run', durationMs: 0 })
        continue
      }
      if (!scripts.script(step.revision).transactional) {
        results.push({ revision: step.revision, outcome: 'skipped', durationMs: 0 })
        continue
      }
      const started = performance.now()
      const progress: Progress = { attempted: 0, completed: 0, dbUsed: false }
      const module = modules.get(step.revision)
      try {
        if (module !== undefined) {
          await runModule(
            trx,
            session,
            step,
            module,
            { ...options, transactionPerMigration: true },
            progress,
            true,
          )
        }
        results.push({ revision: step.revision, outcome: 'ok', durationMs: performance.now() - started })
      } catch (error) {
        failed = true
        const message = error instanceof Error ? error.message : String(error)
        results.push({
          revision: step.revision,
          outcome: 'failed',
          durationMs: performance.now() - started,
          error: message.split('\n')[0],
        })
      }
    }
  } finally {
    await trx.rollback().execute()
  }
  return results
}
