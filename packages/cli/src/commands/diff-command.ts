import { compareSchema, parseRenames } from '@migraph/core'
import { createOfflineSink } from '@migraph/operations'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface DiffArgv extends GlobalArgv {
  readonly sql?: boolean
  readonly rename?: string[]
  readonly shadow?: boolean
}

/** `mig diff`: what differs between the database (at its heads) and the declared schema. */
export function diffCommand(state: CliState): CommandModule<GlobalArgv, DiffArgv> {
  return {
    command: 'diff',
    describe: 'Show the differences between the database and the declared schema (config schema)',
    builder: (y) =>
      commandHelp(y, 'diff')
        .option('sql', { type: 'boolean', describe: 'print the SQL that would make the database match' })
        .option('rename', {
          type: 'string',
          array: true,
          describe: 'old:new (table) or table.old:new (column) is a rename',
        })
        .option('shadow', {
          type: 'boolean',
          describe:
            'compare the schema the revisions produce (replayed on a throwaway database), not the database',
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const { diff, lines, heads } = await compareSchema(project, {
          renames: parseRenames(argv.rename ?? []),
          shadow: argv.shadow,
        })
        if (io.json) {
          return io.printJson({
            heads,
            differences: diff.differences,
            renameCandidates: diff.renameCandidates,
            irreversible: diff.irreversible,
          })
        }
        if (argv.sql === true) {
          const sink = createOfflineSink(project.dialect().sqlFlavour, { write: (s) => io.print(s) })
          for (const step of diff.upgrade) await sink.run(step.op)
          return
        }
        if (lines.length === 0) return io.say('No changes in schema detected.')
        for (const line of lines) io.print(line)
      }),
  }
}
