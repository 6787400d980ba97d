import { applyStep, type MigrationStep, resolveStartingRevisions } from '@migraph/graph'
import type { Project } from '../context.js'
import type { VersionTableRef } from '../dialects/dialect.js'
import type { RehearsedStep } from '../runtime/dry-run.js'
import type { ScriptDirectory } from '../script/script-directory.js'

// The runtime pulls in Kysely and the operations compilers; graph-only commands never load it.
export const runtime = () =>
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

/** `versionTable` as configured and checked: offline SQL names the schema only where the config does. */
export function offlineOptions(project: Project, versionTable: VersionTableRef) {
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
export function resolvableWithoutDatabase(target: string): boolean {
  return !/^[+-]|[+-]\d+$|current/.test(target)
}

export function splitRange(target: string): { from: string; to: string } | undefined {
  const at = target.indexOf(':')
  if (at === -1) return undefined
  return { from: target.slice(0, at), to: target.slice(at + 1) }
}

/**
 * Where `--sql <from>:` starts: `from` read as the version table's row would be, so that a
 * revision a squash replaces is read as Django reads it (see `ScriptDirectory.forVersions`).
 */
export function offlineStart(scripts: ScriptDirectory, from: string, targets: readonly string[]) {
  const view = scripts.forVersions(from === '' ? [] : [from], targets)
  const start = resolveStartingRevisions(view.scripts.map, view.heads[0] ?? null)
  return { scripts: view.scripts, start, stored: view.stored }
}

export function headsAfter(
  scripts: ScriptDirectory,
  start: readonly string[],
  steps: readonly MigrationStep[],
) {
  let heads = start
  for (const step of steps) heads = applyStep(scripts.map, heads, step).heads
  return heads
}

export function summarize(step: MigrationStep): StepSummary {
  return {
    direction: step.direction,
    revision: step.revision,
    from: step.fromRevisions,
    to: step.toRevisions,
    stamp: step.isStamp,
    message: step.message,
  }
}
