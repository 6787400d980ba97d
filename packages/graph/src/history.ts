import { MultipleHeadsError, RangeNotAncestorError, RevisionError } from './errors.js'
import { knownWalk, rememberWalk } from './links.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'
import { iterateRevisions } from './topological.js'
import { allCurrent, type RevisionArgument } from './traversal.js'

const describe = (value: RevisionArgument): string =>
  value === null ? 'base' : typeof value === 'string' ? value : value.join(', ')

/**
 * Splits `start:end` the way Alembic's commands do (either side may be empty; one colon only).
 * Returns `null` when there is no colon.
 *
 * @example
 * splitRevisionRange('ae10:head') // { start: 'ae10', end: 'head' }
 */
export function splitRevisionRange(range: string): { readonly start: string; readonly end: string } | null {
  if (!range.includes(':')) return null
  const parts = range.trim().split(':')
  if (parts.length !== 2) {
    throw new RevisionError('invalid-range', `Revision range '${range}' must have the form [start]:[end]`)
  }
  return { start: parts[0] as string, end: parts[1] as string }
}

/**
 * Alembic's `walk_revisions`: every revision from `base` up to `head` (both included), newest
 * first. Defaults walk the whole graph; that walk is remembered with the map (and restored with
 * it, see {@link RevisionMap.restore}).
 */
export function walkRevisions(
  map: RevisionMap,
  base: RevisionArgument = 'base',
  head: RevisionArgument = 'heads',
): readonly Revision[] {
  const whole = base === 'base' && head === 'heads'
  if (whole) {
    const known = knownWalk(map)
    if (known !== undefined) return known
  }
  try {
    const walk = Object.freeze(
      iterateRevisions(map, head, base, { inclusive: true, assertRelativeLength: false }),
    )
    if (whole) rememberWalk(map, walk)
    return walk
  } catch (error) {
    if (error instanceof RangeNotAncestorError) {
      throw new RangeNotAncestorError(
        error.lower,
        error.upper,
        `Requested range ${describe(base)}:${describe(head)} does not refer to ancestor/descendant revisions along the same branch`,
        { cause: error },
      )
    }
    // Alembic names the end of the range, the argument the user gave, whatever walk failed.
    if (error instanceof MultipleHeadsError && typeof head === 'string' && error.argument !== head) {
      throw new MultipleHeadsError(error.heads, head, undefined, { cause: error })
    }
    throw error
  }
}

/**
 * `history -r <range>`: the revisions in `[start]:[end]`, newest first, as Alembic lists them.
 * `current` on either side stands for the database's revisions `current` (and, when there are
 * none, for the open end: all heads or base, as in Alembic). `undefined` lists everything.
 *
 * @example
 * historyRange(map, '-3:current', ['c3']) // the three revisions below c3 and c3 itself
 */
export function historyRange(
  map: RevisionMap,
  range: string | undefined,
  current: readonly string[],
): readonly Revision[] {
  let start = ''
  let end = ''
  if (range !== undefined) {
    const split = splitRevisionRange(range)
    if (split === null) {
      throw new RevisionError('invalid-range', 'History range requires [start]:[end], [start]:, or :[end]')
    }
    start = split.start
    end = split.end
  }
  let base: RevisionArgument = start
  let head: RevisionArgument = end
  if (end === 'current') head = current
  else if (start === 'current') base = current
  const baseArg = (typeof base === 'string' ? base : base.length > 0 ? base : '') || 'base'
  const headArg = (typeof head === 'string' ? head : head.length > 0 ? head : '') || 'heads'
  return walkRevisions(map, baseArg, headArg)
}

/**
 * `heads`: the heads in Alembic's order; with `resolveDependencies`, only those no other revision
 * depends on (`heads --resolve-dependencies`).
 */
export function listHeads(
  map: RevisionMap,
  options: { readonly resolveDependencies?: boolean } = {},
): readonly Revision[] {
  const ids = options.resolveDependencies ? map.realHeads : map.heads
  return Object.freeze(ids.map((id) => map.get(id)))
}

/** A branch point and the revisions it branches into (`branches`). */
export interface BranchPoint {
  readonly revision: Revision
  readonly branches: readonly Revision[]
}

/** `branches`: every branch point, in history order (newest first), with its children. */
export function branchPoints(map: RevisionMap): readonly BranchPoint[] {
  return Object.freeze(
    walkRevisions(map)
      .filter((r) => r.isBranchPoint)
      .map((r) =>
        Object.freeze({ revision: r, branches: Object.freeze(r.nextRevisions.map((id) => map.get(id))) }),
      ),
  )
}

/**
 * `current`: the branch tips the database's revisions stand for. A revision implied only as a
 * dependency of a stored one is listed too (Alembic's `get_all_current`). Input order of the graph.
 */
export function currentRevisions(map: RevisionMap, current: readonly string[]): readonly Revision[] {
  return Object.freeze(allCurrent(map, current))
}
