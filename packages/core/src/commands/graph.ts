import { historyRange } from '@migraph/graph'
import type { Project } from '../context.js'
import { MigraphError } from '../errors.js'
import { renderDot } from '../picture/dot.js'
import { renderHtml } from '../picture/html.js'
import { renderMermaid } from '../picture/mermaid.js'
import { type RevisionGraph, revisionGraph } from '../picture/revision-graph.js'

/** The picture formats `mig graph --format` writes. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'html'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

export interface GraphArgs {
  /** `[start]:[end]`, as `mig history -r` takes it. */
  readonly range?: string | undefined
  /** Read the version table: current heads highlighted, pending revisions marked. */
  readonly indicateCurrent?: boolean | undefined
}

/**
 * `mig graph`: the revision graph as data, ready for {@link renderGraph}. Reads the revision
 * files' headers only (no revision module is imported); reads the database only when asked to
 * mark what is current (or when the range names `current`), and never writes.
 *
 * @example
 * const picture = renderGraph(await graph(project, { range: 'base:head' }), 'mermaid')
 */
export async function graph(project: Project, args: GraphArgs = {}): Promise<RevisionGraph> {
  let scripts = await project.scripts()
  const needsCurrent = args.indicateCurrent === true || /current/.test(args.range ?? '')
  let currentHeads: readonly string[] = []
  if (needsCurrent) {
    const { readCurrentHeads } = await import('../runtime/session.js')
    const view = scripts.forVersions(await readCurrentHeads(project))
    scripts = view.scripts
    currentHeads = view.heads
    const unknown = currentHeads.filter((id) => !scripts.map.has(id))
    if (unknown.length > 0) {
      // The code `current` and `check` give for it, hence the same exit status.
      throw new MigraphError(
        'unknown-revision-in-database',
        `the version table records revision '${unknown[0]}', which no revision file declares (was a file deleted, or is this the right database?)`,
      )
    }
  }
  const revisions = historyRange(scripts.map, args.range, currentHeads)
  return revisionGraph(scripts.map, revisions, args.indicateCurrent === true ? currentHeads : undefined)
}

/** The picture of a graph in one of {@link GRAPH_FORMATS}. */
export function renderGraph(picture: RevisionGraph, format: GraphFormat): string {
  switch (format) {
    case 'mermaid':
      return renderMermaid(picture)
    case 'dot':
      return renderDot(picture)
    case 'html':
      return renderHtml(picture)
  }
}
