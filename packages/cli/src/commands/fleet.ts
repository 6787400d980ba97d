import { loadTargets, type Project, runFleet, type TargetOutcome, type TargetWork } from '@migraph/core'
import type { Argv } from 'yargs'
import { exitCodeFor } from '../exit-codes.js'
import { duration } from '../reporter.js'
import { type CliState, type CommandIo, type GlobalArgv, UsageError, withProject } from '../run.js'

/** The options of a command that can run over a fleet (`--all`). */
export interface FleetArgv extends GlobalArgv {
  readonly all?: boolean
  readonly parallel?: number
  readonly failFast?: boolean
}

/** How many targets run at once when `--parallel` is not given. */
export const DEFAULT_PARALLEL = 4

/** Adds `--all`, `--parallel N` and `--fail-fast` to a command. */
export function fleetOptions<T>(y: Argv<T>): Argv<T & FleetArgv> {
  return y
    .option('all', { type: 'boolean', describe: "every target of the config's 'targets' (a fleet)" })
    .option('parallel', {
      type: 'number',
      describe: `with --all: targets run at once, each with its own connection and lock (default ${DEFAULT_PARALLEL})`,
    })
    .option('fail-fast', {
      type: 'boolean',
      describe: 'with --all: start no target after one fails',
    }) as Argv<T & FleetArgv>
}

/** Whether the command line asks for a fleet run (any fleet option: the others are checked). */
function wantsFleet(argv: FleetArgv): boolean {
  return argv.all === true || argv.parallel !== undefined || argv.failFast === true
}

/** What a command does on each target when it runs over a fleet (`--all`). */
export interface FleetWork {
  readonly work: (target: Project) => Promise<TargetWork>
  /** Whether the command writes: a run that writes names its targets first. */
  readonly writes: boolean
  /** Why this command line cannot run over a fleet, when it cannot. */
  readonly refusal?: string | undefined
}

/**
 * {@link withProject} for a command that can run over a fleet: with a fleet option, `fleet.work`
 * runs on every target (see {@link runOverFleet}); without, `single` runs once on the project.
 */
export function withFleet(
  state: CliState,
  argv: FleetArgv,
  fleet: FleetWork,
  single: (project: Project, io: CommandIo) => Promise<void>,
): Promise<void> {
  return withProject(state, argv, async (project, io) => {
    if (!wantsFleet(argv)) return single(project, io)
    if (fleet.refusal !== undefined) throw new UsageError(fleet.refusal)
    return runOverFleet(state, project, io, argv, fleet.work, { writes: fleet.writes })
  })
}

/**
 * Runs a command over every target of the fleet: progress on stderr (one line per target, or
 * one live line on a terminal), then the summary table on stdout (or one JSON document), and
 * a non-zero exit status when any target failed: the status of the first failure's code.
 */
async function runOverFleet(
  state: CliState,
  project: Project,
  io: CommandIo,
  argv: FleetArgv,
  work: (target: Project) => Promise<TargetWork>,
  options: { readonly writes: boolean },
): Promise<void> {
  if (argv.parallel !== undefined && argv.all !== true) throw new UsageError('--parallel goes with --all')
  if (argv.failFast === true && argv.all !== true) throw new UsageError('--fail-fast goes with --all')
  const parallel = argv.parallel ?? DEFAULT_PARALLEL
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new UsageError(
      `--parallel must be a whole number of targets, 1 or more, got ${String(argv.parallel)}`,
    )
  }
  const targets = await loadTargets(project)
  if (options.writes) {
    const names = targets.slice(0, 3).map((t) => t.name)
    const more = targets.length > 3 ? `, … ${targets.length - 3} more` : ''
    project.environment.reporter.info(
      `Target database: ${targets.length} fleet target(s) (${names.join(', ')}${more}), ${parallel} at a time`,
    )
  }
  const started = performance.now()
  const progress = fleetProgress(io, argv)
  const outcomes = await runFleet(project, targets, work, {
    parallel,
    failFast: argv.failFast,
    onOutcome: progress.outcome,
  })
  progress.end()
  const counts = { ok: 0, failed: 0, skipped: 0 }
  for (const outcome of outcomes) counts[outcome.result]++
  if (io.json) {
    io.printJson({ targets: outcomes, ...counts })
  } else {
    io.print(summaryTable(outcomes))
  }
  const took = duration(performance.now() - started)
  const line = `${targets.length} target(s): ${counts.ok} ok, ${counts.failed} failed, ${counts.skipped} skipped in ${took}`
  io.note(counts.failed > 0 ? io.paint('red', line) : io.paint('green', line))
  const failed = outcomes.find((o) => o.result === 'failed')
  if (failed !== undefined) state.exitCode = exitCodeFor(failed.error)
}

/** One line per target off a terminal; on one, a line rewritten in place, failures kept. */
function fleetProgress(io: CommandIo, argv: FleetArgv) {
  const silent = io.json || argv.quiet === true
  const live = !silent && io.streams.stderr.isTTY === true
  const stderr = io.streams.stderr
  let failed = 0
  return {
    outcome: (outcome: TargetOutcome, done: number, total: number) => {
      if (silent) return
      if (outcome.result === 'failed') failed++
      const where = `[${String(done).padStart(String(total).length)}/${total}]`
      const text = `${where} ${describeOutcome(outcome)}`
      if (!live) {
        stderr.write(`${text}\n`)
        return
      }
      if (outcome.result === 'failed') stderr.write(`\r\x1b[K${io.paint('red', text)}\n`)
      stderr.write(`\r\x1b[K${where} ${done - failed} ok, ${failed} failed; last: ${outcome.target}`)
    },
    end: () => {
      if (live) stderr.write('\r\x1b[K')
    },
  }
}

function describeOutcome(outcome: TargetOutcome): string {
  const took = duration(outcome.durationMs)
  if (outcome.result === 'failed') {
    return `${outcome.target}: failed (${outcome.error?.code}): ${outcome.error?.message} (${took})`
  }
  return `${outcome.target}: ${heads(outcome.from)} -> ${heads(outcome.to)} (${took})`
}

const heads = (list: readonly string[] | null) =>
  list === null ? '?' : list.length === 0 ? 'base' : list.join(',')

/** target, from, to, result, duration: one row per target, in the targets' order. */
function summaryTable(outcomes: readonly TargetOutcome[]): string {
  const rows = [
    ['TARGET', 'FROM', 'TO', 'RESULT', 'DURATION'],
    ...outcomes.map((o) => [
      o.target,
      heads(o.from),
      heads(o.to),
      o.result === 'failed' ? `failed: ${o.error?.code}` : o.result,
      o.result === 'skipped' ? '-' : duration(o.durationMs),
    ]),
  ]
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
