import { compareSchema, parseRenames, SCHEMA_SOURCE_FORMS } from '@migraph/core'
import { createOfflineSink } from '@migraph/operations'
import type { CommandModule } from 'yargs'
import { terminalRenamePrompt } from '../confirm-prompt.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface DiffArgv extends GlobalArgv {
  readonly sql?: boolean
  readonly rename?: string[]
  readonly shadow?: boolean
  readonly from?: string
  readonly to?: string
}

/**
 * `mig diff [--from SRC] [--to SRC]`: what differs between two schemas, by default the database
 * (at its heads) and the declared schema.
 */
export function diffCommand(state: CliState): CommandModule<GlobalArgv, DiffArgv> {
  return {
    command: 'diff',
    describe: 'Show the differences between two schemas (default: the database and the declared schema)',
    builder: (y) =>
      commandHelp(y, 'diff')
        .option('from', {
          type: 'string',
          describe: `the schema to start from (default: the database at its heads): ${SCHEMA_SOURCE_FORMS}`,
        })
        .option('to', { type: 'string', describe: 'the schema to reach (default: declared); same forms' })
        .option('sql', {
          type: 'boolean',
          describe: 'print the SQL that turns the first schema into the second',
        })
        .option('rename', {
          type: 'string',
          array: true,
          describe: 'old:new (table) or table.old:new (column) is a rename',
        })
        .option('shadow', {
          type: 'boolean',
          describe:
            'compare the schema the revisions produce (replayed on a throwaway database), not the database',
        })
        .conflicts('shadow', 'from'),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const flush = (project.environment.reporter as { flush?: () => void }).flush
        const { diff, lines, heads, from, to } = await compareSchema(project, {
          renames: parseRenames(argv.rename ?? []),
          shadow: argv.shadow,
          from: argv.from,
          to: argv.to,
          askRename: io.json ? undefined : terminalRenamePrompt(io.streams, () => flush?.()),
        })
        if (io.json) {
          return io.printJson({
            from,
            to,
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
        io.say(`Comparing ${from.label} with ${to.label}`)
        if (lines.length === 0) return io.say('No changes in schema detected.')
        for (const line of lines) io.print(line)
      }),
  }
}
