import { applyStep, type MigrationStep } from '@migraph/graph'
import { createOnlineSink, createOperations, type Op, type OpSink } from '@migraph/operations'
import { type ControlledTransaction, sql } from 'kysely'
import type { Reporter } from '../context.js'
import type { AnyDatabase, AnyKysely } from '../dialects/dialect.js'
import { MigraphError, MigrationFailedError } from '../errors.js'
import { saveBundleCaches } from '../script/import-module.js'
import type { RevisionModule, ScriptDirectory } from '../script/script-directory.js'
import { fileChecksum } from './checksum.js'
import type { ChecksumOf } from './checksum-cache.js'
import {
  currentActor,
  ensureHistoryTable,
  type HistoryEntry,
  historyTableOf,
  recordHistory,
  StepRecorder,
} from './history-table.js'
import type { Session } from './session.js'
import { ensureVersionTable, whichTablesExist } from './version-table.js'

/** How a run groups revisions into transactions. */
export interface RunOptions {
  /** One transaction per revision (default) or as few as possible for the whole run. */
  readonly transactionPerMigration: boolean
  readonly reporter: Reporter
  /** `-x key=value` pairs, passed to revisions as the second argument's `x`. */
  readonly x?: Readonly<Record<string, string>> | undefined
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
}

/** What a revision's functions receive beside `op`. */
export interface RevisionContext {
  readonly revision: string
  readonly direction: 'up' | 'down'
  /** The `-x key=value` pairs of the command line. */
  readonly x: Readonly<Record<string, string>>
}

/**
 * A revision failed on a database whose DDL commits implicitly (MySQL/MariaDB): some of its
 * operations may be in the database. The failure is recorded in the history table, and further
 * upgrades refuse until `mig resolve` says what the database holds.
 */
export class PartialStateError extends MigraphError {
  override readonly name = 'PartialStateError'
  readonly revision: string
  readonly opsCompleted: number

  constructor(revision: string, opsCompleted: number, message: string, options?: { cause?: unknown }) {
    super('partial-state', message, options)
    this.revision = revision
    this.opsCompleted = opsCompleted
  }
}

/**
 * Executes planned steps on a locked session. Every module is imported before the first step
 * runs, so a broken file fails the run before anything changes. Each transactional revision
 * commits together with its version-table change and its history entry; a revision with
 * `transactional = false` runs on its own, outside any transaction. Returns the heads after the
 * last step.
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
  const { db } = session.connection
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
  // Both tables are created on the first write, in the first step's transaction.
  let tablesExist =
    steps.length > 0 &&
    (options.tablesExist ?? (await whichTablesExist(db, [session.versionTable, history])).every(Boolean))

  const runStep = async (executor: AnyKysely, step: MigrationStep): Promise<void> => {
    const started = performance.now()
    const startedAt = new Date().toISOString()
    options.reporter.stepStarted?.(step)
    const progress = { completed: 0 }
    try {
      const module = modules.get(step.revision)
      if (module !== undefined) await runModule(executor, session, step, module, options, progress)
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
      await recorder.record(executor, next.changes, entry)
      heads = next.heads
    } catch (error) {
      options.reporter.stepFailed?.(step, performance.now() - started)
      failure = { step, progress, startedAt, started, error }
      throw error
    }
    options.reporter.stepFinished?.(step, performance.now() - started)
  }

  let failure: FailedStep | undefined
  // Each transactional group in a transaction of its own; revisions see a Kysely transaction, so
  // `op.db.transaction()` is refused. Where the dialect takes several statements in one text, a
  // COMMIT and the next group's BEGIN go to the server together.
  const groups = groupSteps(steps, scripts, options)
  let trx: ControlledTransaction<AnyDatabase> | undefined
  if (steps.length > 0) options.reporter.stepsPlanned?.(steps.length)
  try {
    for (const [at, group] of groups.entries()) {
      if (group.transactional) {
        trx ??= await db.startTransaction().execute()
        for (const step of group.steps) await runStep(trx, step)
        if (session.dialect.chainsTransactions && groups[at + 1]?.transactional === true) {
          // A failed COMMIT ends its transaction, as does a text that failed at its BEGIN: the
          // rollback below then only frees the session.
          await sql.raw('commit; begin').execute(trx)
        } else {
          // Kept until it succeeds: after a failed COMMIT, only the rollback frees the session.
          await trx.commit().execute()
          trx = undefined
        }
      } else {
        for (const step of group.steps) await runStep(db, step)
      }
      tablesExist = true
    }
  } catch (error) {
    await trx
      ?.rollback()
      .execute()
      .catch(() => undefined)
    // Recorded only now, after the transaction has rolled back and released the session. A
    // ROLLBACK on a lost connection fails too: the step's own error says what happened.
    throw failure === undefined
      ? error
      : await partialStateOf(failure.error, { ...failure, session, actor, checksums })
  }
  // Now that the revisions' functions are compiled, their bundle's code cache can hold them.
  saveBundleCaches()
  return heads
}

interface FailedStep {
  readonly step: MigrationStep
  readonly progress: { readonly completed: number }
  readonly startedAt: string
  readonly started: number
  readonly error: unknown
}

/**
 * Where DDL commits implicitly, a revision that failed after some operations completed has left
 * them behind: record that (outside the rolled-back transaction) and say so. Elsewhere the
 * transaction undid everything, and the error passes through unchanged.
 */
async function partialStateOf(
  error: unknown,
  context: FailedStep & { session: Session; actor: string; checksums: ReadonlyMap<string, string | null> },
): Promise<unknown> {
  const { session, step, progress } = context
  if (session.dialect.transactionalDDL || progress.completed === 0 || step.isStamp) return error
  const history = historyTableOf(session.versionTable)
  const reason = error instanceof Error ? error.message : String(error)
  const entry = {
    revision: step.revision,
    direction: step.direction,
    status: 'failed',
    checksum: context.checksums.get(step.revision) ?? null,
    startedAt: context.startedAt,
    finishedAt: new Date().toISOString(),
    durationMs: performance.now() - context.started,
    appliedBy: context.actor,
    opsCompleted: progress.completed,
    detail: reason.slice(0, 2000),
  } as const
  const record = async (db: AnyKysely) => {
    await ensureHistoryTable(db, history)
    await recordHistory(db, history, entry)
  }
  try {
    await record(session.connection.db)
  } catch {
    // The session itself may be what failed (a lost connection): `mig resolve` needs this
    // record, so try once more on a fresh connection to the same database.
    try {
      const fresh = await session.dialect.connect(session.connection.target, { connectTimeoutMs: 10_000 })
      try {
        await record(fresh.db)
      } finally {
        await fresh.close()
      }
    } catch {
      // Unreachable now: the message below still tells the user what happened.
    }
  }
  return new PartialStateError(
    step.revision,
    progress.completed,
    `${reason} — ${session.dialect.name} cannot roll back DDL, so ${progress.completed} operation(s) of revision ${step.revision} stayed applied; repair the database, then run 'mig resolve ${step.revision} --applied' or 'mig resolve ${step.revision} --rolled-back'`,
    { cause: error },
  )
}

async function runModule(
  executor: AnyKysely,
  session: Session,
  step: MigrationStep,
  module: RevisionModule,
  options: RunOptions,
  progress: { completed: number },
): Promise<void> {
  const sink = countingSink(createOnlineSink(executor, session.dialect.sqlFlavour), progress)
  const { op, pendingCount, unobservedErrors } = createOperations(sink, { revision: step.revision })
  const fn = step.direction === 'up' ? module.upgrade : module.downgrade
  const name = step.direction === 'up' ? 'upgrade' : 'downgrade'
  const context: RevisionContext = { revision: step.revision, direction: step.direction, x: options.x ?? {} }
  let pending = 0
  try {
    try {
      await (fn as unknown as (op: unknown, context: RevisionContext) => Promise<void> | void)(op, context)
    } finally {
      // Ops called without `await` still run on this session: let them finish inside the
      // transaction, so the rollback undoes them instead of them landing after it.
      pending = pendingCount()
      while (pendingCount() > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } catch (error) {
    if (error instanceof MigraphError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new MigrationFailedError(
      step.revision,
      step.direction,
      `revision ${step.revision} ${name}() failed: ${firstLine(message)}`,
      { cause: error, statement: (error as { statement?: string; sql?: string })?.statement },
    )
  }
  if (pending > 0) {
    throw new MigrationFailedError(
      step.revision,
      step.direction,
      `revision ${step.revision} ${name}() returned while ${pending} op.* call(s) were still running: add the missing 'await'`,
    )
  }
  const [unobserved] = unobservedErrors()
  if (unobserved !== undefined) {
    // A failed op nobody awaited: the revision must not be recorded as done.
    const message = unobserved instanceof Error ? unobserved.message : String(unobserved)
    throw new MigrationFailedError(
      step.revision,
      step.direction,
      `revision ${step.revision} ${name}() failed: ${firstLine(message)} (an op.* call that was not awaited; add the missing 'await')`,
      { cause: unobserved },
    )
  }
}

/** Counts the operations that completed, which is what a partial failure reports. */
function countingSink(sink: OpSink, progress: { completed: number }): OpSink {
  return {
    flavour: sink.flavour,
    db: sink.db,
    run: async (op: Op) => {
      await sink.run(op)
      progress.completed++
    },
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
