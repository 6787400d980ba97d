import { applyStep, type MigrationStep, type RevisionMap } from '@migraph/graph'
import { createOfflineSink, createOperations } from '@migraph/operations'
import type { MigrationDialect, VersionTableRef } from '../dialects/dialect.js'
import { MigrationFailedError } from '../errors.js'
import type { RevisionModule, ScriptDirectory } from '../script/script-directory.js'
import { isSqlRevisionFile } from '../script/sql-revision.js'
import { checkSqlSteps } from './run-module.js'
import { asStored } from './stored-rows.js'
import { compileVersionStatements } from './version-table.js'

export interface OfflineOptions {
  readonly dialect: MigrationDialect
  readonly versionTable: VersionTableRef
  readonly transactionPerMigration: boolean
  readonly x?: Readonly<Record<string, string>> | undefined
  /** Start heads the version table holds under another id (squash → the last id it replaces). */
  readonly storedRows?: ReadonlyMap<string, string> | undefined
}

/**
 * Renders planned steps as runnable SQL (`--sql`), never opening a connection. The layout is
 * Alembic's, statement for statement: `-- Running upgrade a -> b` before each step's statements
 * and its version-table statement; the version table created before the first step when the
 * run starts from base, and dropped at the end when the run ends there (even with no step);
 * `BEGIN;`/`COMMIT;` where the dialect has transactional DDL, around each step with
 * `transactionPerMigration` (the drop then comes after the last `COMMIT;`), else around the
 * whole run, which is then a `BEGIN;`/`COMMIT;` pair even with nothing to do. A revision that
 * declares `transactional = false` runs between transactions.
 */
export async function renderOfflineSql(
  scripts: ScriptDirectory,
  startHeads: readonly string[],
  steps: readonly MigrationStep[],
  options: OfflineOptions,
): Promise<string> {
  const { dialect, versionTable } = options
  const flavour = dialect.sqlFlavour
  // `.sql` revisions are read up front, so that one that cannot be split, or a downgrade through
  // one without a downgrade section, fails before any SQL is printed.
  const sqlModules = new Map<string, RevisionModule>()
  for (const step of steps) {
    if (!step.isStamp && isSqlRevisionFile(scripts.script(step.revision).path)) {
      sqlModules.set(step.revision, await scripts.loadModule(step.revision))
    }
  }
  checkSqlSteps(steps, scripts, sqlModules, flavour)
  const out: string[] = []
  const statement = (sql: string) => out.push(`${sql.replace(/;\s*$/, '')};`)
  const comment = (line: string) => out.push(line)
  let heads = startHeads
  const stored = new Map(options.storedRows)
  let inTransaction = false
  const begin = () => {
    if (dialect.transactionalDDL && !inTransaction) {
      comment('BEGIN;')
      inTransaction = true
    }
  }
  const commit = () => {
    if (inTransaction) {
      comment('COMMIT;')
      inTransaction = false
    }
  }
  const perStep = options.transactionPerMigration
  // A run that starts from revisions has its version table already.
  let tableExists = startHeads.length > 0

  if (!perStep) begin()
  for (const step of steps) {
    const transactional = step.isStamp || scripts.script(step.revision).transactional
    if (transactional) begin()
    else commit()
    if (!tableExists) {
      for (const sql of compileVersionStatements(flavour, versionTable, { create: true })) statement(sql)
      tableExists = true
    }
    const verb = step.direction === 'up' ? 'upgrade' : 'downgrade'
    // Alembic's `short_log`: ids without dependencies, `stamp_revision` for a stamp.
    comment(`-- Running ${step.shortLog}`)
    const sqlModule = step.isStamp ? undefined : sqlModules.get(step.revision)?.sql
    if (sqlModule !== undefined) {
      // A .sql revision's statements as written. A MySQL statement with `;` inside (a routine or
      // trigger body) is set off by DELIMITER lines, as the mysql client needs it.
      for (const { text } of sqlModule.statements(flavour, step.direction)) {
        if (flavour === 'mysql' && text.includes(';')) comment(`DELIMITER $$\n${text}$$\nDELIMITER ;`)
        else statement(text)
      }
    } else if (!step.isStamp) {
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
    const changes = asStored(next.changes, stored)
    for (const sql of compileVersionStatements(flavour, versionTable, { changes })) statement(sql)
    heads = next.heads
    if (perStep) commit()
  }
  if (heads.length === 0) {
    if (perStep) commit()
    else begin()
    for (const sql of compileVersionStatements(flavour, versionTable, { drop: true })) statement(sql)
  }
  commit()
  return out.length === 0 ? '' : `${out.join('\n\n')}\n`
}
