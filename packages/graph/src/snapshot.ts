import { asList, messageOf, NONE } from './build.js'
import { Revision, type RevisionInput, revisionFields } from './revision.js'

/**
 * What building a graph computed beyond its inputs, as plain JSON: per revision (in input order)
 * the lists a {@link Revision} derives from the whole graph, the map's heads and bases, and the
 * whole history walk. Together with the very inputs it was taken from, it restores the map
 * without validating, linking and sorting again; see `RevisionMap.restore`.
 *
 * Lists that are empty for every revision (dependencies, labels on a graph without them) are left
 * out, and in the others an empty list is a 0, so that the usual graph stores one short list per
 * revision and a parser makes no object for an empty one.
 */
export interface GraphSnapshot {
  /** `nextRevisions` of each revision */
  readonly next: readonly (readonly string[])[]
  /** `allNextRevisions` of each revision, or 0 where it equals `nextRevisions`; absent without dependencies */
  readonly allNext?: readonly (readonly string[] | 0)[]
  /** `resolvedDependencies` of each revision, 0 where empty; absent without dependencies */
  readonly resolved?: readonly (readonly string[] | 0)[]
  /** `normalizedDependencies` of each revision, 0 where empty; absent without dependencies */
  readonly normalized?: readonly (readonly string[] | 0)[]
  /** `allBranchLabels` of each revision, 0 where empty; absent when no revision declares a label */
  readonly labels?: readonly (readonly string[] | 0)[]
  readonly heads: readonly string[]
  readonly realHeads: readonly string[]
  readonly bases: readonly string[]
  readonly realBases: readonly string[]
  /** `walkRevisions(map)` (newest first), as positions in the input order */
  readonly walk: readonly number[]
}

/**
 * The inputs of a graph by position, read without an object per revision (a caller restoring a
 * graph from stored rows need not build one for each first). Positions run from 0 to `size - 1`.
 */
export interface RevisionColumns {
  readonly size: number
  revision(i: number): string
  downRevision(i: number): string | readonly string[] | null
  branchLabels(i: number): readonly string[] | null | undefined
  dependsOn(i: number): readonly string[] | null | undefined
  message(i: number): string | null | undefined
  createDate(i: number): string | null | undefined
  path(i: number): string | null | undefined
}

/** An array of inputs as {@link RevisionColumns}. */
export function columnsOf(inputs: readonly RevisionInput[]): RevisionColumns {
  const at = (i: number) => inputs[i] as RevisionInput
  return {
    size: inputs.length,
    revision: (i) => at(i).revision,
    downRevision: (i) => at(i).downRevision,
    branchLabels: (i) => at(i).branchLabels,
    dependsOn: (i) => at(i).dependsOn,
    message: (i) => at(i).message,
    createDate: (i) => at(i).createDate,
    path: (i) => at(i).path,
  }
}

/** The parts of a map a snapshot gives back. */
export interface RestoredGraph {
  readonly revisions: readonly Revision[]
  readonly heads: readonly string[]
  readonly realHeads: readonly string[]
  readonly bases: readonly string[]
  readonly realBases: readonly string[]
  readonly walk: readonly Revision[]
}

/** The snapshot of built revisions and their whole walk. */
export function takeSnapshot(
  revisions: readonly Revision[],
  ends: Pick<GraphSnapshot, 'heads' | 'realHeads' | 'bases' | 'realBases'>,
  walk: readonly Revision[],
): GraphSnapshot {
  const anyDeps = revisions.some((r) => r.dependsOn.length > 0)
  const anyLabels = revisions.some((r) => r.allBranchLabels.length > 0)
  return {
    next: revisions.map((r) => r.nextRevisions),
    ...(anyDeps
      ? {
          allNext: revisions.map((r) => (r.allNextRevisions === r.nextRevisions ? 0 : r.allNextRevisions)),
          resolved: revisions.map((r) => orZero(r.resolvedDependencies)),
          normalized: revisions.map((r) => orZero(r.normalizedDependencies)),
        }
      : {}),
    ...(anyLabels ? { labels: revisions.map((r) => orZero(r.allBranchLabels)) } : {}),
    heads: ends.heads,
    realHeads: ends.realHeads,
    bases: ends.bases,
    realBases: ends.realBases,
    walk: walk.map((r) => r.index),
  }
}

/**
 * The revisions of `inputs` as the snapshot says they were built; undefined when the snapshot is
 * not one of a graph of that many revisions (a damaged or foreign one). Whether it belongs to
 * these very inputs is the caller's to know: nothing is validated again.
 */
export function restoreSnapshot(inputs: RevisionColumns, snapshot: GraphSnapshot): RestoredGraph | undefined {
  const n = inputs.size
  const s = snapshot as Partial<GraphSnapshot> | null
  if (
    typeof s !== 'object' ||
    s === null ||
    !isLists(s.next, n, false) ||
    !isLists(s.allNext, n, true) ||
    !isLists(s.resolved, n, true) ||
    !isLists(s.normalized, n, true) ||
    !isLists(s.labels, n, true) ||
    (s.allNext === undefined) !== (s.resolved === undefined) ||
    (s.allNext === undefined) !== (s.normalized === undefined) ||
    !isIds(s.heads) ||
    !isIds(s.realHeads) ||
    !isIds(s.bases) ||
    !isIds(s.realBases) ||
    !Array.isArray(s.walk)
  ) {
    return undefined
  }
  const { next, allNext, resolved, normalized, labels } = s as GraphSnapshot
  const revisions: Revision[] = new Array(n)
  // One object filled for each revision in turn: the constructor copies it.
  const fields = revisionFields()
  for (let i = 0; i < n; i++) {
    const nextIds = next[i] as readonly string[]
    const allNextIds = allNext === undefined ? 0 : (allNext[i] as readonly string[] | 0)
    fields.index = i
    fields.revision = inputs.revision(i)
    fields.downRevisions = asList(inputs.downRevision(i))
    fields.dependsOn = asList(inputs.dependsOn(i))
    fields.resolvedDependencies = listAt(resolved, i)
    fields.normalizedDependencies = listAt(normalized, i)
    fields.branchLabels = asList(inputs.branchLabels(i))
    fields.allBranchLabels = listAt(labels, i)
    fields.message = messageOf(inputs.message(i))
    fields.path = inputs.path(i) ?? null
    fields.createDate = inputs.createDate(i) ?? null
    fields.nextRevisions = nextIds
    fields.allNextRevisions = allNextIds === 0 ? nextIds : allNextIds
    revisions[i] = new Revision(fields)
  }
  const walk = walkOf(s.walk, revisions)
  if (walk === undefined) return undefined
  return {
    revisions: Object.freeze(revisions),
    heads: Object.freeze(s.heads as string[]),
    realHeads: Object.freeze(s.realHeads as string[]),
    bases: Object.freeze(s.bases as string[]),
    realBases: Object.freeze(s.realBases as string[]),
    walk,
  }
}

const orZero = (list: readonly string[]): readonly string[] | 0 => (list.length === 0 ? 0 : list)

/** The `i`-th list of an optional column; 0 and an absent column are the empty list. */
function listAt(column: readonly (readonly string[] | 0)[] | undefined, i: number): readonly string[] {
  const list = column === undefined ? 0 : (column[i] as readonly string[] | 0)
  return list === 0 ? NONE : list
}

/** The walk by positions as revisions; undefined unless each position is a revision's, once. */
function walkOf(
  positions: readonly unknown[],
  revisions: readonly Revision[],
): readonly Revision[] | undefined {
  const seen = new Uint8Array(revisions.length)
  const walk: Revision[] = new Array(positions.length)
  for (let k = 0; k < positions.length; k++) {
    const at = positions[k]
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= revisions.length) return undefined
    if (seen[at] === 1) return undefined
    seen[at] = 1
    walk[k] = revisions[at] as Revision
  }
  return Object.freeze(walk)
}

/**
 * Whether `value` holds `n` lists of ids; an `optional` column may be absent, and holds 0 in
 * place of a list (an empty one, or for `allNext` the `next` one).
 */
function isLists(value: unknown, n: number, optional: boolean): boolean {
  if (value === undefined) return optional
  if (!Array.isArray(value) || value.length !== n) return false
  for (let i = 0; i < n; i++) {
    const list: unknown = value[i]
    if (list === 0 ? !optional : !isIds(list)) return false
  }
  return true
}

function isIds(value: unknown): boolean {
  if (!Array.isArray(value)) return false
  for (let k = 0; k < value.length; k++) if (typeof value[k] !== 'string') return false
  return true
}
