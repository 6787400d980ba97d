import { RevisionError } from './errors.js'
import type { Revision } from './revision.js'

/** Looks a revision up by exact id; the only thing the walkers need from a map. */
export interface RevisionLookup {
  get(id: string): Revision
}

/** Which links a walk follows. */
export type EdgeKind = 'down' | 'normalized-down' | 'all-down' | 'next' | 'all-next'

/** The ids one step away from `rev` along `kind`. */
export function edges(rev: Revision, kind: EdgeKind): readonly string[] {
  switch (kind) {
    case 'down':
      return rev.downRevisions
    case 'normalized-down':
      return rev.normalizedDownRevisions
    case 'all-down':
      return rev.allDownRevisions
    case 'next':
      return rev.nextRevisions
    case 'all-next':
      return rev.allNextRevisions
  }
}

/**
 * Depth-first walk from `targets` (each included) along `step`, in Alembic's visiting order, with an
 * explicit stack so depth never touches the call stack. With `check`, a target that reaches another
 * target raises Alembic's "overlaps" error.
 */
export function walkRelated(
  map: RevisionLookup,
  step: (rev: Revision) => readonly string[],
  targets: readonly Revision[],
  check = false,
): Revision[] {
  const seen = new Set<Revision>()
  const out: Revision[] = []
  const targetSet = check ? new Set(targets) : null
  for (const target of targets) {
    const stack: Revision[] = [target]
    const reached = check ? new Set<Revision>() : null
    while (stack.length > 0) {
      const rev = stack.pop() as Revision
      reached?.add(rev)
      if (seen.has(rev)) continue
      seen.add(rev)
      for (const id of step(rev)) stack.push(map.get(id))
      out.push(rev)
    }
    if (reached !== null && targetSet !== null) {
      const overlaps = [...reached].filter((r) => r !== target && targetSet.has(r))
      if (overlaps.length > 0) {
        throw new RevisionError(
          'overlapping-revisions',
          `Requested revision ${target.revision} overlaps with other requested revisions ${overlaps
            .map((r) => r.revision)
            .join(', ')}`,
        )
      }
    }
  }
  return out
}

/** Targets and everything below them; `includeDependencies` also follows `dependsOn`. */
export function ancestorNodes(
  map: RevisionLookup,
  targets: readonly Revision[],
  includeDependencies = true,
  check = false,
): Revision[] {
  const kind: EdgeKind = includeDependencies ? 'normalized-down' : 'down'
  return walkRelated(map, (r) => edges(r, kind), targets, check)
}

/** Targets and everything above them; `includeDependencies` also follows `dependsOn`. */
export function descendantNodes(
  map: RevisionLookup,
  targets: readonly Revision[],
  includeDependencies = true,
  check = false,
): Revision[] {
  const kind: EdgeKind = includeDependencies ? 'all-next' : 'next'
  return walkRelated(map, (r) => edges(r, kind), targets, check)
}
