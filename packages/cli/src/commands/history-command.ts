import { CommandError, history, revisionPath } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { formatRevisionBlock, formatRevisionLine, revisionJson } from '../format.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface HistoryArgv extends GlobalArgv {
  readonly revRange?: string
  readonly verbose?: boolean
  readonly indicateCurrent?: boolean
}

/** How history prints a revision: one options object for every line. */
const LINE = { includeBranches: true, includeDoc: true, includeParents: true } as const

/** `mig history [-r start:end]`: the revisions, newest first. */
export function historyCommand(state: CliState): CommandModule<GlobalArgv, HistoryArgv> {
  return {
    command: 'history',
    describe: 'List revisions in order, newest first',
    builder: (y) =>
      commandHelp(y, 'history')
        .option('rev-range', { alias: 'r', type: 'string', describe: '[start]:[end], e.g. -r-3:current' })
        .option('verbose', { alias: 'v', type: 'boolean' })
        .option('indicate-current', {
          alias: 'i',
          type: 'boolean',
          describe: 'mark the current revision(s)',
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await history(project, { range: argv.revRange, indicateCurrent: argv.indicateCurrent })
        if (io.json) return io.printJson(result.map(revisionJson))
        // One write: a line at a time costs a system call per revision.
        const lines =
          argv.verbose === true
            ? result.map((info) => formatRevisionBlock(info))
            : result.map((info) => formatRevisionLine(info, LINE))
        if (lines.length > 0) io.print(lines.join('\n'))
      }),
  }
}

interface EditArgv extends GlobalArgv {
  readonly revision: string
}

/** `mig edit <rev>`: open a revision file in `$EDITOR`. */
export function editCommand(state: CliState): CommandModule<GlobalArgv, EditArgv> {
  return {
    command: 'edit <revision>',
    describe: 'Open a revision file in $EDITOR',
    builder: (y) => commandHelp(y, 'edit').positional('revision', { type: 'string', demandOption: true }),
    handler: (argv) =>
      withProject(
        state,
        argv,
        async (project, io) => {
          const path = await revisionPath(project, { revision: String(argv.revision) })
          const editor = process.env.VISUAL || process.env.EDITOR
          if (editor === undefined || editor === '') {
            throw new CommandError(`set $EDITOR to open ${path}`)
          }
          // Loaded here: `node:child_process` costs every other command a few milliseconds.
          const { spawnSync } = process.getBuiltinModule('node:child_process')
          const result = spawnSync(editor, [path], { stdio: 'inherit', shell: false })
          if (result.error !== undefined)
            throw new CommandError(`cannot run editor '${editor}': ${result.error.message}`)
          if (io.json) io.printJson({ path })
        },
        { oneDatabase: 'edit' },
      ),
  }
}
