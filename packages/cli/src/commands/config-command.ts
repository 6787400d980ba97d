import { configReport, redactSecrets, urlSecrets } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

/** `mig config`: the resolved configuration, each value with its source; never connects. */
export function configCommand(state: CliState): CommandModule<GlobalArgv, GlobalArgv> {
  return {
    command: 'config',
    describe: 'Show the resolved configuration (password masked) and where each value came from',
    builder: (y) => commandHelp(y, 'config'),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const report = configReport(project)
        // A hook command may spell out the URL; its password is masked like everywhere else.
        const url = project.options.url ?? project.config.url
        const secrets = url === undefined ? [] : urlSecrets(url)
        const mask = (text: string) => redactSecrets(text, secrets)
        if (io.json) return io.printJson(JSON.parse(mask(JSON.stringify(report))))
        io.print(`Config file: ${report.file ?? '(none)'}`)
        io.print(
          report.environment === null
            ? 'Environment: (none)'
            : `Environment: ${report.environment.name} (${report.environment.source})`,
        )
        const width = Math.max(...report.values.map((v) => v.key.length))
        for (const { key, value, source } of report.values) {
          const shown = Array.isArray(value) ? value.join(', ') || '(none)' : String(value ?? '(none)')
          io.print(mask(`${key.padEnd(width)}  ${shown}  [${source}]`))
        }
      }),
  }
}
