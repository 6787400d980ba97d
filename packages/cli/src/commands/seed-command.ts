import { relative } from 'node:path'
import { createSeed, seed } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { duration } from '../reporter.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface SeedCreateArgv extends GlobalArgv {
  readonly name: string
  readonly sql?: boolean
}

/** `mig seed` (run the seed files) and `mig seed create NAME`. */
export function seedCommand(state: CliState): CommandModule<GlobalArgv, GlobalArgv> {
  return {
    command: 'seed',
    describe:
      'Run the seed files (seeds/) in name order, each in a transaction; never touches the version table',
    builder: (y) =>
      commandHelp(y, 'seed').command(seedCreateCommand(state) as CommandModule<GlobalArgv, GlobalArgv>),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const started = performance.now()
        const results = await seed(project)
        const files = results.map((r) => ({
          file: relative(project.config.baseDir, r.file),
          durationMs: Math.round(r.durationMs * 10) / 10,
        }))
        if (io.json) io.printJson({ seeds: files })
        const count = `${files.length} seed${files.length === 1 ? '' : 's'}`
        io.note(
          `${io.paint('green', 'Seeded')} ${project.target().display}: ${count} in ${duration(performance.now() - started)}`,
        )
      }),
  }
}

function seedCreateCommand(state: CliState): CommandModule<GlobalArgv, SeedCreateArgv> {
  return {
    command: 'create <name>',
    describe: 'Write a new seed file',
    builder: (y) =>
      y
        .positional('name', { type: 'string', demandOption: true, describe: 'what the seed adds' })
        .option('sql', { type: 'boolean', describe: 'a .sql seed instead of a TypeScript one' }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = createSeed(project, { name: String(argv.name), sql: argv.sql })
        if (io.json) return io.printJson(result)
        io.say(`Generating ${result.path} ...  done`)
      }),
  }
}
