import { GRAPH_FORMATS, type GraphFormat, graph, renderGraph } from '@migraph/core'
import type { CommandModule } from 'yargs'
import { commandHelp } from '../help.js'
import { type CliState, type GlobalArgv, withProject } from '../run.js'

interface GraphArgv extends GlobalArgv {
  readonly revRange?: string
  readonly format?: GraphFormat
  readonly indicateCurrent?: boolean
}

/** `mig graph [-r start:end] [--format mermaid|dot|html] [-i]`: the revision graph as a picture. */
export function graphCommand(state: CliState): CommandModule<GlobalArgv, GraphArgv> {
  return {
    command: 'graph',
    describe: 'Draw the revision graph (Mermaid, Graphviz DOT or an HTML page)',
    builder: (y) =>
      commandHelp(y, 'graph')
        .option('rev-range', { alias: 'r', type: 'string', describe: '[start]:[end], as history takes it' })
        .option('format', {
          alias: 'f',
          choices: GRAPH_FORMATS,
          default: 'mermaid' as GraphFormat,
          describe: 'mermaid pastes into Markdown; dot is for Graphviz; html is a self-contained page',
        })
        .option('indicate-current', {
          alias: 'i',
          type: 'boolean',
          describe: 'read the database: highlight its current heads, mark pending revisions',
        }),
    handler: (argv) =>
      withProject(state, argv, async (project, io) => {
        const picture = await graph(project, { range: argv.revRange, indicateCurrent: argv.indicateCurrent })
        if (io.json) return io.printJson(picture)
        io.streams.stdout.write(renderGraph(picture, argv.format ?? 'mermaid'))
      }),
  }
}
