import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { schemaTypes } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface SchemaArgv extends GlobalArgv {
  readonly action: string
  readonly file?: string
}

/** `mig schema types [file]`: derived artefacts of the schema at the heads. */
export function schemaCommand(state: CliState): CommandModule<GlobalArgv, SchemaArgv> {
  return {
    command: 'schema <action> [file]',
    describe: 'Write what the schema at the heads implies: types (a Kysely Database interface)',
    builder: (y) =>
      commandHelp(y, 'schema')
        .positional('action', { type: 'string', choices: ['types'], demandOption: true })
        .positional('file', { type: 'string', describe: 'file to write (default: stdout)' }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const { source, heads } = await schemaTypes(project)
        if (argv.file === undefined) {
          if (io.json) return io.printJson({ heads, source })
          return io.print(source.trimEnd())
        }
        const path = resolve(project.environment.cwd, argv.file)
        writeFileSync(path, source)
        if (io.json) return io.printJson({ heads, path })
        io.say(`Writing ${path} ...  done`)
      }),
  }
}
