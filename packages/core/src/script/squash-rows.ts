import { MigraphError, type Squash } from '@migraph/graph'

/** How version-table rows read against a graph's squashes (see {@link readRowsThroughSquashes}). */
export interface SquashedRows {
  /** Squashes that give way to the revisions they replace, for a row inside them. */
  readonly expand: ReadonlySet<string>
  /** The rows as revisions of the graph with those squashes expanded and the rest collapsed. */
  readonly heads: readonly string[]
  /** squash → the row the table holds for it (the last revision it replaces). */
  readonly stored: ReadonlyMap<string, string>
}

/**
 * Django's reading of version rows against squashes: a row at a replaced revision other than the
 * last keeps the originals (the database goes on with them); a row at the last stands for the
 * squash. A row in the middle of a squash whose originals are gone is refused, with what to do.
 * `applied` (the revisions the history says are applied) tells a database that ran a squash
 * whole, which a target inside the squash cannot reach either.
 */
export function readRowsThroughSquashes(
  squashes: readonly Squash[],
  rows: readonly string[],
  targets: readonly string[] = [],
  applied: ReadonlySet<string> = new Set(),
): SquashedRows {
  const forTargets = squashesExpandedForTargets(squashes, targets)
  const expand = new Set<string>(forTargets)
  const heads: string[] = []
  const stored = new Map<string, string>()
  for (const row of rows) {
    const squash = squashes.find((s) => s.replaces.includes(row))
    const last = squash?.replaces[squash.replaces.length - 1]
    if (squash === undefined) {
      heads.push(row)
    } else if (row === last) {
      heads.push(squash.revision)
      stored.set(squash.revision, row)
    } else if (squash.present.length === squash.replaces.length) {
      expand.add(squash.revision)
      heads.push(row)
    } else {
      const missing = squash.replaces.filter((id) => !squash.present.includes(id))
      throw new MigraphError(
        'unknown-revision-in-database',
        `the version table records revision '${row}', which squash ${squash.revision} replaces, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} no longer in the versions folder; restore the revisions ${squash.revision} replaces from version control, run 'mig upgrade ${last}' (the last one it replaces), then delete them again`,
      )
    }
  }
  // An expanded squash is not in the graph to stand for any row: a row held at its last replaced
  // id stays as read. A database that applied the squash itself ran it as one revision, and
  // its history says so: there is no stopping inside it (Django's rule too).
  for (const id of expand) {
    const at = heads.indexOf(id)
    const row = at === -1 ? undefined : stored.get(id)
    const ranWhole = at !== -1 ? row === undefined : forTargets.includes(id) && applied.has(id)
    if (ranWhole) {
      throw new MigraphError(
        'squashed-revision',
        `the database applied squash ${id} as one revision, so ${targets.map((t) => `'${t}'`).join(', ')} inside it cannot be reached; downgrade below ${id} first, then upgrade to the target`,
      )
    }
    if (row === undefined) continue
    heads[at] = row
    stored.delete(id)
  }
  return { expand, heads, stored }
}

/** The revision a target names before any `label@` and relative step: `ae10` of `br@ae10+2`. */
function revisionPartOf(target: string): string {
  const at = target.lastIndexOf('@')
  return (at === -1 ? target : target.slice(at + 1)).replace(/[+-]\d+$/, '')
}

/**
 * Squashes to expand so that a target inside one can be reached: `upgrade r3` or `stamp r3`, for
 * a revision a squash replaces other than its last, stops at r3 through the originals rather than
 * running (or recording) the whole squash. With the originals deleted there is no such point any
 * more: refused, naming the squash and the targets that exist.
 */
export function squashesExpandedForTargets(
  squashes: readonly Squash[],
  targets: readonly string[],
): string[] {
  const expand: string[] = []
  for (const target of targets) {
    const part = revisionPartOf(target)
    if (part.length === 0 || part === 'head' || part === 'heads' || part === 'base') continue
    for (const squash of squashes) {
      const inner = squash.replaces.slice(0, -1).filter((id) => id.startsWith(part))
      if (inner.length !== 1 || squash.replaces.some((id) => id !== inner[0] && id.startsWith(part))) continue
      if (squash.present.length !== squash.replaces.length) {
        throw new MigraphError(
          'squashed-revision',
          `target '${target}' names revision '${inner[0]}', which squash ${squash.revision} replaces, and the revisions it replaces are no longer in the versions folder; a database can only stop before the squash or at ${squash.revision}`,
        )
      }
      if (!expand.includes(squash.revision)) expand.push(squash.revision)
    }
  }
  return expand
}
