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
 * revision and a parser makes no object for an empty one. Lists of revisions are kept flat, one
 * array per column holding for each revision in turn the list's length and then the positions
 * of its revisions in the input order: a parser makes one array of small integers for the whole
 * column, where lists of ids would cost an array and a copy of each id string per revision.
 */
export interface GraphSnapshot {
  /** `nextRevisions` of each revision, flat */
  readonly next: Flat
  /** `allNextRevisions` of each revision, flat, with length -1 where it equals `nextRevisions`; absent without dependencies */
  readonly allNext?: Flat
  /** `resolvedDependencies` of each revision, flat; absent without dependencies */
  readonly resolved?: Flat
  /** `normalizedDependencies` of each revision, flat; absent without dependencies */
  readonly normalized?: Flat
  /** `allBranchLabels` of each revision, 0 where empty; absent when no revision declares a label */
  readonly labels?: readonly (readonly string[] | 0)[]
  readonly heads: readonly string[]
  readonly realHeads: readonly string[]
  readonly bases: readonly string[]
  readonly realBases: readonly string[]
  /** `walkRevisions(map)` (newest first), as positions in the input order */
  readonly walk: readonly number[]
}

/** Lists of revisions, one per revision: its length, then the positions of its revisions. */
type Flat = readonly number[]

/** Length of a flat `allNext` list that is the revision's `next` list. */
const SAME = -1

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
  const at = new Map(revisions.map((r) => [r.revision, r.index]))
  const flat = (lists: (r: Revision) => readonly string[] | typeof SAME): Flat => {
    const out: number[] = []
    for (const r of revisions) {
      const ids = lists(r)
      if (ids === SAME) out.push(SAME)
      else out.push(ids.length, ...ids.map((id) => at.get(id) as number))
    }
    return out
  }
  return {
    next: flat((r) => r.nextRevisions),
    ...(anyDeps
      ? {
          allNext: flat((r) => (r.allNextRevisions === r.nextRevisions ? SAME : r.allNextRevisions)),
          resolved: flat((r) => r.resolvedDependencies),
          normalized: flat((r) => r.normalizedDependencies),
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
    !Array.isArray(s.next) ||
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
  const { labels } = s as GraphSnapshot
  const next = listsOf(s.next, n, inputs, false)
  const allNext = listsOf(s.allNext, n, inputs, true)
  const resolved = listsOf(s.resolved, n, inputs, false)
  const normalized = listsOf(s.normalized, n, inputs, false)
  if (next === undefined || allNext === undefined || resolved === undefined || normalized === undefined) {
    return undefined
  }
  const revisions: Revision[] = new Array(n)
  // One object filled for each revision in turn: the constructor copies it.
  const fields = revisionFields()
  for (let i = 0; i < n; i++) {
    const nextIds = next(i) ?? NONE
    fields.index = i
    fields.revision = inputs.revision(i)
    fields.downRevisions = asList(inputs.downRevision(i))
    fields.dependsOn = asList(inputs.dependsOn(i))
    fields.resolvedDependencies = resolved(i) ?? NONE
    fields.normalizedDependencies = normalized(i) ?? NONE
    fields.branchLabels = asList(inputs.branchLabels(i))
    fields.allBranchLabels = listAt(labels, i)
    fields.message = messageOf(inputs.message(i))
    fields.path = inputs.path(i) ?? null
    fields.createDate = inputs.createDate(i) ?? null
    fields.nextRevisions = nextIds
    fields.allNextRevisions = allNext(i) ?? nextIds
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
 * The lists of a flat column by revision, as ids (undefined for the {@link SAME} list, where
 * `same` allows it); undefined when the column is not `n` such lists of positions from 0 to
 * `n - 1`, exactly. An absent column holds empty lists (or, where `same`, the same lists).
 */
function listsOf(
  value: unknown,
  n: number,
  inputs: RevisionColumns,
  same: boolean,
): ((i: number) => readonly string[] | undefined) | undefined {
  if (value === undefined) return same ? () => undefined : () => NONE
  if (!Array.isArray(value)) return undefined
  const starts = new Uint32Array(n)
  let k = 0
  for (let i = 0; i < n; i++) {
    starts[i] = k
    const length: unknown = value[k++]
    if (length === SAME && same) continue
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) return undefined
    for (const end = k + length; k < end; k++) {
      const at: unknown = value[k]
      if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at >= n) return undefined
    }
  }
  if (k !== value.length) return undefined
  const flat = value as Flat
  return (i) => {
    const start = starts[i] as number
    const length = flat[start] as number
    if (length === SAME) return undefined
    if (length === 0) return NONE
    const ids: string[] = new Array(length)
    for (let j = 0; j < length; j++) ids[j] = inputs.revision(flat[start + 1 + j] as number)
    return ids
  }
}

/**
 * Whether `value` holds `n` lists of ids; an `optional` column may be absent, and holds 0 in
 * place of an empty list.
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
