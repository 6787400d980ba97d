import { ancestorNodes, descendantNodes } from './graph-walk.js'
import type { RevisionMap } from './revision-map.js'

/**
 * Pairs of version-table rows of which the first is an ancestor of the second along
 * `downRevision` links. The version table holds one row per head, so no step or stamp writes such
 * a pair: one means the table was written by something else, and no plan from it can be trusted.
 * `dependsOn` links do not count, nor does a pair on a stretch of history another revision
 * depends on: a downgrade of the dependent revision restores the row of what it depends on
 * beside the others, as Alembic's does. Ids the map does not know are left out (they are a
 * finding of their own).
 *
 * @example
 * overlappingVersions(map, ['rev001', 'rev002']) // [['rev001', 'rev002']] when rev002 follows rev001
 */
export function overlappingVersions(
  map: RevisionMap,
  versions: readonly string[],
): readonly (readonly [string, string])[] {
  const known = versions.filter((id) => map.has(id))
  if (known.length < 2) return Object.freeze([])
  const pairs: (readonly [string, string])[] = []
  let dependedOn: ReadonlySet<string> | undefined
  for (const id of known) {
    const below = ancestorNodes(map, [map.get(id)], false)
    const belowIds = new Set(below.map((rev) => rev.revision))
    for (const other of known) {
      if (other === id || !belowIds.has(other)) continue
      dependedOn ??= new Set(map.revisions.flatMap((rev) => rev.resolvedDependencies))
      const stretch = descendantNodes(map, [map.get(other)], false).filter((rev) =>
        belowIds.has(rev.revision),
      )
      if (stretch.some((rev) => dependedOn?.has(rev.revision))) continue
      pairs.push(Object.freeze([other, id] as const))
    }
  }
  return Object.freeze(pairs)
}

/**
 * The revisions the version-table rows `versions` stand for: each row and everything below it,
 * `dependsOn` included. Ids the map does not know are left out.
 *
 * @example
 * impliedRevisions(map, ['rev002']) // Set { 'rev002', 'rev001', 'rev000' }
 */
export function impliedRevisions(map: RevisionMap, versions: readonly string[]): ReadonlySet<string> {
  const known = versions.filter((id) => map.has(id)).map((id) => map.get(id))
  return new Set(ancestorNodes(map, known).map((rev) => rev.revision))
}
