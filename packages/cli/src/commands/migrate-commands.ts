import { CommandError, downgrade, type MigrateResult, type Project, upgrade } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { duration } from '../reporter.js'
import type { CliState, CommandIo, GlobalArgv } from '../run.js'
import { type FleetArgv, fleetOptions, withFleet } from './fleet.js'

interface MigrateArgv extends FleetArgv {
  readonly revision: string
  readonly sql?: boolean
  readonly ignoreChecksums?: boolean
  readonly dryRun?: boolean
}

/** Prints a run's result: the SQL with `--sql`, the JSON document with `--json`, else nothing. */
export function printMigrateResult(io: CommandIo, result: MigrateResult): void {
  if (io.json) {
    io.printJson({
      steps: result.steps.map((s) => ({
        from: s.from,
        to: s.to,
        direction: s.direction,
        revision: s.revision,
        ...(s.stamp ? { stamp: true } : {}),
      })),
      heads: result.heads,
      ...(result.sql === undefined ? {} : { sql: result.sql }),
      ...(result.dryRun === undefined ? {} : { dryRun: result.dryRun }),
    })
  } else if (result.sql !== undefined) {
    io.streams.stdout.write(result.sql)
  } else if (result.dryRun !== undefined) {
    printDryRun(io, result)
  }
  const failed = result.dryRun?.find((step) => step.outcome === 'failed')
  if (failed !== undefined) {
    throw new CommandError(
      `dry run: revision ${failed.revision} would fail (${failed.error}); everything was rolled back`,
    )
  }
}

const OUTCOME = { ok: 'ok', failed: 'failed', skipped: 'skipped', 'not-run': 'not run' } as const

/** One line per step: what the rehearsal found, and why a step did not run. */
function printDryRun(io: CommandIo, result: MigrateResult): void {
  const outcomes = new Map(result.dryRun?.map((step) => [step.revision, step]))
  const count = result.steps.length
  io.print(
    count === 0
      ? 'Dry run: nothing to run'
      : `Dry run: ${count} step${count === 1 ? '' : 's'}, all rolled back`,
  )
  for (const step of result.steps) {
    const rehearsed = outcomes.get(step.revision)
    const outcome = rehearsed?.outcome ?? 'ok'
    const verb = step.direction === 'up' ? 'upgrade' : 'downgrade'
    const what = `${verb} ${step.from.join(', ')} -> ${step.to.join(', ')}${step.message === '' ? '' : `, ${step.message}`}`
    const why =
      outcome === 'ok'
        ? ` (${duration(rehearsed?.durationMs ?? 0)})`
        : outcome === 'skipped'
          ? ': transactional = false, listed but not run'
          : outcome === 'not-run'
            ? ': not run after the failure above'
            : `: ${rehearsed?.error}`
    io.print(`  ${OUTCOME[outcome].padEnd(8)} ${what}${why}`)
  }
}

const DONE = {
  upgrade: ['Upgraded', 'applied'],
  downgrade: ['Downgraded', 'reverted'],
} as const

/**
 * The line that ends a run on stderr: what it did, how long it took, and to which database
 * (`Upgraded postgres://app:***@db/app to ae10 (head): 3 revisions applied in 1.24 s`). None for
 * `--sql`, which runs nothing.
 */
export function printMigrateSummary(
  io: CommandIo,
  kind: keyof typeof DONE | 'stamp',
  project: Project,
  result: MigrateResult,
  durationMs: number,
): void {
  if (result.sql !== undefined) return
  const where = project.target().display
  const heads = result.heads.length === 0 ? 'base' : result.heads.join(', ')
  if (result.steps.length === 0) {
    io.note(`Nothing to ${kind}: ${where} is at ${heads}`)
    return
  }
  const took = duration(durationMs)
  if (kind === 'stamp') {
    io.note(`${io.paint('green', 'Stamped')} ${where} at ${heads} in ${took} (no revision ran)`)
    return
  }
  const [verb, participle] = DONE[kind]
  const ran = result.steps.filter((step) => step.stamp !== true).length
  const count = `${ran} revision${ran === 1 ? '' : 's'} ${participle}`
  io.note(`${io.paint('green', verb)} ${where} to ${heads}: ${count} in ${took}`)
}

function migrateCommand(
  state: CliState,
  name: 'upgrade' | 'downgrade',
  run: typeof upgrade,
): CommandModule<GlobalArgv, MigrateArgv> {
  return {
    command: `${name} <revision>`,
    describe:
      name === 'upgrade'
        ? 'Upgrade to a later revision (head, heads, an id, +N, label@head)'
        : 'Revert to a previous revision (-N, an id, base)',
    builder: (y) =>
      fleetOptions(commandHelp(y, name))
        .positional('revision', { type: 'string', demandOption: true, describe: 'target revision' })
        .option('sql', {
          type: 'boolean',
          describe: 'print the SQL instead of running it (accepts from:to); never connects',
        })
        .option('dry-run', {
          type: 'boolean',
          describe: 'run each transactional revision in a transaction, then roll it all back',
        })
        .option('ignore-checksums', {
          type: 'boolean',
          describe: 'run even though applied revision files changed since they ran',
        }),
    handler: (argv) =>
      withFleet(
        state,
        argv,
        {
          work: async (target) => {
            const result = await run(target, {
              target: String(argv.revision),
              ignoreChecksums: argv.ignoreChecksums,
            })
            return { from: result.steps[0]?.from ?? result.heads, to: result.heads }
          },
          writes: true,
          refusal: argv.sql === true ? '--sql renders one script; it does not go with --all' : undefined,
        },
        async (project, io) => {
          const started = performance.now()
          const result = await run(project, {
            target: String(argv.revision),
            sql: argv.sql,
            ignoreChecksums: argv.ignoreChecksums,
            dryRun: argv.dryRun,
          })
          printMigrateResult(io, result)
          if (result.dryRun !== undefined) return
          printMigrateSummary(io, name, project, result, performance.now() - started)
        },
      ),
  }
}

/** `mig upgrade <revision>`. */
export const upgradeCommand = (state: CliState) => migrateCommand(state, 'upgrade', upgrade)
/** `mig downgrade <revision>`. */
export const downgradeCommand = (state: CliState) => migrateCommand(state, 'downgrade', downgrade)
