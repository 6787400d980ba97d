import { ensureVersion, stamp } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'
import { printMigrateResult, printMigrateSummary } from './migrate-commands.js'

interface StampArgv extends GlobalArgv {
  readonly revisions: string[]
  readonly sql?: boolean
  readonly purge?: boolean
}

/** `mig stamp <revs...>`: record revisions as applied without running them. */
export function stampCommand(state: CliState): CommandModule<GlobalArgv, StampArgv> {
  return {
    command: 'stamp <revisions..>',
    describe: 'Set the version table to the given revisions without running any migration',
    builder: (y) =>
      commandHelp(y, 'stamp')
        .positional('revisions', { type: 'string', array: true, demandOption: true })
        .option('sql', { type: 'boolean', describe: 'print the SQL instead of running it' })
        .option('purge', { type: 'boolean', describe: 'delete every row of the version table first' }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const revisions = argv.revisions.map(String)
        const started = performance.now()
        const result = await stamp(project, { revisions, sql: argv.sql, purge: argv.purge })
        printMigrateResult(io, result)
        printMigrateSummary(io, 'stamp', project, result, performance.now() - started)
      }),
  }
}

interface EnsureArgv extends GlobalArgv {
  readonly sql?: boolean
}

/** `mig ensure-version`: create the version table if it is missing. */
export function ensureVersionCommand(state: CliState): CommandModule<GlobalArgv, EnsureArgv> {
  return {
    command: 'ensure-version',
    describe: 'Create the version table if it does not exist',
    builder: (y) =>
      commandHelp(y, 'ensure-version').option('sql', {
        type: 'boolean',
        describe: 'print the SQL instead of running it',
      }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await ensureVersion(project, { sql: argv.sql === true })
        if (io.json) return io.printJson(result)
        if (result.sql !== undefined) io.streams.stdout.write(result.sql)
      }),
  }
}
