import { planStamp } from '@migraph/graph'
import type { Project } from '../context.js'
import { CommandError } from '../errors.js'
import { confirmWrite, requireConfirmable } from './deploy-guard.js'
import {
  headsAfter,
  type MigrateResult,
  offlineOptions,
  offlineStart,
  resolvableWithoutDatabase,
  runtime,
  splitRange,
  summarize,
} from './migrate-support.js'

export interface StampArgs {
  readonly revisions: readonly string[]
  readonly sql?: boolean | undefined
  /** Delete every row of the version table first, then stamp. */
  readonly purge?: boolean | undefined
}

/** `mig stamp <revs...>`: set the version table without running any revision. */
export async function stamp(project: Project, args: StampArgs): Promise<MigrateResult> {
  const scripts = await project.scripts()
  if (args.revisions.length === 0) throw new CommandError('stamp needs at least one revision')
  const { renderOfflineSql, runSteps, versionTableOf, withSession } = await runtime()
  if (args.sql === true) {
    // Alembic's reading: each argument is `[start:]target`, and every start must be the same.
    let from: string | undefined
    const targets = args.revisions.map((revision) => {
      const range = splitRange(revision)
      if (range === undefined) return revision
      if (from !== undefined && from !== range.from) {
        throw new CommandError(
          'Stamp operation with --sql only supports a single starting revision at a time',
        )
      }
      from = range.from
      return range.to
    })
    // Offline, the version table's rows are unknown: there is nothing to purge.
    if (args.purge === true) throw new CommandError("Can't use --purge with --sql mode")
    const start = offlineStart(scripts, from ?? '', targets)
    const steps = planStamp(start.scripts.map, start.start, targets)
    const sql = await renderOfflineSql(start.scripts, start.start, steps, {
      ...offlineOptions(project, versionTableOf(project)),
      storedRows: start.stored,
    })
    return { steps: steps.map(summarize), heads: headsAfter(start.scripts, start.start, steps), sql }
  }
  for (const target of args.revisions) {
    if (resolvableWithoutDatabase(target)) scripts.map.resolve(target, [])
  }
  if (requireConfirmable(project, 'stamp')) await confirmWrite(project, 'stamp', [])
  return withSession(project, { lock: true }, async (session) => {
    const view = scripts.forVersions(await session.readHeads(), args.revisions)
    let current = view.heads
    if (args.purge === true) {
      await purge(session, current)
      current = []
    } else {
      // Conflicting rows give no starting point; `--purge` is the way out.
      const [{ overlappingVersions }, { versionTableFailure }] = await Promise.all([
        import('@migraph/graph'),
        import('./check.js'),
      ])
      const failure = versionTableFailure({
        conflicting: overlappingVersions(view.scripts.map, current),
        missing: [],
      })
      if (failure !== undefined) throw failure
    }
    const steps = planStamp(view.scripts.map, current, args.revisions, { purge: args.purge ?? false })
    const heads = await runSteps(session, view.scripts, current, steps, {
      storedRows: args.purge === true ? undefined : view.stored,
      transactionPerMigration: true,
      reporter: project.environment.reporter,
    })
    return { steps: steps.map(summarize), heads }
  })
}

/**
 * Empties the version table for `stamp --purge`, and says so in the history: what the entries
 * before say was applied no longer describes the table.
 */
async function purge(
  session: import('../runtime/session.js').Session,
  current: readonly string[],
): Promise<void> {
  const [{ purgeVersions, versionTableExists }, history] = await Promise.all([
    import('../runtime/version-table.js'),
    import('../runtime/history-table.js'),
  ])
  const { db } = session.connection
  if (current.length > 0) await purgeVersions(db, session.versionTable)
  const table = history.historyTableOf(session.versionTable)
  if (!(await versionTableExists(db, table))) return
  const now = new Date().toISOString()
  await history.recordHistory(db, table, {
    revision: '',
    direction: 'down',
    status: 'purged',
    checksum: null,
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    appliedBy: history.currentActor(),
    opsCompleted: null,
    detail: current.length > 0 ? `purged ${current.join(', ')}` : null,
  })
}

/** `mig ensure-version`: create the version table if it does not exist. */
export async function ensureVersion(
  project: Project,
  args: { sql?: boolean } = {},
): Promise<{ sql?: string }> {
  const dialect = project.dialect()
  const { compileVersionStatements, ensureVersionTable, versionTableOf, withSession } = await runtime()
  if (args.sql === true) {
    const statements = compileVersionStatements(dialect.sqlFlavour, versionTableOf(project), { create: true })
    // Laid out as every other `--sql` script: in a transaction where DDL is transactional.
    const lines = statements.map((s) => `${s};`)
    const script = dialect.transactionalDDL ? ['BEGIN;', ...lines, 'COMMIT;'] : lines
    return { sql: `${script.join('\n\n')}\n` }
  }
  if (requireConfirmable(project, 'ensure-version')) await confirmWrite(project, 'ensure-version', [])
  return withSession(project, { lock: true }, async (session) => {
    await ensureVersionTable(session.connection.db, session.versionTable)
    return {}
  })
}
