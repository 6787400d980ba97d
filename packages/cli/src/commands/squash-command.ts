import { squash } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface SquashArgv extends GlobalArgv {
  readonly range: string
  readonly message?: string
  readonly revId?: string
}

/** `mig squash <from>:<to> -m MSG`: one revision in place of a line of revisions. */
export function squashCommand(state: CliState): CommandModule<GlobalArgv, SquashArgv> {
  return {
    command: 'squash <range>',
    describe: 'Write one revision that replaces a line of revisions (<from>:<to>)',
    builder: (y) =>
      commandHelp(y, 'squash')
        .positional('range', { type: 'string', demandOption: true, describe: '<from>:<to>, oldest first' })
        .option('message', { alias: 'm', type: 'string', describe: 'message, also the file name slug' })
        .option('rev-id', { type: 'string', describe: 'revision id instead of a random one' }),
    handler: (argv) =>
      withProject(
        state,
        argv,
        async (project, io) => {
          const result = await squash(project, {
            range: argv.range,
            message: argv.message,
            revId: argv.revId,
          })
          if (io.json) return io.printJson(result)
          io.say(`Generating ${result.path} ...  done`)
          io.say(`Replaces: ${result.replaces.join(', ')}`)
        },
        { oneDatabase: 'squash' },
      ),
  }
}
