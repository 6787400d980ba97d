import { checkDestination, planDowngrade, planUpgrade } from '@migraph/graph'
import type { Project } from '../context.js'
import { CommandError, HookError, MigraphError } from '../errors.js'
import type { ChecksumSource } from '../runtime/checksum.js'
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
import {
  headsAfter,
  type MigrateResult,
  offlineOptions,
  offlineStart,
  resolvableWithoutDatabase,
  runtime,
  type StepSummary,
  splitRange,
  summarize,
} from './migrate-support.js'

export type { MigrateResult, StepSummary } from './migrate-support.js'
export { ensureVersion, type StampArgs, stamp } from './stamp.js'

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
        const { appliedByHistory } = await import('../runtime/history-replay.js')
        const view = scripts.forVersions(state.heads, [args.target], appliedByHistory(state.history))
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
