import { verifyRevisionId } from './build.js'
import {
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  MultipleHeadsError,
  RevisionError,
} from './errors.js'
import { BASE, getRevision, getRevisions } from './identifiers.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'

/** Options of {@link placeNewRevision}: the `revision` / `merge` command's graph arguments. */
export interface NewRevisionOptions {
  /** `--head` (default `head`), or the revisions `merge` joins (e.g. `['heads']`, `['ae10', 'bf21']`) */
  readonly head?: string | readonly string[]
  /** `--splice`: allow a head that is not a head (starts a new branch) */
  readonly splice?: boolean
  /** `--branch-label`: checked against existing labels and ids */
  readonly branchLabel?: readonly string[]
  /** `--depends-on`: ids, prefixes or labels; labels are kept, everything else becomes a full id */
  readonly dependsOn?: readonly string[]
  /** `--rev-id` (or the generated id): checked for legal characters and uniqueness */
  readonly revision?: string
}

/**
 * Where a new revision goes, as Alembic's `ScriptDirectory.generate_revision` decides: its down
 * revisions (none for `--head base`) and its resolved `dependsOn`. Throws `MultipleHeadsError`
 * when `head` is ambiguous, `not-a-head` without `splice`, `duplicate-heads`, and label or id
 * collisions.
 *
 * @example
 * placeNewRevision(map, {}) // { downRevisions: ['b2'], dependsOn: [] } on a single-headed graph
 * placeNewRevision(map, { head: ['heads'] }) // a merge of every head
 */
export function placeNewRevision(
  map: RevisionMap,
  options: NewRevisionOptions = {},
): { readonly downRevisions: readonly string[]; readonly dependsOn: readonly string[] } {
  if (options.revision !== undefined) {
    verifyRevisionId(options.revision)
    if (map.has(options.revision)) {
      throw new DuplicateRevisionError(options.revision, [map.get(options.revision).path])
    }
  }
  const head = options.head ?? 'head'
  let heads: Revision[]
  try {
    heads = getRevisions(map, head).map((node) => {
      if (node === null || node === BASE) {
        throw new RevisionError('invalid-target', `Head argument '${String(head)}' does not name a revision`)
      }
      return node
    })
  } catch (error) {
    if (error instanceof MultipleHeadsError) {
      throw new MultipleHeadsError(
        error.heads,
        error.argument,
        'Multiple heads are present; please specify the head revision on which the new revision should be ' +
          'based, or perform a merge.',
        { cause: error },
      )
    }
    throw error
  }
  if (new Set(heads).size !== heads.length) {
    throw new RevisionError('duplicate-heads', 'Duplicate head revisions specified')
  }
  if (!options.splice) {
    for (const h of heads) {
      if (!h.isHead) {
        throw new RevisionError(
          'not-a-head',
          `Revision ${h.revision} is not a head revision; please specify --splice to create a new branch from this revision`,
        )
      }
    }
  }
  const dependsOn = (options.dependsOn ?? []).map((dep) => {
    const rev = getRevision(map, dep)
    if (rev === null)
      throw new RevisionError('invalid-target', `Dependency '${dep}' does not name a revision`)
    return rev.allBranchLabels.includes(dep) ? dep : rev.revision
  })
  for (const label of options.branchLabel ?? []) {
    const owner = map.lookupKey(label)
    if (owner !== undefined) {
      throw new DuplicateBranchLabelError(label, options.revision ?? '(new revision)', owner.revision, [
        owner.path,
      ])
    }
  }
  return Object.freeze({
    downRevisions: Object.freeze(heads.map((h) => h.revision)),
    dependsOn: Object.freeze(dependsOn),
  })
}
