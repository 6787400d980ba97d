import { GraphError, type MigrationStep } from '@migraph/graph'
import {
  createOnlineSink,
  createOperations,
  type Op,
  OperationError,
  type OpSink,
  type SqlFlavour,
} from '@migraph/operations'
import type { AnyKysely } from '../dialects/dialect.js'
import { IrreversibleRevisionError, MigraphError, MigrationFailedError } from '../errors.js'
import type { FleetTarget } from '../fleet/targets.js'
import type { RevisionModule, ScriptDirectory } from '../script/script-directory.js'
import { SqlStatementError } from '../script/sql-revision.js'
import type { Progress } from './partial-state.js'
import { firstLine } from './retry-policy.js'
import type { RunOptions } from './runner.js'
import type { Session } from './session.js'

/** What a revision's functions receive beside `op`. */
export interface RevisionContext {
  readonly revision: string
  readonly direction: 'up' | 'down'
  /** The `-x key=value` pairs of the command line. */
  readonly x: Readonly<Record<string, string>>
  /** With `--all`: the fleet target this run is for (its name, and its URL or schema). */
  readonly target?: FleetTarget | undefined
}

/** Runs one revision's upgrade or downgrade on `executor`; a failure names the revision. */
export async function runModule(
  executor: AnyKysely,
  session: Session,
  step: MigrationStep,
  module: RevisionModule,
  options: RunOptions,
  progress: Progress,
  inTransaction: boolean,
): Promise<void> {
  const sink = countingSink(createOnlineSink(executor, session.dialect.sqlFlavour), progress, inTransaction)
  const { op, pendingCount, unobservedErrors } = createOperations(sink, { revision: step.revision })
  const fn = step.direction === 'up' ? module.upgrade : module.downgrade
  const name = step.direction === 'up' ? 'upgrade' : 'downgrade'
  const context: RevisionContext = {
    revision: step.revision,
    direction: step.direction,
    x: options.x ?? {},
    ...(options.target === undefined ? {} : { target: options.target }),
  }
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
    // migraph's own failures (a nested run's, a connection's) already say what went wrong; an
    // op's or the graph's is the revision's failure, and is reported as one.
    if (
      error instanceof MigraphError &&
      !(error instanceof OperationError || error instanceof GraphError || error instanceof SqlStatementError)
    )
      throw error
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

/**
 * Counts the operations sent and completed, and notes when the revision takes `op.db`. An index
 * built or dropped `concurrently` cannot run in a transaction: inside one it is refused before it
 * is sent, and the transaction rolls back whatever the revision did before it.
 */
function countingSink(sink: OpSink, progress: Progress, inTransaction: boolean): OpSink {
  return {
    flavour: sink.flavour,
    get db() {
      progress.dbUsed = true
      return sink.db
    },
    run: async (op: Op) => {
      if (inTransaction && (op.kind === 'createIndex' || op.kind === 'dropIndex') && op.concurrently) {
        throw new Error(
          `op.${op.kind}(..., { concurrently: true }) cannot run inside a transaction; declare 'export const transactional = false' in the revision`,
        )
      }
      progress.attempted++
      await sink.run(op)
      progress.completed++
    },
  }
}

/**
 * Before any step: every `.sql` revision of the run splits into statements for the dialect, and
 * none that a downgrade passes through lacks its downgrade section.
 */
export function checkSqlSteps(
  steps: readonly MigrationStep[],
  scripts: ScriptDirectory,
  modules: ReadonlyMap<string, RevisionModule>,
  flavour: SqlFlavour,
): void {
  for (const step of steps) {
    if (step.isStamp) continue
    const sql = modules.get(step.revision)?.sql
    if (sql === undefined) continue
    if (step.direction === 'down' && sql.irreversible !== undefined) {
      throw new IrreversibleRevisionError(
        step.revision,
        scripts.script(step.revision).path,
        `cannot downgrade through revision ${step.revision}: ${sql.irreversible}; nothing was run`,
      )
    }
    sql.statements(flavour, step.direction)
  }
}
