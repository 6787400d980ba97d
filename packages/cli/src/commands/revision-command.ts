import { merge, revision } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface RevisionArgv extends GlobalArgv {
  readonly message?: string
  readonly head?: string
  readonly splice?: boolean
  readonly branchLabel?: string[]
  readonly versionPath?: string
  readonly revId?: string
  readonly dependsOn?: string[]
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
        .option('depends-on', { type: 'string', array: true, describe: 'revisions this one depends on' }),
    handler: (argv) =>
      withProject(
        state,
        argv,
        async (project, io) => {
          const result = await revision(project, {
            message: argv.message,
            head: argv.head,
            splice: argv.splice,
            branchLabels: argv.branchLabel,
            versionPath: argv.versionPath,
            revId: argv.revId,
            dependsOn: argv.dependsOn,
          })
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
        .option('rev-id', { type: 'string' }),
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
          })
          if (io.json) return io.printJson(result)
          io.say(`Generating ${result.path} ...  done`)
        },
        { oneDatabase: 'merge' },
      ),
  }
}
