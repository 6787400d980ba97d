import { RevisionError } from './errors.js'
import { ancestorNodes } from './graph-walk.js'
import type { MigrationStep } from './plan.js'
import type { RevisionMap } from './revision-map.js'

/** One change to the version table: a row inserted, renamed in place, or deleted. */
export type VersionChange =
  | { readonly kind: 'insert'; readonly version: string }
  | { readonly kind: 'update'; readonly from: string; readonly to: string }
  | { readonly kind: 'delete'; readonly version: string }

const mismatch = (message: string): RevisionError => new RevisionError('version-table-mismatch', message)

/** The version rows as a mutable working copy, recording each change (Alembic's HeadMaintainer). */
class Rows {
  readonly heads: string[]
  readonly changes: VersionChange[] = []
  constructor(heads: readonly string[]) {
    this.heads = [...heads]
  }
  has(version: string): boolean {
    return this.heads.includes(version)
  }
  insert(version: string): void {
    if (this.has(version)) throw mismatch(`Cannot insert version ${version}: it is already present`)
    this.heads.push(version)
    this.changes.push(Object.freeze({ kind: 'insert', version }))
  }
  delete(version: string): void {
    const at = this.heads.indexOf(version)
    if (at === -1) throw mismatch(`Cannot delete version ${version}: it is not present`)
    this.heads.splice(at, 1)
    this.changes.push(Object.freeze({ kind: 'delete', version }))
  }
  update(from: string, to: string): void {
    if (this.has(to)) throw mismatch(`Cannot update version ${from} to ${to}: ${to} is already present`)
    const at = this.heads.indexOf(from)
    if (at === -1) throw mismatch(`Cannot update version ${from} to ${to}: ${from} is not present`)
    this.heads[at] = to
    this.changes.push(Object.freeze({ kind: 'update', from, to }))
  }
}

/** Ids below any of `heads` (dependencies included), as Alembic's `_get_ancestor_nodes` gives them. */
function ancestorIds(map: RevisionMap, heads: readonly string[]): Set<string> {
  return new Set(
    ancestorNodes(
      map,
      heads.map((h) => map.get(h)),
    ).map((r) => r.revision),
  )
}

/**
 * The effect of one step on the version table: Alembic's `HeadMaintainer.update_to_step`. One row
 * per head: a new branch inserts, a step updates, a merge deletes all but one parent row and
 * updates the last, an unmerge inserts all but one and updates, a step down to base deletes.
 * `heads` keeps the input order; inserted rows go last, updated rows keep their place.
 *
 * Where Alembic picks rows out of an unordered set (which parent row a merge updates), the order of
 * `fromRevisions` / `toRevisions` decides: the last one is updated, the others deleted or inserted.
 *
 * @example
 * applyStep(map, ['a1'], planUpgrade(map, ['a1'], 'b2')[0])
 * // { heads: ['b2'], changes: [{ kind: 'update', from: 'a1', to: 'b2' }] }
 */
export function applyStep(
  map: RevisionMap,
  heads: readonly string[],
  step: MigrationStep,
): { readonly heads: readonly string[]; readonly changes: readonly VersionChange[] } {
  const rows = new Rows(heads)
  if (step.isStamp) applyStamp(rows, step)
  else applyRevision(map, rows, step)
  return Object.freeze({ heads: Object.freeze(rows.heads), changes: Object.freeze(rows.changes) })
}

function applyStamp(rows: Rows, step: MigrationStep): void {
  const from = step.fromRevisions
  const to = step.toRevisions
  const up = step.direction === 'up'
  const single = (list: readonly string[], what: string): string => {
    if (list.length !== 1)
      throw mismatch(`Stamp step expects exactly one ${what} revision, got ${list.length}`)
    return list[0] as string
  }
  if (!up && step.branchMove) {
    rows.delete(single(from, 'source'))
  } else if (up && (step.branchMove || from.some((f) => !rows.has(f))) && to.some((t) => !rows.has(t))) {
    rows.insert(single(to, 'destination'))
  } else if (from.length > 1) {
    for (const f of from.slice(0, -1)) rows.delete(f)
    rows.update(from[from.length - 1] as string, single(to.slice(0, 1), 'destination'))
  } else if (to.length > 1) {
    for (const t of to.slice(0, -1)) rows.insert(t)
    rows.update(single(from.slice(0, 1), 'source'), to[to.length - 1] as string)
  } else {
    rows.update(single(from, 'source'), single(to, 'destination'))
  }
}

function applyRevision(map: RevisionMap, rows: Rows, step: MigrationStep): void {
  const rev = map.get(step.revision)
  const id = rev.revision
  const downs = rev.normalizedDownRevisions
  const up = step.direction === 'up'
  const others = (exclude: readonly string[]): string[] => rows.heads.filter((h) => !exclude.includes(h))
  // what a downgrade leaves behind: the parents no other remaining head already implies
  const unmergeTo = (): readonly string[] => {
    const rest = others([id])
    if (rest.length === 0) return step.toRevisions
    const implied = ancestorIds(map, rest)
    return step.toRevisions.filter((t) => !implied.has(t))
  }

  if (!up && rows.has(id) && (downs.length === 0 || unmergeTo().length === 0)) {
    rows.delete(id)
  } else if (up && (downs.length === 0 || !downs.some((d) => rows.has(d)))) {
    rows.insert(id)
  } else if (up && downs.length > 1 && downs.filter((d) => rows.has(d)).length > 1) {
    const rest = others(step.fromRevisions)
    let from = [...step.fromRevisions]
    if (rest.length > 0) {
      const implied = ancestorIds(map, rest)
      from = from.filter((f) => !implied.has(f))
    }
    if (from.length === 0) throw mismatch(`Cannot merge into ${id}: no parent row to update`)
    for (const f of from.slice(0, -1)) rows.delete(f)
    rows.update(from[from.length - 1] as string, step.toRevisions[0] as string)
  } else if (!up && rows.has(id) && downs.length > 1) {
    const to = unmergeTo()
    for (const t of to.slice(0, -1)) rows.insert(t)
    rows.update(step.fromRevisions[0] as string, to[to.length - 1] as string)
  } else {
    let down: string
    if (downs.length === 1) {
      down = downs[0] as string
    } else {
      const present = downs.filter((d) => rows.has(d))
      if (present.length !== 1) {
        throw mismatch(`Can't do an UPDATE for ${id} because its down revision is ambiguous`)
      }
      down = present[0] as string
    }
    if (up) rows.update(down, id)
    else rows.update(id, down)
  }
}
