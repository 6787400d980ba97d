import {
  applyStep,
  checkDestination,
  type MigrationStep,
  planDowngrade,
  planStamp,
  planUpgrade,
  resolveStartingRevisions,
} from '@migraph/graph'
import type { Project } from '../context.js'
import type { VersionTableRef } from '../dialects/dialect.js'
import { CommandError, HookError, MigraphError } from '../errors.js'
import type { ChecksumSource } from '../runtime/checksum.js'
import type { RehearsedStep } from '../runtime/dry-run.js'
import type { ScriptDirectory } from '../script/script-directory.js'
import {
  checkSamePlan,
  confirmWrite,
  HOOKS_OF,
  needsPreview,
  requireConfirmable,
  runConfiguredHooks,
  runOnError,
} from './deploy-guard.js'

// The runtime pulls in Kysely and the operations compilers; graph-only commands never load it.
const runtime = () =>
  Promise.all([
    import('../runtime/checksum-cache.js'),
    import('../runtime/offline.js'),
    import('../runtime/runner.js'),
    import('../runtime/session.js'),
    import('../runtime/version-table.js'),
  ]).then(([checksumCache, offline, runner, session, versionTable]) => ({
    ...checksumCache,
    ...offline,
    ...runner,
    ...session,
    ...versionTable,
  }))

/** One executed (or, with `--sql`, rendered) step. */
export interface StepSummary {
  readonly direction: 'up' | 'down'
  readonly revision: string
  readonly from: readonly string[]
  readonly to: readonly string[]
  readonly stamp: boolean
  readonly message: string
}

export interface MigrateResult {
  readonly steps: readonly StepSummary[]
  /** The heads recorded in the version table afterwards. */
  readonly heads: readonly string[]
  /** With `dryRun: true`, what each step did before the rollback; the heads are unchanged. */
  readonly dryRun?: readonly RehearsedStep[] | undefined
  /** With `sql: true`, the script that would do it; nothing was executed. */
  readonly sql?: string | undefined
}

export interface MigrateArgs {
  /** `head`, `heads`, an id, `+N`, `label@head`, … With `sql`, also `from:to`. */
  readonly target: string
  /** Render SQL instead of executing (`--sql`); never connects. */
  readonly sql?: boolean | undefined
  /** Run even though applied revision files changed since they ran (`--ignore-checksums`). */
  readonly ignoreChecksums?: boolean | undefined
  /** Run each transactional step and roll it all back (`--dry-run`); never with `sql`. */
  readonly dryRun?: boolean | undefined
}

/** `mig upgrade <target>`: apply revisions up to the target. */
export function upgrade(project: Project, args: MigrateArgs): Promise<MigrateResult> {
  return migrate(project, args, 'up')
}

/** `mig downgrade <target>`: revert revisions down to the target (`-1`, an id, `base`). */
export function downgrade(project: Project, args: MigrateArgs): Promise<MigrateResult> {
  return migrate(project, args, 'down')
}

async function migrate(
  project: Project,
  args: MigrateArgs,
  direction: 'up' | 'down',
): Promise<MigrateResult> {
  const scripts = await project.scripts()
  const onWarning = (warning: { message: string }) => project.environment.reporter.warn(warning.message)
  const plan = (current: readonly string[], target: string, map = scripts.map) =>
    direction === 'up'
      ? planUpgrade(map, current, target, { onWarning })
      : planDowngrade(map, current, target, { onWarning })
  if (args.dryRun === true) {
    if (args.sql === true) {
      throw new CommandError(
        '--dry-run and --sql cannot be combined: --sql prints the SQL without connecting, --dry-run runs it and rolls it back; pick one',
      )
    }
    if (args.target.includes(':')) {
      throw new CommandError(`a range '${args.target}' is only allowed with --sql`)
    }
    const { dryRun } = await import('./dry-run.js')
    return dryRun(project, scripts, args.target, plan, summarize)
  }
  const { ChecksumCache, listingStamps, renderOfflineSql, runSteps, versionTableOf, withSession } =
    await runtime()
  if (args.sql === true) {
    const range = splitRange(args.target)
    if (direction === 'down' && range === undefined) {
      throw new CommandError(`downgrade with --sql requires <fromrev>:<torev>, got '${args.target}'`)
    }
    const target = range?.to ?? args.target
    const from = offlineStart(scripts, range?.from ?? '', [target])
    const steps = plan(from.start, target, from.scripts.map)
    const sql = await renderOfflineSql(from.scripts, from.start, steps, {
      ...offlineOptions(project, versionTableOf(project)),
      storedRows: from.stored,
    })
    return { steps: steps.map(summarize), heads: headsAfter(from.scripts, from.start, steps), sql }
  }
  if (args.target.includes(':')) {
    throw new CommandError(`a range '${args.target}' is only allowed with --sql`)
  }
  // Validate what needs no database first, so a typo never opens (or creates) one.
  if (resolvableWithoutDatabase(args.target)) checkDestination(scripts.map, direction, args.target)
  const command = direction === 'up' ? 'upgrade' : 'downgrade'
  const hooks = HOOKS_OF[direction]
  const confirming = requireConfirmable(project, command)
  let previewed: readonly StepSummary[] | undefined
  if (needsPreview(project, direction, confirming)) {
    // The plan is shown and handed to the pre-hooks before the lock is taken.
    const { readRunState } = await import('../runtime/history-table.js')
    // An embedded database that does not exist yet holds nothing: it is not created just to
    // show the plan, since the user may decline.
    const exists = project.dialect().databaseExists?.(project.target()) !== false
    const rows = exists
      ? await withSession(
          project,
          { lock: false },
          async (session) => (await readRunState(session.connection.db, session.versionTable)).heads,
        )
      : []
    const view = scripts.forVersions(rows, [args.target])
    previewed = plan(view.heads, args.target, view.scripts.map).map(summarize)
    if (previewed.length > 0) {
      if (confirming) await confirmWrite(project, command, previewed)
      const context = { command, target: args.target, plan: previewed } as const
      try {
        await runConfiguredHooks(project, hooks.pre, context)
      } catch (error) {
        await runOnError(project, command, args.target, previewed, error)
        if (!(error instanceof HookError)) throw error
        throw new HookError(error.hook, `${error.message}; nothing was run, the database is unchanged`, {
          cause: error,
        })
      }
    }
  }
  let result: MigrateResult
  try {
    result = await locked()
  } catch (error) {
    await runOnError(project, command, args.target, previewed ?? [], error)
    throw error
  }
  if (result.steps.length > 0) {
    try {
      await runConfiguredHooks(project, hooks.post, {
        command,
        target: args.target,
        plan: result.steps,
        heads: result.heads,
      })
    } catch (error) {
      await runOnError(project, command, args.target, result.steps, error)
      const heads = result.heads.length === 0 ? 'base' : result.heads.join(', ')
      const message = error instanceof Error ? error.message : String(error)
      throw new HookError(
        hooks.post,
        `${message}; the ${result.steps.length === 1 ? 'revision' : `${result.steps.length} revisions`} stayed applied (now at ${heads})`,
        { cause: error },
      )
    }
  }
  return result

  async function locked(): Promise<MigrateResult> {
    const checksums = new ChecksumCache(listingStamps(scripts))
    try {
      return await withSession(project, { lock: true }, async (session) => {
        const { readRunState } = await import('../runtime/history-table.js')
        const state = await readRunState(session.connection.db, session.versionTable)
        const view = scripts.forVersions(state.heads, [args.target])
        const current = view.heads
        await guardIntegrity(view.scripts, current, state.history, {
          ignoreChecksums: args.ignoreChecksums === true,
          checksums,
        })
        const steps = plan(current, args.target, view.scripts.map)
        checkSamePlan(previewed, steps.map(summarize))
        if (direction === 'up' && project.config.lint === 'error') {
          const { lintRevisions, lintFailure } = await import('./lint.js')
          const ids = steps.filter((step) => !step.isStamp).map((step) => step.revision)
          const result = await lintRevisions(project, view.scripts, ids)
          if (result.errors > 0) throw lintFailure(result)
        }
        const heads = await runSteps(session, view.scripts, current, steps, {
          storedRows: view.stored,
          transactionPerMigration: project.config.transactionPerMigration,
          reporter: project.environment.reporter,
          x: project.options.x,
          target: project.fleetTarget,
          tablesExist: state.tablesExist,
          checksum: checksums.checksum,
          contentDigest: checksums.contentDigest,
          limits: project.config.timeouts,
          retry: project.config.retry,
        })
        if (project.config.typesOut !== undefined) {
          const { refreshTypesOut } = await import('./schema-files.js')
          await refreshTypesOut(project, session, heads)
        }
        return { steps: steps.map(summarize), heads }
      })
    } finally {
      checksums.save()
    }
  }
}

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

/** Refuses to run on a database the code cannot vouch for (see `mig check`). */
async function guardIntegrity(
  scripts: ScriptDirectory,
  current: readonly string[],
  history: readonly import('../runtime/history-table.js').HistoryFacts[],
  options: { readonly ignoreChecksums: boolean; readonly checksums: ChecksumSource },
): Promise<void> {
  const [{ inspectIntegrity, integrityProblem }, { checkFailure }] = await Promise.all([
    import('../runtime/integrity.js'),
    import('./check.js'),
  ])
  const report = inspectIntegrity(scripts, current, history, {
    pending: false,
    checksum: options.checksums.checksum,
    legacyChecksum: options.checksums.legacyChecksum,
  })
  const failure = checkFailure(integrityProblem(report, options.ignoreChecksums))
  if (failure !== undefined) {
    throw failure.code === 'checksum-mismatch'
      ? new MigraphError(failure.code, `${failure.message} (pass --ignore-checksums to run anyway)`)
      : failure
  }
}

/** `versionTable` as configured and checked: offline SQL names the schema only where the config does. */
function offlineOptions(project: Project, versionTable: VersionTableRef) {
  return {
    dialect: project.dialect(),
    versionTable,
    transactionPerMigration: project.config.transactionPerMigration,
    x: project.options.x,
  }
}

/**
 * True when an identifier names revisions without the current heads (`head`, an id, `label@head`,
 * `label@base`), so a typo is reported before a connection is opened; relative steps (`+1`,
 * `label@-1`) and `current` need the database.
 */
function resolvableWithoutDatabase(target: string): boolean {
  return !/^[+-]|[+-]\d+$|current/.test(target)
}

function splitRange(target: string): { from: string; to: string } | undefined {
  const at = target.indexOf(':')
  if (at === -1) return undefined
  return { from: target.slice(0, at), to: target.slice(at + 1) }
}

/**
 * Where `--sql <from>:` starts: `from` read as the version table's row would be, so that a
 * revision a squash replaces is read as Django reads it (see `ScriptDirectory.forVersions`).
 */
function offlineStart(scripts: ScriptDirectory, from: string, targets: readonly string[]) {
  const view = scripts.forVersions(from === '' ? [] : [from], targets)
  const start = resolveStartingRevisions(view.scripts.map, view.heads[0] ?? null)
  return { scripts: view.scripts, start, stored: view.stored }
}

function headsAfter(scripts: ScriptDirectory, start: readonly string[], steps: readonly MigrationStep[]) {
  let heads = start
  for (const step of steps) heads = applyStep(scripts.map, heads, step).heads
  return heads
}

function summarize(step: MigrationStep): StepSummary {
  return {
    direction: step.direction,
    revision: step.revision,
    from: step.fromRevisions,
    to: step.toRevisions,
    stamp: step.isStamp,
    message: step.message,
  }
}
