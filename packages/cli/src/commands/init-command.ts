import { basename } from 'node:path'
import { init, listTemplates } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withoutProject } from '../run.js'

interface InitArgv extends GlobalArgv {
  readonly directory?: string
  readonly template?: string
}

/** `mig init [dir]`: write migrate.config.ts and a versions folder from a template. */
export function initCommand(state: CliState): CommandModule<GlobalArgv, InitArgv> {
  return {
    command: 'init [directory]',
    describe: 'Create a migration environment (migrate.config.ts and a migrations folder)',
    builder: (y) =>
      commandHelp(y, 'init')
        .positional('directory', { type: 'string', describe: 'project folder (default: current folder)' })
        .option('template', {
          alias: 't',
          type: 'string',
          default: 'generic',
          describe: 'environment template',
        }),
    handler: (argv) =>
      withoutProject(state, argv, async (io, environment) => {
        const result = await init(environment, { directory: argv.directory, template: argv.template })
        if (io.json) return io.printJson(result)
        for (const path of result.created) io.say(`Created ${path}`)
        const { path, added } = result.gitignore
        if (added.length > 0) io.say(`Added ${added.join(' and ')} to ${path}`)
        const config = basename(result.config)
        const where = config === 'package.json' ? 'the "migraph" key of package.json' : config
        io.say(
          `Edit ${where} to set the database URL (or keep the embedded default), then run 'mig revision -m "..."'.`,
        )
      }),
  }
}

/** `mig list-templates`: the environment templates `init` can use. */
export function listTemplatesCommand(state: CliState): CommandModule<GlobalArgv, GlobalArgv> {
  return {
    command: 'list-templates',
    describe: 'List the environment templates available to init',
    builder: (y) => commandHelp(y, 'list-templates'),
    handler: (argv) =>
      withoutProject(state, argv, async (io) => {
        const templates = listTemplates()
        if (io.json) return io.printJson(templates)
        io.print('Available templates:\n')
        for (const t of templates) io.print(`${t.name} - ${t.description}`)
        io.print(
          "\nTemplates are used via the 'init' command, e.g.:\n\n  mig init --template generic ./project",
        )
      }),
  }
}
