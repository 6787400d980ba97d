import { branches, current, heads, type RevisionInfo, show, VersionTableError } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { formatRevisionBlock, formatRevisionLine, revisionJson } from '../format.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'
import { type FleetArgv, fleetOptions, withFleet } from './fleet.js'

interface VerboseArgv extends GlobalArgv {
  readonly verbose?: boolean
  readonly resolveDependencies?: boolean
}

/** `mig heads`: the heads of the graph. Reads no database and imports no revision module. */
export function headsCommand(state: CliState): CommandModule<GlobalArgv, VerboseArgv> {
  return {
    command: 'heads',
    describe: 'Show the current heads of the revision graph',
    builder: (y) =>
      commandHelp(y, 'heads')
        .option('verbose', { alias: 'v', type: 'boolean' })
        .option('resolve-dependencies', { type: 'boolean', describe: 'treat dependsOn as down revisions' }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await heads(project, { resolveDependencies: argv.resolveDependencies })
        if (io.json) return io.printJson(result.map(revisionJson))
        for (const info of result) {
          io.print(
            argv.verbose === true
              ? formatRevisionBlock(info)
              : formatRevisionLine(info, { includeBranches: true, treeIndicators: false }),
          )
        }
      }),
  }
}

/** `mig current`: the revisions the database is at. */
export function currentCommand(state: CliState): CommandModule<GlobalArgv, VerboseArgv & FleetArgv> {
  return {
    command: 'current',
    describe: 'Show the current revision(s) of the database',
    builder: (y) =>
      fleetOptions(commandHelp(y, 'current').option('verbose', { alias: 'v', type: 'boolean' })),
    handler: (argv) =>
      withFleet(
        state,
        argv,
        {
          work: async (target) => {
            const heads = (await current(target)).map((info) => info.revision)
            return { from: heads, to: heads }
          },
          writes: false,
        },
        async (project, io) => {
          const print = (revisions: readonly RevisionInfo[]) => {
            if (argv.verbose === true) io.print(`Current revision(s) for ${project.target().display}:`)
            for (const info of revisions) {
              const options = { markCurrent: false }
              io.print(
                argv.verbose === true
                  ? formatRevisionBlock(info, options)
                  : formatRevisionLine(info, options),
              )
            }
          }
          let result: readonly RevisionInfo[]
          try {
            result = await current(project)
          } catch (error) {
            // Conflicting rows are shown as they are; then the error says what is wrong with them.
            if (error instanceof VersionTableError && !io.json) print(error.current as RevisionInfo[])
            throw error
          }
          if (io.json) return io.printJson(result.map(revisionJson))
          print(result)
        },
      ),
  }
}

/** `mig branches`: branch points and what they branch into. */
export function branchesCommand(state: CliState): CommandModule<GlobalArgv, VerboseArgv> {
  return {
    command: 'branches',
    describe: 'Show the branch points of the revision graph',
    builder: (y) => commandHelp(y, 'branches').option('verbose', { alias: 'v', type: 'boolean' }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const points = await branches(project)
        if (io.json) return io.printJson(points.map(revisionJson))
        const verbose = argv.verbose === true
        const scripts = await project.scripts()
        const { describeRevision } = await import('@migraph/core')
        for (const point of points) {
          const head = verbose
            ? formatRevisionBlock(point)
            : formatRevisionLine(point, { includeBranches: true })
          const lines = point.nextRevisions.map((id) => {
            const next = describeRevision(scripts, scripts.map.get(id))
            return `${' '.repeat(point.revision.length)} -> ${formatRevisionLine(next, { includeBranches: true, includeDoc: verbose })}`
          })
          io.print(`${head}\n${lines.join('\n')}\n`)
        }
      }),
  }
}

interface ShowArgv extends GlobalArgv {
  readonly revision: string
}

/** `mig show <rev>`: the full block of one or more revisions. */
export function showCommand(state: CliState): CommandModule<GlobalArgv, ShowArgv> {
  return {
    command: 'show <revision>',
    describe: 'Show the revision(s) an identifier names',
    builder: (y) => commandHelp(y, 'show').positional('revision', { type: 'string', demandOption: true }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const result = await show(project, { revision: String(argv.revision) })
        if (io.json) return io.printJson(result.map(revisionJson))
        for (const info of result) io.print(formatRevisionBlock(info))
      }),
  }
}
