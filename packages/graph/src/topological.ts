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
  const todo = new Set(revisions)
  const emitted = new Set<Revision>()
  const current = [...new Set(heads.filter((h) => todo.has(h)))].sort((a, b) => a.index - b.index)
  const open = new Set(current)
  const within = new Set(ancestorNodes(map, current, true))
  const output: Revision[] = []

  const blockingIndex = (candidate: Revision, self: number): number => {
    let best = -1
    const seen = new Set<Revision>([candidate])
    const stack = [candidate]
    while (stack.length > 0) {
      const at = stack.pop() as Revision
      for (const id of at.allNextRevisions) {
        const child = map.get(id)
        if (seen.has(child) || emitted.has(child) || !within.has(child)) continue
        // the child must reach `at` through normalized links, as Alembic's ancestor sets do
        if (!child.normalizedDownRevisions.includes(at.revision)) continue
        seen.add(child)
        if (open.has(child)) {
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
    if (todo.has(candidate)) {
      output.push(candidate)
      todo.delete(candidate)
    }
    emitted.add(candidate)
    const toAdd = candidate.normalizedDownRevisions
      .map((id) => map.get(id))
      .filter((r) => todo.has(r) && !open.has(r))
    open.delete(candidate)
    if (toAdd.length === 0) {
      current.splice(index, 1)
      index = Math.max(index - 1, 0)
    } else {
      current[index] = toAdd[0] as Revision
      current.push(...toAdd.slice(1))
      for (const r of toAdd) open.add(r)
    }
  }
  if (todo.size > 0) {
    throw new RevisionError(
      'invalid-target',
      `Revisions ${[...todo].map((r) => r.revision).join(', ')} cannot be ordered from the requested heads`,
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
