import { applyStep, type MigrationStep } from '@migraph/graph'
import { createOnlineSink, createOperations } from '@migraph/operations'
import type { Reporter } from '../context.js'
import type { AnyKysely } from '../dialects/dialect.js'
import { MigraphError, MigrationFailedError } from '../errors.js'
import type { RevisionModule, ScriptDirectory } from '../script/script-directory.js'
import type { Session } from './session.js'
import { applyVersionChanges, ensureVersionTable, versionTableExists } from './version-table.js'

/** How a run groups revisions into transactions. */
export interface RunOptions {
  /** One transaction per revision (default) or as few as possible for the whole run. */
  readonly transactionPerMigration: boolean
  readonly reporter: Reporter
  /** `-x key=value` pairs, readable by revisions as `op.x`. */
  readonly x?: Readonly<Record<string, string>> | undefined
}

/**
 * Executes planned steps on a locked session. Every module is imported before the first step
 * runs, so a broken file fails the run before anything changes. Each transactional revision
 * commits together with its version-table change; a revision with `transactional = false` runs
 * on its own, outside any transaction. Returns the heads after the last step.
 */
export async function runSteps(
  session: Session,
  scripts: ScriptDirectory,
  startHeads: readonly string[],
  steps: readonly MigrationStep[],
  options: RunOptions,
): Promise<readonly string[]> {
  const modules = new Map<string, RevisionModule>()
  for (const step of steps) {
    if (!step.isStamp && !modules.has(step.revision)) {
      modules.set(step.revision, await scripts.loadModule(step.revision))
    }
  }
  const { db } = session.connection
  let heads = startHeads
  let tableExists = await versionTableExists(db, session.versionTable, session.dialect.sqlFlavour)

  const runStep = async (executor: AnyKysely, step: MigrationStep): Promise<void> => {
    const started = performance.now()
    options.reporter.stepStarted?.(step)
    try {
      const module = modules.get(step.revision)
      if (module !== undefined) await runModule(executor, session, step, module)
      const next = applyStep(scripts.map, heads, step)
      if (!tableExists) {
        await ensureVersionTable(executor, session.versionTable)
      }
      await applyVersionChanges(executor, session.versionTable, next.changes)
      heads = next.heads
    } catch (error) {
      options.reporter.stepFailed?.(step, performance.now() - started)
      throw error
    }
    options.reporter.stepFinished?.(step, performance.now() - started)
  }

  for (const group of groupSteps(steps, scripts, options)) {
    if (group.transactional) {
      const headsBefore = heads
      try {
        await db.transaction().execute(async (trx) => {
          for (const step of group.steps) await runStep(trx, step)
        })
      } catch (error) {
        heads = headsBefore
        throw error
      }
    } else {
      for (const step of group.steps) await runStep(db, step)
    }
    tableExists = true
  }
  return heads
}

async function runModule(
  executor: AnyKysely,
  session: Session,
  step: MigrationStep,
  module: RevisionModule,
): Promise<void> {
  const sink = createOnlineSink(executor, session.dialect.sqlFlavour)
  const { op, pendingCount } = createOperations(sink, { revision: step.revision })
  const fn = step.direction === 'up' ? module.upgrade : module.downgrade
  const name = step.direction === 'up' ? 'upgrade' : 'downgrade'
  try {
    await fn(op as never)
  } catch (error) {
    if (error instanceof MigraphError || (error as { code?: unknown })?.code === 'migration-failed')
      throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new MigrationFailedError(
      step.revision,
      step.direction,
      `revision ${step.revision} ${name}() failed: ${firstLine(message)}`,
      { cause: error, statement: (error as { sql?: string })?.sql },
    )
  }
  const pending = pendingCount()
  if (pending > 0) {
    throw new MigrationFailedError(
      step.revision,
      step.direction,
      `revision ${step.revision} ${name}() returned while ${pending} op.* call(s) were still running: add the missing 'await'`,
    )
  }
}

interface StepGroup {
  readonly transactional: boolean
  readonly steps: readonly MigrationStep[]
}

/**
 * Splits the steps into transactions: one per revision, or one per run of consecutive
 * transactional revisions when `transactionPerMigration` is off. A revision that opts out of
 * transactions always stands alone.
 */
function groupSteps(
  steps: readonly MigrationStep[],
  scripts: ScriptDirectory,
  options: RunOptions,
): StepGroup[] {
  const groups: { transactional: boolean; steps: MigrationStep[] }[] = []
  for (const step of steps) {
    const transactional = step.isStamp || scripts.script(step.revision).transactional
    const last = groups.at(-1)
    if (transactional && !options.transactionPerMigration && last?.transactional === true) {
      last.steps.push(step)
    } else {
      groups.push({ transactional, steps: [step] })
    }
  }
  return groups
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '') ?? text
}
