import { RevisionError } from './errors.js'
import { ancestorNodes } from './graph-walk.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'
import {
  type CollectOptions,
  collectDowngradeRevisions,
  collectUpgradeRevisions,
  type RevisionArgument,
} from './traversal.js'

/**
 * Alembic's `_topological_sort`: newest first, walking one branch down as far as it can before
 * switching to the first other branch that still needs the candidate.
 *
 * Alembic keeps a full ancestor set per open branch and rebuilds it at every merge, branch or
 * dependency, which is quadratic on long branchy graphs. "The candidate is an ancestor of
 * another open head" is answered here by walking up from the candidate instead, only through
 * revisions not yet emitted and below the starting heads: an emitted revision can never lie
 * between an open head and a pending candidate, so the answer (and the order) is the same.
 */
export function topologicalSort(
  map: RevisionMap,
  revisions: ReadonlySet<Revision>,
  heads: readonly Revision[],
): Revision[] {
  // Membership by `Revision.index` in typed arrays: Sets of objects cost a hash per lookup,
  // which is most of the sort on thousands of revisions.
  const n = map.size
  const TODO = 1
  const EMITTED = 2
  const OPEN = 4
  const WITHIN = 8
  const state = new Uint8Array(n)
  for (const r of revisions) state[r.index] = (state[r.index] as number) | TODO
  let todoCount = revisions.size
  const current = [...new Set(heads.filter((h) => ((state[h.index] as number) & TODO) !== 0))].sort(
    (a, b) => a.index - b.index,
  )
  for (const r of current) state[r.index] = (state[r.index] as number) | OPEN
  for (const r of ancestorNodes(map, current, true)) state[r.index] = (state[r.index] as number) | WITHIN
  const output: Revision[] = []
  // Which walk last reached a revision, so that each walk starts with nothing seen.
  const seenBy = new Uint32Array(n)
  let walk = 0
  const stack: Revision[] = []

  const blockingIndex = (candidate: Revision, self: number): number => {
    let best = -1
    walk++
    seenBy[candidate.index] = walk
    stack.push(candidate)
    while (stack.length > 0) {
      const at = stack.pop() as Revision
      const children = at.allNextRevisions
      for (let k = 0; k < children.length; k++) {
        const child = map.get(children[k] as string)
        const flags = state[child.index] as number
        if (seenBy[child.index] === walk || (flags & EMITTED) !== 0 || (flags & WITHIN) === 0) continue
        // the child must reach `at` through normalized links, as Alembic's ancestor sets do
        if (!child.normalizedDownRevisions.includes(at.revision)) continue
        seenBy[child.index] = walk
        if ((flags & OPEN) !== 0) {
          const position = current.indexOf(child)
          if (position !== self && (best === -1 || position < best)) best = position
        }
        stack.push(child)
      }
    }
    return best
  }

  let index = 0
  while (current.length > 0) {
    const candidate = current[index] as Revision
    const blocker = blockingIndex(candidate, index)
    if (blocker !== -1) {
      index = blocker
      continue
    }
    const at = candidate.index
    if (((state[at] as number) & TODO) !== 0) {
      output.push(candidate)
      todoCount--
    }
    state[at] = (((state[at] as number) & ~(TODO | OPEN)) | EMITTED) & 0xff
    const toAdd: Revision[] = []
    const parents = candidate.normalizedDownRevisions
    for (let k = 0; k < parents.length; k++) {
      const r = map.get(parents[k] as string)
      if (((state[r.index] as number) & (TODO | OPEN)) === TODO) toAdd.push(r)
    }
    if (toAdd.length === 0) {
      current.splice(index, 1)
      index = Math.max(index - 1, 0)
    } else {
      current[index] = toAdd[0] as Revision
      for (let k = 1; k < toAdd.length; k++) current.push(toAdd[k] as Revision)
      for (const r of toAdd) state[r.index] = (state[r.index] as number) | OPEN
    }
  }
  if (todoCount > 0) {
    const left = [...revisions].filter((r) => ((state[r.index] as number) & TODO) !== 0)
    throw new RevisionError(
      'invalid-target',
      `Revisions ${left.map((r) => r.revision).join(', ')} cannot be ordered from the requested heads`,
    )
  }
  return output
}

/**
 * Alembic's `iterate_revisions`: the revisions between `upper` and `lower`, newest first. With
 * `selectForDowngrade`, `upper` is the current revisions and `lower` the downgrade target.
 */
export function iterateRevisions(
  map: RevisionMap,
  upper: RevisionArgument,
  lower: RevisionArgument,
  options: CollectOptions & { readonly selectForDowngrade?: boolean } = {},
): Revision[] {
  const { revisions, heads } = options.selectForDowngrade
    ? collectDowngradeRevisions(map, upper, typeof lower === 'string' ? lower : (lower?.[0] ?? null), options)
    : collectUpgradeRevisions(map, upper, lower, options)
  return topologicalSort(map, revisions, heads)
}
