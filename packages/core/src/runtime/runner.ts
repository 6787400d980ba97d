import { applyStep, type MigrationStep } from '@migraph/graph'
import { type ControlledTransaction, sql } from 'kysely'
import { limitsFor } from '../config/revision-limits.js'
import type { Reporter } from '../context.js'
import type { AnyDatabase, AnyKysely } from '../dialects/dialect.js'
import type { FleetTarget } from '../fleet/targets.js'
import { saveBundleCaches } from '../script/import-module.js'
import type { ScriptDirectory } from '../script/script-directory.js'
import { fileChecksum } from './checksum.js'
import type { ChecksumOf } from './checksum-cache.js'
import {
  currentActor,
  deleteStartedEntry,
  ensureHistoryTable,
  type HistoryEntry,
  historyTableOf,
  recordHistory,
  StepRecorder,
} from './history-table.js'
import { endless, type FailedStep, type Progress, partialStateOf } from './partial-state.js'
import {
  isLockTimeoutFailure,
  NO_RETRY,
  type RetryPolicy,
  retryWarning,
  shouldRetry,
  waitBeforeRetry,
} from './retry-policy.js'
import { checkSqlSteps, runModule } from './run-module.js'
import { outsideTransactionOnServer } from './server-version-outside.js'
import type { Session } from './session.js'
import { asStored } from './stored-rows.js'
import { ensureVersionTable, whichTablesExist } from './version-table.js'

export type { RevisionContext } from './run-module.js'

/** How a run groups revisions into transactions. */
export interface RunOptions {
  /** One transaction per revision (default) or as few as possible for the whole run. */
  readonly transactionPerMigration: boolean
  readonly reporter: Reporter
  /** `-x key=value` pairs, passed to revisions as the second argument's `x`. */
  readonly x?: Readonly<Record<string, string>> | undefined
  /** The fleet target the run is for (`--all`), passed to revisions as `context.target`. */
  readonly target?: FleetTarget | undefined
  /**
   * Whether the version and history tables both exist, when the caller has just looked (under
   * the same lock); otherwise the runner asks the catalog itself.
   */
  readonly tablesExist?: boolean | undefined
  /** Where the checksums recorded with each step come from; by default each file is read. */
  readonly checksum?: ChecksumOf | undefined
  /**
   * Where each revision file's {@link contentDigest} comes from without reading it, if anywhere:
   * modules already compiled from those very texts are then loaded without reading the files.
   */
  readonly contentDigest?: ChecksumOf | undefined
  /** The config's `timeouts`, under each revision's own. */
  readonly limits?:
    | { readonly lockTimeoutMs?: number | null; readonly statementTimeoutMs?: number | null }
    | undefined
  /** How a transactional group that failed on a lock timeout is tried again; by default it is not. */
  readonly retry?: RetryPolicy | undefined
  /**
   * Heads the version table holds under another id (a squash → the last revision it replaces,
   * see `ScriptDirectory.forVersions`): the first change to such a row names it as it is held.
   */
  readonly storedRows?: ReadonlyMap<string, string> | undefined
}

/**
 * Executes planned steps on a locked session. Every module is imported before the first step
 * runs, so a broken file fails the run before anything changes. Each transactional revision
 * commits together with its version-table change and its history entry; a revision with
 * `transactional = false` runs on its own, outside any transaction. A step that cannot roll back
 * (outside a transaction, or anywhere on MySQL/MariaDB) is recorded as `started` before it runs.
 * Returns the heads after the last step.
 */
export async function runSteps(
  session: Session,
  scripts: ScriptDirectory,
  startHeads: readonly string[],
  steps: readonly MigrationStep[],
  options: RunOptions,
): Promise<readonly string[]> {
  const revisions = steps.filter((step) => !step.isStamp).map((step) => step.revision)
  // Taken as the modules are imported, so each step records the checksum of the file it ran, not
  // of the file as a later edit left it; at once after the listing, from its stamps.
  const checksumOf = options.checksum ?? fileChecksum
  const checksums = new Map(revisions.map((id) => [id, checksumOf(scripts.script(id).path)]))
  const digestOf = options.contentDigest
  const modules = await scripts.loadModules(
    revisions,
    digestOf === undefined ? undefined : (id) => digestOf(scripts.script(id).path),
  )
  checkSqlSteps(steps, scripts, modules, session.dialect.sqlFlavour)
  const { db } = session.connection
  const leaving = await outsideTransactionOnServer(session.dialect, db, steps, modules)
  const history = historyTableOf(session.versionTable)
  const actor = currentActor()
  const recorder = new StepRecorder(
    { version: session.versionTable, history },
    {
      dataModifyingCte: session.dialect.dataModifyingCte,
      prepare: (sql) => session.connection.prepare(sql),
    },
  )
  let heads = startHeads
  const stored = new Map(options.storedRows)
  // Limits cost a statement per revision: only set when the config or a revision asks for them.
  const limited =
    Object.keys(options.limits ?? {}).length > 0 || [...modules.values()].some((m) => m.limits !== undefined)
  if (limited && session.dialect.applyLimits === undefined) {
    options.reporter.warn(
      `${session.dialect.name} has no lock or statement timeouts: the configured or revision 'timeouts' are not applied`,
    )
  }
  // Both tables are created on the first write, in the first step's transaction.
  let tablesExist =
    steps.length > 0 &&
    (options.tablesExist ?? (await whichTablesExist(db, [session.versionTable, history])).every(Boolean))

  const runStep = async (executor: AnyKysely, step: MigrationStep, inTransaction: boolean): Promise<void> => {
    // A lock whose lease ran out (`lock: 'table'`) may be another run's by now: go no further.
    session.checkLock?.()
    const started = performance.now()
    const startedAt = new Date().toISOString()
    const outside = leaving.get(step.revision) ?? modules.get(step.revision)?.sql?.outsideTransaction
    options.reporter.stepStarted?.(
      step,
      !step.isStamp && !inTransaction && outside !== undefined
        ? `outside a transaction: ${outside}`
        : undefined,
    )
    const progress: Progress = { attempted: 0, completed: 0, dbUsed: false }
    // Where a step cannot roll back, its start is on record before its first statement, so a run
    // killed half-way leaves a trace instead of a revision the next run would apply again.
    // Outside a transaction that entry commits at once; inside one on MySQL/MariaDB it is the
    // transaction's first statement, so it commits exactly when a statement that commits
    // implicitly does, together with all that came before.
    const marked = !step.isStamp && !(inTransaction && session.dialect.transactionalDDL)
    try {
      if (marked) {
        await recordHistory(executor, history, {
          ...endless(step, startedAt, actor),
          checksum: checksums.get(step.revision) ?? null,
        })
      }
      const module = modules.get(step.revision)
      if (module !== undefined) {
        const restore =
          limited && session.dialect.applyLimits !== undefined
            ? await session.dialect.applyLimits(executor, limitsFor(options.limits ?? {}, module.limits), {
                inTransaction,
                connection: session.connection,
              })
            : undefined
        try {
          await runModule(executor, session, step, module, options, progress, inTransaction)
        } catch (error) {
          // A session setting goes back even after a failure; the revision's error is what counts.
          await restore?.().catch(() => undefined)
          throw error
        }
        await restore?.()
      }
      const next = applyStep(scripts.map, heads, step)
      if (!tablesExist) {
        await ensureVersionTable(executor, session.versionTable)
        await ensureHistoryTable(executor, history)
      }
      const entry: HistoryEntry = {
        revision: step.revision,
        direction: step.direction,
        status: step.isStamp ? 'stamped' : step.direction === 'up' ? 'applied' : 'reverted',
        checksum: step.isStamp ? null : (checksums.get(step.revision) ?? null),
        startedAt,
        finishedAt: new Date().toISOString(),
        durationMs: performance.now() - started,
        appliedBy: actor,
        opsCompleted: null,
        detail: null,
      }
      await recorder.record(
        executor,
        stored.size === 0 ? next.changes : asStored(next.changes, stored),
        entry,
      )
      heads = next.heads
    } catch (error) {
      options.reporter.stepFailed?.(step, performance.now() - started)
      failure = { step, progress, startedAt, started, error, marked, inTransaction }
      throw error
    }
    options.reporter.stepFinished?.(step, performance.now() - started)
  }

  let failure: FailedStep | undefined
  // Each transactional group in a transaction of its own; revisions see a Kysely transaction, so
  // `op.db.transaction()` is refused. Where the dialect takes several statements in one text, a
  // COMMIT and the next group's BEGIN go to the server together.
  const groups = groupSteps(steps, scripts, options, leaving)
  let trx: ControlledTransaction<AnyDatabase> | undefined
  if (steps.length > 0) options.reporter.stepsPlanned?.(steps.length)
  const runGroup = async (at: number, group: StepGroup): Promise<void> => {
    const unrollable = !group.transactional || !session.dialect.transactionalDDL
    if (!tablesExist && unrollable && group.steps.some((step) => !step.isStamp)) {
      // The `started` entries need the history table, and creating it inside a transaction
      // on MySQL/MariaDB would commit that transaction: create both tables first, on their own.
      await ensureVersionTable(db, session.versionTable)
      await ensureHistoryTable(db, history)
      tablesExist = true
    }
    if (group.transactional) {
      trx ??= await db.startTransaction().execute()
      for (const step of group.steps) await runStep(trx, step, true)
      if (session.dialect.chainsTransactions && groups[at + 1]?.transactional === true) {
        // A failed COMMIT ends its transaction, as does a text that failed at its BEGIN: the
        // rollback below then only frees the session.
        session.checkLock?.()
        await sql.raw('commit; begin').execute(trx)
      } else {
        session.checkLock?.()
        // Kept until it succeeds: after a failed COMMIT, only the rollback frees the session.
        await trx.commit().execute()
        trx = undefined
      }
    } else {
      for (const step of group.steps) await runStep(db, step, false)
    }
    tablesExist = true
  }
  const retry = options.retry ?? NO_RETRY
  for (const [at, group] of groups.entries()) {
    for (let attempt = 0; ; attempt++) {
      const headsBefore = heads
      try {
        await runGroup(at, group)
        break
      } catch (error) {
        await trx
          ?.rollback()
          .execute()
          .catch(() => undefined)
        trx = undefined
        const failed = failure
        failure = undefined
        const lockTimeout =
          failed !== undefined && isLockTimeoutFailure(session.dialect, group.transactional, failed.error)
        let settled: unknown
        if (lockTimeout && failed.marked && untouched(failed, group)) {
          // Where DDL cannot roll back (MySQL/MariaDB), a statement that timed out waiting for its
          // lock changed nothing, and nothing ran before it: only the `started` entry, which the
          // DDL's implicit commit may have kept, records the attempt: taken back, the revision is
          // plainly not applied, and a retry (or the next run) starts clean.
          await deleteStartedEntry(db, history, {
            revision: failed.step.revision,
            startedAt: failed.startedAt,
          })
          settled = failed.error
        } else {
          // Recorded only now, after the transaction has rolled back and released the session. A
          // ROLLBACK on a lost connection fails too: the step's own error says what happened.
          settled =
            failed === undefined
              ? error
              : await partialStateOf(failed.error, { ...failed, session, actor, checksums })
        }
        // Tried again only when nothing of the group stayed: it rolled back, or failed before
        // changing anything.
        if (lockTimeout && shouldRetry(retry, attempt, settled)) {
          heads = headsBefore
          options.reporter.stepsRewound?.(group.steps.indexOf(failed.step) + 1)
          options.reporter.warn(retryWarning(retry, attempt, failed.step.revision, settled))
          await waitBeforeRetry(retry, attempt)
          continue
        }
        throw settled
      }
    }
  }
  // Now that the revisions' functions are compiled, their bundle's code cache can hold them.
  saveBundleCaches()
  return heads
}

interface StepGroup {
  readonly transactional: boolean
  readonly steps: readonly MigrationStep[]
}

/**
 * Splits the steps into transactions: one per revision, or one per run of consecutive
 * transactional revisions when `transactionPerMigration` is off. A revision that opts out of
 * transactions, or that this server cannot run in one (`leaving`), always stands alone.
 */
function groupSteps(
  steps: readonly MigrationStep[],
  scripts: ScriptDirectory,
  options: RunOptions,
  leaving: ReadonlyMap<string, string>,
): StepGroup[] {
  const groups: { transactional: boolean; steps: MigrationStep[] }[] = []
  for (const step of steps) {
    const transactional =
      step.isStamp || (scripts.script(step.revision).transactional && !leaving.has(step.revision))
    const last = groups.at(-1)
    if (transactional && !options.transactionPerMigration && last?.transactional === true) {
      last.steps.push(step)
    } else {
      groups.push({ transactional, steps: [step] })
    }
  }
  return groups
}

/**
 * Whether a failed step is the first of its group to touch the database and failed on its first
 * operation before that operation completed anything it could report, without taking `op.db`.
 */
function untouched(failed: FailedStep, group: StepGroup): boolean {
  const first = group.steps.findIndex((step) => !step.isStamp)
  return (
    group.steps[first] === failed.step &&
    failed.progress.completed === 0 &&
    failed.progress.attempted <= 1 &&
    !failed.progress.dbUsed
  )
}
