import { importProject } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface ImportArgv extends GlobalArgv {
  readonly tool: string
  readonly folder: string
  readonly stamp?: boolean
  readonly table?: string
}

/** `mig import <tool> <folder>`: another tool's migrations as a chain of revisions. */
export function importCommand(state: CliState): CommandModule<GlobalArgv, ImportArgv> {
  return {
    command: 'import <tool> <folder>',
    describe: "Turn another tool's migrations into revisions (kysely, knex, alembic, pycopg, …)",
    builder: (y) =>
      commandHelp(y, 'import')
        .positional('tool', { type: 'string', demandOption: true })
        .positional('folder', { type: 'string', demandOption: true })
        .option('stamp', {
          type: 'boolean',
          describe: "stamp the revisions the tool's tracking table records as applied",
        })
        .option('table', { type: 'string', describe: "the tool's tracking table, when renamed" }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await importProject(project, {
          tool: argv.tool,
          folder: argv.folder,
          stamp: argv.stamp,
          table: argv.table,
        })
        if (io.json) return io.printJson(result)
        for (const r of result.revisions) io.say(`Generating ${r.path} (from ${r.source}) ...  done`)
        const count = result.revisions.length
        io.say(`Imported ${count} ${result.tool} migration${count === 1 ? '' : 's'}`)
        if (result.stamped) {
          const applied = result.revisions.filter((r) => r.applied).length
          io.say(
            `Stamped ${result.stampTargets.join(', ')}: the ${applied} migration(s) ${result.tool} recorded as applied`,
          )
        } else if (result.sameIds) {
          io.say(
            `The revisions keep ${result.tool}'s ids: on a database it migrated, run 'mig stamp' with the revisions its version table holds, or import with --stamp`,
          )
        } else if (result.stampTarget !== null) {
          io.say(
            `A database ${result.tool} migrated: run 'mig stamp <revision of its last applied migration>' (the last one is ${result.stampTarget}), or import with --stamp`,
          )
        }
      }),
  }
}
