import {
  check,
  checkFailure,
  checkSchema,
  resolve,
  type SchemaCheckResult,
  SchemaDriftError,
  schemaCheckFailure,
} from '@migraph/core'
import type { CommandModule } from 'yargs'
import { exitCodeFor } from '../exit-codes.js'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'
import { type FleetArgv, fleetOptions, withFleet } from './fleet.js'

interface CheckArgv extends FleetArgv {
  readonly schema?: boolean
}

/** `mig check`: non-zero (with a distinct code) when the database and the code disagree. */
export function checkCommand(state: CliState): CommandModule<GlobalArgv, CheckArgv> {
  return {
    command: 'check',
    describe: 'Fail when revisions are pending, applied files changed, or the database is in doubt',
    builder: (y) =>
      fleetOptions(commandHelp(y, 'check')).option('schema', {
        type: 'boolean',
        describe:
          'also fail when the database, the declared schema (config schema) and what the revisions produce disagree',
      }),
    handler: (argv) =>
      withFleet(
        state,
        argv,
        {
          // A target behind, ahead, changed or failed is a failed target: the run exits non-zero.
          work: async (target) => {
            const result = await check(target)
            return { from: result.heads, to: result.heads, problem: checkFailure(result) }
          },
          writes: false,
        },
        async (project, io) => {
          const result = await check(project)
          let failure = checkFailure(result)
          let compared: SchemaCheckResult | undefined
          if (failure === undefined && argv.schema === true) {
            compared = await checkSchema(project)
            failure = schemaCheckFailure(compared)
          }
          const against = compared?.against
          if (io.json) {
            io.printJson({
              ...result,
              ...(compared === undefined
                ? {}
                : {
                    schemaDifferences: compared.lines,
                    schemaAgainst: against,
                    schemaComparisons: compared.comparisons,
                  }),
              ok: failure === undefined,
            })
            if (failure !== undefined) state.exitCode = exitCodeFor(failure)
            return
          }
          if (failure instanceof SchemaDriftError && compared !== undefined) {
            // Each failed comparison under a heading saying what was compared.
            for (const comparison of compared.comparisons) {
              if (comparison.lines.length === 0) continue
              io.print(`${comparison.heading}:`)
              for (const line of comparison.lines) io.print(line)
            }
          }
          if (failure !== undefined) throw failure
          const schema =
            against === 'declared'
              ? '; schema as declared, as its revisions build it'
              : against === 'revisions'
                ? '; schema as its revisions build it'
                : ''
          io.say(
            `OK: database at ${result.heads.join(', ') || 'base'}; no pending, changed or unknown revisions${schema}`,
          )
        },
      ),
  }
}

interface ResolveArgv extends GlobalArgv {
  readonly revision: string
  readonly applied?: boolean
  readonly rolledBack?: boolean
}

/** `mig resolve <rev> --applied|--rolled-back`: settle a revision that failed half-way. */
export function resolveCommand(state: CliState): CommandModule<GlobalArgv, ResolveArgv> {
  return {
    command: 'resolve <revision>',
    describe: 'Record what a revision that failed or was cut off half-way left in the database',
    builder: (y) =>
      commandHelp(y, 'resolve')
        .positional('revision', { type: 'string', demandOption: true })
        .option('applied', { type: 'boolean', describe: 'the database now holds the whole revision' })
        .option('rolled-back', { type: 'boolean', describe: 'the database holds none of it' })
        .conflicts('applied', 'rolled-back')
        .check((a) => {
          if (a.applied !== true && a.rolledBack !== true) throw new Error('give --applied or --rolled-back')
          return true
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const outcome = argv.applied === true ? 'applied' : 'rolled-back'
        const result = await resolve(project, { revision: String(argv.revision), outcome })
        if (io.json) return io.printJson(result)
        io.say(
          `Revision ${result.revision} recorded as ${outcome}; heads: ${result.heads.join(', ') || 'base'}`,
        )
      }),
  }
}
