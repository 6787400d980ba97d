import { impliedRevisions, type Revision, type RevisionMap } from '@migraph/graph'

/** Where a revision stands against a database's version table (only with a database read). */
export type RevisionState = 'current' | 'applied' | 'pending'

/** One revision of a picture: what every format draws for it. */
export interface GraphNode {
  readonly revision: string
  /** The message's first paragraph (drawn beside the node). */
  readonly doc: string
  /** The whole message (shown on hover). */
  readonly message: string
  /** Labels declared by this revision. */
  readonly branchLabels: readonly string[]
  readonly isHead: boolean
  readonly isBase: boolean
  readonly isBranchPoint: boolean
  readonly isMergePoint: boolean
  /** Set when the picture was drawn against a database. */
  readonly state?: RevisionState | undefined
}

/** `down` follows `downRevision`; `depends` follows `dependsOn` (drawn dashed). */
export type GraphEdgeKind = 'down' | 'depends'

/** An edge from an older revision to the one that builds on it. */
export interface GraphEdge {
  readonly from: string
  readonly to: string
  readonly kind: GraphEdgeKind
}

/**
 * The revision graph as data, the common source of every picture format (and `mig graph
 * --json`). Nodes are newest first, as `mig history` lists them; edges join only the nodes listed.
 */
export interface RevisionGraph {
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
  /** The version table's rows, when a database was read. */
  readonly current?: readonly string[] | undefined
}

/**
 * Builds the picture of `revisions` (newest first, e.g. from `historyRange`). With `current`
 * (the version table's rows), each node says whether it is current, applied or pending.
 */
export function revisionGraph(
  map: RevisionMap,
  revisions: readonly Revision[],
  current?: readonly string[],
): RevisionGraph {
  const listed = new Set(revisions.map((r) => r.revision))
  const currentSet = current === undefined ? undefined : new Set(current)
  const applied = current === undefined ? undefined : impliedRevisions(map, current)
  const nodes: GraphNode[] = []
  const edges: GraphEdge[] = []
  for (const rev of revisions) {
    const node: GraphNode = {
      revision: rev.revision,
      doc: rev.doc,
      message: rev.message,
      branchLabels: rev.branchLabels,
      isHead: rev.isHead,
      isBase: rev.isBase,
      isBranchPoint: rev.isBranchPoint,
      isMergePoint: rev.isMergePoint,
      ...(currentSet === undefined || applied === undefined
        ? {}
        : { state: stateOf(rev.revision, currentSet, applied) }),
    }
    nodes.push(Object.freeze(node))
    for (const down of rev.downRevisions) {
      if (listed.has(down)) edges.push(Object.freeze({ from: down, to: rev.revision, kind: 'down' }))
    }
    for (const dep of rev.resolvedDependencies) {
      if (listed.has(dep) && !rev.downRevisions.includes(dep)) {
        edges.push(Object.freeze({ from: dep, to: rev.revision, kind: 'depends' }))
      }
    }
  }
  return Object.freeze({
    nodes: Object.freeze(nodes),
    edges: Object.freeze(edges),
    ...(current === undefined ? {} : { current: Object.freeze([...current]) }),
  })
}

function stateOf(id: string, current: ReadonlySet<string>, applied: ReadonlySet<string>): RevisionState {
  if (current.has(id)) return 'current'
  return applied.has(id) ? 'applied' : 'pending'
}
