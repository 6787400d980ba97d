import { autogenerateRevision, merge, parseRenames, revision } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { terminalRenamePrompt } from '../confirm-prompt.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, UsageError, withProject } from '../run.js'

const FORMAT_OPTION = {
  type: 'string',
  choices: ['ts', 'sql'],
  describe: "file format of the new revision (default: the config's revisionFormat, else ts)",
} as const

interface RevisionArgv extends GlobalArgv {
  readonly message?: string
  readonly head?: string
  readonly splice?: boolean
  readonly branchLabel?: string[]
  readonly versionPath?: string
  readonly revId?: string
  readonly dependsOn?: string[]
  readonly autogenerate?: boolean
  readonly rename?: string[]
  readonly shadow?: boolean
  readonly format?: 'ts' | 'sql'
}

/** `mig revision -m MSG`: write a new revision file after the current head. */
export function revisionCommand(state: CliState): CommandModule<GlobalArgv, RevisionArgv> {
  return {
    command: 'revision',
    describe: 'Create a new revision file',
    builder: (y) =>
      commandHelp(y, 'revision')
        .option('message', { alias: 'm', type: 'string', describe: 'message, also the file name slug' })
        .option('head', { type: 'string', describe: 'revision the new one follows (default: head)' })
        .option('splice', { type: 'boolean', describe: 'allow --head to be a non-head revision' })
        .option('branch-label', {
          type: 'string',
          array: true,
          describe: 'branch label for the new revision',
        })
        .option('version-path', { type: 'string', describe: 'versions folder to write into' })
        .option('rev-id', { type: 'string', describe: 'revision id instead of a random one' })
        .option('depends-on', { type: 'string', array: true, describe: 'revisions this one depends on' })
        .option('autogenerate', {
          type: 'boolean',
          describe: 'fill upgrade/downgrade from the differences between the database and config schema',
        })
        .option('rename', {
          type: 'string',
          array: true,
          describe: 'with --autogenerate: old:new (table) or table.old:new (column) is a rename',
        })
        .option('shadow', {
          type: 'boolean',
          describe: 'with --autogenerate: start from the schema the revisions produce, not the database',
        })
        .option('format', FORMAT_OPTION),
    handler: (argv) =>
      withProject(
        state,
        argv,
        async (project, io) => {
          const common = {
            message: argv.message,
            head: argv.head,
            splice: argv.splice,
            branchLabels: argv.branchLabel,
            versionPath: argv.versionPath,
            revId: argv.revId,
            dependsOn: argv.dependsOn,
          }
          if (argv.autogenerate === true) {
            if (argv.format === 'sql')
              throw new UsageError('--autogenerate writes a TypeScript revision: drop --format sql')
            const renames = parseRenames(argv.rename ?? [])
            const flush = (project.environment.reporter as { flush?: () => void }).flush
            const askRename = io.json ? undefined : terminalRenamePrompt(io.streams, () => flush?.())
            const generated = await autogenerateRevision(project, {
              ...common,
              renames,
              shadow: argv.shadow,
              askRename,
            })
            if (io.json) return io.printJson({ ...generated.written, differences: generated.lines })
            for (const line of generated.lines) io.note(line)
            if (generated.written === undefined) return io.say('No changes in schema detected.')
            return io.say(`Generating ${generated.written.path} ...  done`)
          }
          if (argv.rename !== undefined) throw new UsageError('--rename needs --autogenerate')
          if (argv.shadow !== undefined) throw new UsageError('--shadow needs --autogenerate')
          const result = await revision(project, { ...common, format: argv.format })
          if (io.json) return io.printJson(result)
          io.say(`Generating ${result.path} ...  done`)
        },
        { oneDatabase: 'revision' },
      ),
  }
}

interface MergeArgv extends GlobalArgv {
  readonly revisions: string[]
  readonly message?: string
  readonly branchLabel?: string[]
  readonly revId?: string
  readonly format?: 'ts' | 'sql'
}

/** `mig merge <revs...>`: a revision that joins several heads. */
export function mergeCommand(state: CliState): CommandModule<GlobalArgv, MergeArgv> {
  return {
    command: 'merge <revisions..>',
    describe: 'Merge two or more revisions (usually heads) into one',
    builder: (y) =>
      commandHelp(y, 'merge')
        .positional('revisions', { type: 'string', array: true, demandOption: true })
        .option('message', { alias: 'm', type: 'string' })
        .option('branch-label', { type: 'string', array: true })
        .option('rev-id', { type: 'string' })
        .option('format', FORMAT_OPTION),
    handler: (argv) =>
      withProject(
        state,
        argv,
        async (project, io) => {
          const result = await merge(project, {
            revisions: argv.revisions,
            message: argv.message,
            branchLabels: argv.branchLabel,
            revId: argv.revId,
            format: argv.format,
          })
          if (io.json) return io.printJson(result)
          io.say(`Generating ${result.path} ...  done`)
        },
        { oneDatabase: 'merge' },
      ),
  }
}
