import { applyStep, type MigrationStep, type RevisionMap } from '@migraph/graph'
import { createOfflineSink, createOperations } from '@migraph/operations'
import type { MigrationDialect, VersionTableRef } from '../dialects/dialect.js'
import { MigrationFailedError } from '../errors.js'
import type { ScriptDirectory } from '../script/script-directory.js'
import { compileVersionStatements } from './version-table.js'

export interface OfflineOptions {
  readonly dialect: MigrationDialect
  readonly versionTable: VersionTableRef
  readonly transactionPerMigration: boolean
  readonly x?: Readonly<Record<string, string>> | undefined
}

/**
 * Renders planned steps as runnable SQL (`--sql`), never opening a connection. The layout is
 * Alembic's: `-- Running upgrade a -> b` before each step's statements and its version-table
 * statement, the version table created when starting from base and dropped when ending there,
 * and `BEGIN;`/`COMMIT;` around each transaction where the dialect has transactional DDL.
 */
export async function renderOfflineSql(
  scripts: ScriptDirectory,
  startHeads: readonly string[],
  steps: readonly MigrationStep[],
  options: OfflineOptions,
): Promise<string> {
  const { dialect, versionTable } = options
  const flavour = dialect.sqlFlavour
  const out: string[] = []
  const statement = (sql: string) => out.push(`${sql.replace(/;\s*$/, '')};`)
  const comment = (line: string) => out.push(line)
  let heads = startHeads
  let inTransaction = false
  // Steps in the open transaction: creating the version table joins the first step's.
  let stepsInTransaction = 0
  const begin = () => {
    if (dialect.transactionalDDL && !inTransaction) {
      comment('BEGIN;')
      inTransaction = true
      stepsInTransaction = 0
    }
  }
  const commit = () => {
    if (inTransaction) {
      comment('COMMIT;')
      inTransaction = false
    }
  }

  if (startHeads.length === 0) {
    begin()
    for (const sql of compileVersionStatements(flavour, versionTable, { create: true })) statement(sql)
  }
  for (const step of steps) {
    const transactional = step.isStamp || scripts.script(step.revision).transactional
    if (!transactional || (options.transactionPerMigration && stepsInTransaction > 0)) commit()
    if (transactional) begin()
    stepsInTransaction++
    const verb = step.direction === 'up' ? 'upgrade' : 'downgrade'
    // Alembic's `short_log`: ids without dependencies, `stamp_revision` for a stamp.
    comment(`-- Running ${step.shortLog}`)
    if (!step.isStamp) {
      const module = await scripts.loadModule(step.revision)
      const sink = createOfflineSink(flavour, { write: statement })
      const { op, pendingCount } = createOperations(sink, { revision: step.revision })
      const fn = step.direction === 'up' ? module.upgrade : module.downgrade
      try {
        // The same second argument as online (`-x` pairs), so a revision renders as it runs.
        const context = { revision: step.revision, direction: step.direction, x: options.x ?? {} }
        await (fn as unknown as (op: unknown, context: unknown) => Promise<void> | void)(op, context)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        throw new MigrationFailedError(
          step.revision,
          step.direction,
          `revision ${step.revision} ${verb}(): ${message}`,
          {
            cause: error,
          },
        )
      }
      if (pendingCount() > 0) {
        throw new MigrationFailedError(
          step.revision,
          step.direction,
          `revision ${step.revision} ${verb}() returned while op.* calls were still running: add the missing 'await'`,
        )
      }
    }
    const next = applyStep(scripts.map as RevisionMap, heads, step)
    for (const sql of compileVersionStatements(flavour, versionTable, { changes: next.changes }))
      statement(sql)
    heads = next.heads
    if (!transactional) commit()
  }
  if (heads.length === 0 && steps.length > 0) {
    begin()
    for (const sql of compileVersionStatements(flavour, versionTable, { drop: true })) statement(sql)
  }
  commit()
  return out.length === 0 ? '' : `${out.join('\n\n')}\n`
}
