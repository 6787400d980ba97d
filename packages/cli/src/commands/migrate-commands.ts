import { downgrade, type MigrateResult, upgrade } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { type CliState, type CommandIo, type GlobalArgv, withProject } from '../run.js'

interface MigrateArgv extends GlobalArgv {
  readonly revision: string
  readonly sql?: boolean
  readonly ignoreChecksums?: boolean
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
    })
  } else if (result.sql !== undefined) {
    io.streams.stdout.write(result.sql)
  }
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
      y
        .positional('revision', { type: 'string', demandOption: true, describe: 'target revision' })
        .option('sql', {
          type: 'boolean',
          describe: 'print the SQL instead of running it (accepts from:to); never connects',
        })
        .option('ignore-checksums', {
          type: 'boolean',
          describe: 'run even though applied revision files changed since they ran',
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        printMigrateResult(
          io,
          await run(project, {
            target: String(argv.revision),
            sql: argv.sql,
            ignoreChecksums: argv.ignoreChecksums,
          }),
        )
      }),
  }
}

/** `mig upgrade <revision>`. */
export const upgradeCommand = (state: CliState) => migrateCommand(state, 'upgrade', upgrade)
/** `mig downgrade <revision>`. */
export const downgradeCommand = (state: CliState) => migrateCommand(state, 'downgrade', downgrade)
