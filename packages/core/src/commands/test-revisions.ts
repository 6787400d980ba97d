import { historyRange, type MigrationStep, planUpgrade, revisionStep } from '@migraph/graph'
import type { Project, Reporter } from '../context.js'
import { CommandError, MigraphError } from '../errors.js'
import { disposableDatabase } from '../schema/disposable-database.js'

/** What `mig test` found wrong with one revision. */
export type RevisionTestFindingKind =
  /** The upgrade failed on a database at the revisions before it. */
  | 'upgrade-failed'
  /** The downgrade failed right after the upgrade. */
  | 'downgrade-failed'
  /** The downgrade ran and changed nothing, while the upgrade changed the schema. */
  | 'no-downgrade'
  /** The downgrade ran but did not give back the schema from before the upgrade. */
  | 'not-reversible'
  /** The upgrade, run again after the downgrade, failed or gave another schema. */
  | 'not-repeatable'

export interface RevisionTestFinding {
  readonly revision: string
  readonly kind: RevisionTestFindingKind
  /** One line: what happened. */
  readonly detail: string
  /**
   * The schema differences, one line each (`+` more than expected, `-` missing, `~` changed),
   * as `mig diff` prints them: after the downgrade against before the upgrade, or after the
   * second upgrade against after the first.
   */
  readonly differences: readonly string[]
}

export interface RevisionTestResult {
  readonly revision: string
  readonly message: string
  /** `skipped`: outside the range (applied only), or not reached after an earlier failure. */
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly findings: readonly RevisionTestFinding[]
}

export interface RevisionTestReport {
  /** The disposable database the revisions ran on (password masked). */
  readonly database: string
  readonly results: readonly RevisionTestResult[]
  readonly findings: readonly RevisionTestFinding[]
  /** Revisions checked (status ok or failed). */
  readonly tested: number
}

export interface TestRevisionsArgs {
  /** `[start]:[end]` as `history` takes it; default every revision. */
  readonly range?: string | undefined
  /** Told of each revision once it is checked. */
  readonly onResult?: ((result: RevisionTestResult) => void) | undefined
}

/** Raised by `mig test` when any revision has a finding; carries the whole report. */
export class RevisionTestError extends MigraphError {
  override readonly name: string = 'RevisionTestError'
  readonly report: RevisionTestReport

  constructor(report: RevisionTestReport) {
    const revisions = new Set(report.findings.map((f) => f.revision))
    super(
      'revision-test-failed',
      `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} in ${revisions.size} revision${revisions.size === 1 ? '' : 's'} (${[...revisions].join(', ')})`,
    )
    this.report = report
  }
}

const QUIET: Reporter = { info: () => undefined, warn: () => undefined }

/**
 * `mig test [range]`: proves every revision reversible on a disposable database. In graph order,
 * each revision is upgraded, the schema read, downgraded, the schema compared with the one
 * before (the differences listed exactly), and upgraded again (a data step that cannot run twice
 * fails here) with the schema compared with the first upgrade's. Revisions before the range are
 * applied without checks. The first finding that leaves the database unlike its history ends the
 * run: what follows would be tested on a schema no real database has.
 *
 * The database is never the configured one: an in-memory PGlite for PostgreSQL and PGlite
 * projects, an in-memory SQLite for SQLite ones; with `--url` naming a PostgreSQL or MySQL/MariaDB
 * server, a throwaway database created there and dropped afterwards.
 */
export async function testRevisions(
  project: Project,
  args: TestRevisionsArgs = {},
): Promise<RevisionTestReport> {
  const scripts = await project.scripts()
  const [{ withSession, runSteps }, { diffSchemas, formatDifferences }, { introspectSession }] =
    await Promise.all([runtimeModules(), import('@migraph/schema'), import('../schema/live-schema.js')])
  const inRange =
    args.range === undefined
      ? undefined
      : new Set(historyRange(scripts.map, args.range, []).map((r) => r.revision))
  const steps = planUpgrade(scripts.map, [], 'heads')
  const disposable = await disposableDatabase(
    project,
    project.options.url,
    'mig --url <postgres:// or mysql:// URL> test',
  )
  const testProject = disposable.project
  const results: RevisionTestResult[] = []
  const findings: RevisionTestFinding[] = []
  try {
    await withSession(testProject, { lock: false }, async (session) => {
      const read = () => introspectSession(session)
      const differences = (from: Awaited<ReturnType<typeof read>>, to: Awaited<ReturnType<typeof read>>) =>
        formatDifferences(diffSchemas(from, to))
      const run = (heads: readonly string[], step: MigrationStep) =>
        runSteps(session, scripts, heads, [step], { transactionPerMigration: true, reporter: QUIET })
      let heads: readonly string[] = []
      let stopped = false
      // Nothing after the range needs applying.
      const last =
        inRange === undefined ? steps.length - 1 : steps.findLastIndex((s) => inRange.has(s.revision))
      for (const [index, step] of steps.entries()) {
        if (index > last) stopped = true
        const revision = scripts.map.get(step.revision)
        const message = revision.message ?? ''
        const report = (status: RevisionTestResult['status'], found: RevisionTestFinding[] = []) => {
          const result: RevisionTestResult = { revision: step.revision, message, status, findings: found }
          results.push(result)
          findings.push(...found)
          args.onResult?.(result)
        }
        if (stopped) {
          report('skipped')
          continue
        }
        if (inRange !== undefined && !inRange.has(step.revision)) {
          heads = await run(heads, step).catch((error: unknown) => {
            throw new CommandError(
              `revision ${step.revision}, before the tested range, failed to apply: ${errorText(error)}`,
            )
          })
          report('skipped')
          continue
        }
        const finding = (kind: RevisionTestFindingKind, detail: string, lines: readonly string[] = []) => ({
          revision: step.revision,
          kind,
          detail,
          differences: lines,
        })
        const before = await read()
        let upgraded: readonly string[]
        try {
          upgraded = await run(heads, step)
        } catch (error) {
          report('failed', [finding('upgrade-failed', `upgrade failed: ${errorText(error)}`)])
          stopped = true
          continue
        }
        const after = await read()
        let downgraded: readonly string[]
        try {
          downgraded = await run(upgraded, revisionStep(revision, 'down'))
        } catch (error) {
          report('failed', [finding('downgrade-failed', `downgrade failed: ${errorText(error)}`)])
          stopped = true
          continue
        }
        const reverted = await read()
        const left = differences(before, reverted)
        if (left.length > 0) {
          const nothing = differences(after, reverted).length === 0
          report('failed', [
            nothing
              ? finding(
                  'no-downgrade',
                  'the downgrade changes nothing, but the upgrade changes the schema',
                  left,
                )
              : finding(
                  'not-reversible',
                  'the downgrade does not give back the schema from before the upgrade',
                  left,
                ),
          ])
          stopped = true
          continue
        }
        try {
          heads = await run(downgraded, step)
        } catch (error) {
          report('failed', [
            finding(
              'not-repeatable',
              `the upgrade failed when run again after the downgrade: ${errorText(error)}`,
            ),
          ])
          stopped = true
          continue
        }
        const again = differences(after, await read())
        if (again.length > 0) {
          report('failed', [
            finding(
              'not-repeatable',
              'the upgrade run again after the downgrade gives another schema',
              again,
            ),
          ])
          stopped = true
          continue
        }
        report('ok')
      }
    })
  } finally {
    await disposable.drop()
  }
  const report: RevisionTestReport = {
    database: disposable.display,
    results,
    findings,
    tested: results.filter((r) => r.status !== 'skipped').length,
  }
  return report
}

async function runtimeModules() {
  const [session, runner, history] = await Promise.all([
    import('../runtime/session.js'),
    import('../runtime/runner.js'),
    import('../runtime/history-table.js'),
  ])
  return {
    withSession: session.withSession,
    runSteps: runner.runSteps,
    historyTableOf: history.historyTableOf,
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
