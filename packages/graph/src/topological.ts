import { RevisionError } from './errors.js'
import { type GraphLinks, graphLinks } from './links.js'
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
  // By `Revision.index` throughout: membership in typed arrays and links as indices, where Sets
  // of objects and lookups by id would cost a hash each, which is most of the sort on thousands
  // of revisions.
  const { normalizedDown, allNext, revisions: all } = graphLinks(map) as GraphLinks
  const n = map.size
  const TODO = 1
  const EMITTED = 2
  const OPEN = 4
  const WITHIN = 8
  const state = new Uint8Array(n)
  for (const r of revisions) state[r.index] = (state[r.index] as number) | TODO
  let todoCount = revisions.size
  const current: number[] = []
  for (const h of heads) {
    if (((state[h.index] as number) & TODO) !== 0 && !current.includes(h.index)) current.push(h.index)
  }
  current.sort((a, b) => a - b)
  // Everything below the starting heads, along normalized links.
  const stack: number[] = []
  for (const at of current) {
    state[at] = (state[at] as number) | OPEN
    stack.push(at)
  }
  while (stack.length > 0) {
    const at = stack.pop() as number
    if (((state[at] as number) & WITHIN) !== 0) continue
    state[at] = (state[at] as number) | WITHIN
    const parents = normalizedDown[at] as readonly number[]
    for (let k = 0; k < parents.length; k++) stack.push(parents[k] as number)
  }
  const output: Revision[] = []
  // Which walk last reached a revision, so that each walk starts with nothing seen.
  const seenBy = new Uint32Array(n)
  let walk = 0

  const blockingIndex = (candidate: number, self: number): number => {
    let best = -1
    walk++
    seenBy[candidate] = walk
    stack.push(candidate)
    while (stack.length > 0) {
      const at = stack.pop() as number
      const children = allNext[at] as readonly number[]
      for (let k = 0; k < children.length; k++) {
        const child = children[k] as number
        const flags = state[child] as number
        if (seenBy[child] === walk || (flags & EMITTED) !== 0 || (flags & WITHIN) === 0) continue
        // the child must reach `at` through normalized links, as Alembic's ancestor sets do
        if (!(normalizedDown[child] as readonly number[]).includes(at)) continue
        seenBy[child] = walk
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
    const candidate = current[index] as number
    const blocker = blockingIndex(candidate, index)
    if (blocker !== -1) {
      index = blocker
      continue
    }
    if (((state[candidate] as number) & TODO) !== 0) {
      output.push(all[candidate] as Revision)
      todoCount--
    }
    state[candidate] = (((state[candidate] as number) & ~(TODO | OPEN)) | EMITTED) & 0xff
    const parents = normalizedDown[candidate] as readonly number[]
    let added = 0
    for (let k = 0; k < parents.length; k++) {
      const parent = parents[k] as number
      if (((state[parent] as number) & (TODO | OPEN)) !== TODO) continue
      if (added === 0) current[index] = parent
      else current.push(parent)
      state[parent] = (state[parent] as number) | OPEN
      added++
    }
    if (added === 0) {
      current.splice(index, 1)
      index = Math.max(index - 1, 0)
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
