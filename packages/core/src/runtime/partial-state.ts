import type { MigrationStep } from '@migraph/graph'
import type { AnyKysely } from '../dialects/dialect.js'
import { PartialStateError } from '../errors.js'
import {
  deleteStartedEntry,
  ensureHistoryTable,
  type HistoryEntry,
  historyTableOf,
  recordHistory,
  startedEntryExists,
} from './history-table.js'
import type { Session } from './session.js'

// What a step that cannot roll back leaves behind when it fails: its `started` entry, and the
// `failed` record `mig resolve` settles.

/** The `started` entry of a step: its end, written when it ends, settles it. */
export function endless(step: MigrationStep, startedAt: string, actor: string): HistoryEntry {
  return {
    revision: step.revision,
    direction: step.direction,
    status: 'started',
    checksum: null,
    startedAt,
    finishedAt: startedAt,
    durationMs: 0,
    appliedBy: actor,
    opsCompleted: null,
    detail: null,
  }
}

/** What a revision has done so far: what a failure leaves behind depends on it. */
export interface Progress {
  /** Operations sent to the database, including one that failed. */
  attempted: number
  /** Operations that completed. */
  completed: number
  /** Whether the revision took `op.db`, on which it may have run anything. */
  dbUsed: boolean
}

export interface FailedStep {
  readonly step: MigrationStep
  readonly progress: Readonly<Progress>
  readonly startedAt: string
  readonly started: number
  readonly error: unknown
  /** Whether the step's `started` entry was sent (the step cannot roll back). */
  readonly marked: boolean
  readonly inTransaction: boolean
}

/**
 * What a failed step left behind. In a transaction where DDL rolls back, nothing: the error
 * passes through unchanged. Otherwise the step began with a `started` entry:
 *
 * - in a transaction on MySQL/MariaDB, that entry is in the table only if a statement that
 *   commits implicitly ran (and committed what came before it); without it, the step rolled back
 *   whole and is a plain failure, whatever its operations were;
 * - outside a transaction, every statement committed as it ran: the step stayed in part unless
 *   it failed before sending any, and then its `started` entry is taken back.
 *
 * A step that stayed in part is recorded as `failed` (outside the rolled-back transaction, on a
 * fresh connection if the session is gone), and the error says how to settle it.
 */
export async function partialStateOf(
  error: unknown,
  context: FailedStep & { session: Session; actor: string; checksums: ReadonlyMap<string, string | null> },
): Promise<unknown> {
  const { session, step, progress } = context
  if (!context.marked) return error
  const history = historyTableOf(session.versionTable)
  const started = { revision: step.revision, startedAt: context.startedAt }
  let stayed: boolean | undefined
  if (context.inTransaction) {
    stayed = await onDatabase(session, (db) => startedEntryExists(db, history, started)).catch(
      () => undefined,
    )
  } else {
    stayed = progress.attempted > 0 || progress.dbUsed
  }
  if (stayed === false) {
    if (!context.inTransaction) {
      // Still there if the database cannot be reached: then `mig check` reports the step.
      await onDatabase(session, (db) => deleteStartedEntry(db, history, started)).catch(() => undefined)
    }
    return error
  }
  const reason = error instanceof Error ? error.message : String(error)
  await onDatabase(session, async (db) => {
    await ensureHistoryTable(db, history)
    await recordHistory(db, history, {
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
    })
  }).catch(() => {
    // Unreachable now: the `started` entry, if it was committed, still marks the step, and the
    // message below tells the user what happened.
  })
  const left =
    stayed === undefined
      ? `${session.dialect.name} cannot roll back DDL, and whether part of revision ${step.revision} stayed applied could not be checked`
      : context.inTransaction
        ? `${session.dialect.name} cannot roll back DDL, so ${progress.completed} operation(s) of revision ${step.revision} stayed applied`
        : `revision ${step.revision} runs outside a transaction (transactional = false), so ${progress.completed} operation(s) of it stayed applied`
  return new PartialStateError(
    step.revision,
    progress.completed,
    `${reason} — ${left}; repair the database, then run 'mig resolve ${step.revision} --applied' or 'mig resolve ${step.revision} --rolled-back'`,
    { cause: error },
  )
}

/**
 * Runs bookkeeping on the session, or, when the session itself is what failed (a lost
 * connection), once more on a fresh connection to the same database.
 */
async function onDatabase<T>(session: Session, work: (db: AnyKysely) => Promise<T>): Promise<T> {
  try {
    return await work(session.connection.db)
  } catch {
    const fresh = await session.dialect.connect(session.connection.target, { connectTimeoutMs: 10_000 })
    try {
      return await work(fresh.db)
    } finally {
      await fresh.close()
    }
  }
}
