import { RevisionError } from './errors.js'
import type { Revision } from './revision.js'

/** What the walkers need from a map: exact lookup, and its size (revisions are numbered below it). */
export interface RevisionLookup {
  get(id: string): Revision
  /** number of revisions; every {@link Revision.index} is below it */
  readonly size: number
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
  // Membership by `Revision.index`: a Set of objects costs a hash per lookup, which is most of a
  // walk over thousands of revisions.
  const seen = new Uint8Array(map.size)
  const out: Revision[] = []
  let isTarget: Uint8Array | undefined
  if (check) {
    isTarget = new Uint8Array(map.size)
    for (const t of targets) isTarget[t.index] = 1
  }
  const stack: Revision[] = []
  for (const target of targets) {
    stack.push(target)
    let overlaps: Revision[] | undefined
    while (stack.length > 0) {
      const rev = stack.pop() as Revision
      // Reaching another target counts even along a path an earlier target walked.
      if (isTarget !== undefined && isTarget[rev.index] === 1 && rev !== target) {
        if (overlaps === undefined) overlaps = [rev]
        else if (!overlaps.includes(rev)) overlaps.push(rev)
      }
      if (seen[rev.index] === 1) continue
      seen[rev.index] = 1
      for (const id of step(rev)) stack.push(map.get(id))
      out.push(rev)
    }
    if (overlaps !== undefined) {
      throw new RevisionError(
        'overlapping-revisions',
        `Requested revision ${target.revision} overlaps with other requested revisions ${overlaps
          .map((r) => r.revision)
          .join(', ')}`,
      )
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
