import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { dumpSchema, schemaTypes, setup } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface SchemaArgv extends GlobalArgv {
  readonly action: 'dump' | 'types'
  readonly file?: string
  readonly fromDatabase?: boolean
}

/**
 * `mig schema dump [file]` and `mig schema types [file]`: the schema at the heads as the SQL that
 * creates it, or as Kysely types; to the file given, else the config's `schemaDump`/`typesOut`,
 * else stdout.
 */
export function schemaCommand(state: CliState): CommandModule<GlobalArgv, SchemaArgv> {
  return {
    command: 'schema <action> [file]',
    describe: 'Write the schema at the heads as SQL (dump) or as Kysely types (types)',
    builder: (y) =>
      commandHelp(y, 'schema')
        .positional('action', { choices: ['dump', 'types'] as const, demandOption: true })
        .positional('file', { type: 'string', describe: 'where to write; default the config, else stdout' })
        .option('from-database', {
          type: 'boolean',
          describe: "read the project's database (at the heads) instead of replaying the revisions",
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const args = { source: argv.fromDatabase === true ? ('database' as const) : ('revisions' as const) }
        const { text, heads } =
          argv.action === 'dump' ? await dumpSchema(project, args) : await schemaTypes(project, args)
        const configured = argv.action === 'dump' ? project.config.schemaDump : project.config.typesOut
        const file = argv.file ?? configured
        if (file === undefined) {
          if (io.json) return io.printJson({ heads, text })
          return io.print(text.replace(/\n$/, ''))
        }
        mkdirSync(dirname(file), { recursive: true })
        writeFileSync(file, text)
        if (io.json) return io.printJson({ heads, file })
        const shown = relative(project.environment.cwd, file) || file
        io.say(`Wrote ${shown} (schema at ${heads.join(', ') || 'base'})`)
      }),
  }
}

interface SetupArgv extends GlobalArgv {
  readonly file?: string
}

/** `mig setup [file]`: an empty database brought to the heads from a schema dump. */
export function setupCommand(state: CliState): CommandModule<GlobalArgv, SetupArgv> {
  return {
    command: 'setup [file]',
    describe: 'Load a schema dump into an empty database and stamp its heads',
    builder: (y) =>
      commandHelp(y, 'setup').positional('file', {
        type: 'string',
        describe: "the dump written by 'mig schema dump'; default the config's schemaDump",
      }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await setup(project, { file: argv.file })
        if (io.json) return io.printJson(result)
        const shown = relative(project.environment.cwd, result.file) || result.file
        io.note(
          `Set up ${project.target().display} at ${result.heads.join(', ') || 'base'}: ${result.statements} statements from ${shown}`,
        )
      }),
  }
}
