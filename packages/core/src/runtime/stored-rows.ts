import type { VersionChange } from '@migraph/graph'

/**
 * Version-table changes naming each row as the table holds it: a squash's row is held under the
 * last id it replaces until a step changes it (see `ScriptDirectory.forVersions`). `stored` maps
 * squash → held id; an entry is used once, then dropped, since the row then holds its own id.
 */
export function asStored(
  changes: readonly VersionChange[],
  stored: Map<string, string>,
): readonly VersionChange[] {
  if (stored.size === 0) return changes
  return changes.map((change) => {
    const id = change.kind === 'update' ? change.from : change.kind === 'delete' ? change.version : undefined
    const held = id === undefined ? undefined : stored.get(id)
    if (held === undefined) return change
    stored.delete(id as string)
    return change.kind === 'update' ? { ...change, from: held } : { kind: 'delete', version: held }
  })
}
