import { AmbiguousRevisionError, MultipleHeadsError, ResolutionError, RevisionError } from './errors.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'

/** The walk result Alembic writes as the string 'base': one step below every base. */
export const BASE = 'base'

/** A resolved position: a revision, {@link BASE}, or `null` (Alembic's `None`: nothing / walked off). */
export type Node = Revision | typeof BASE | null

/** Alembic's relative form: `[label@][symbol](+|-)N`, anchored at the start only, as `re.match` is. */
export const RELATIVE_DESTINATION = /^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-]\d+)/u

/** Python's `int()` on a string; `null` when it is not an integer literal. */
export function parsePythonInt(text: string): number | null {
  return /^\s*[+-]?\d+(?:_\d+)*\s*$/u.test(text) ? Number(text.trim().replaceAll('_', '')) : null
}

/** Narrows a node to a revision; Alembic asserts the same (walks that end on base or nowhere fail here). */
export function isRevision(node: Node, argument: string): Revision {
  if (node === null || node === BASE) {
    throw new RevisionError(
      'invalid-target',
      `Revision argument '${argument}' does not resolve to a revision${node === BASE ? ' (it is base)' : ''}`,
    )
  }
  return node
}

/** Alembic's `_resolve_revision_number`: splits `label@` and expands `heads` / `head` / `base`. */
export function resolveRevisionNumber(
  map: RevisionMap,
  identifier: string | null,
): { readonly ids: readonly string[]; readonly branchLabel: string | null } {
  let id = identifier
  let branchLabel: string | null = null
  if (id?.includes('@')) {
    const at = id.indexOf('@')
    branchLabel = id.slice(0, at)
    id = id.slice(at + 1)
  }
  if (id === 'heads') {
    return branchLabel
      ? { ids: filterForLineage(map, map.heads, branchLabel), branchLabel }
      : { ids: map.realHeads, branchLabel }
  }
  if (id === 'head') {
    const head = currentHead(map, branchLabel)
    return { ids: head === null ? [] : [head], branchLabel }
  }
  if (id === 'base' || id === null) return { ids: [], branchLabel }
  return { ids: [id], branchLabel }
}

/** The single head (of a branch, when `branchLabel` is given); throws {@link MultipleHeadsError}. */
export function currentHead(map: RevisionMap, branchLabel: string | null = null): string | null {
  const heads = branchLabel ? filterForLineage(map, map.heads, branchLabel) : map.heads
  if (heads.length > 1) throw new MultipleHeadsError(heads, branchLabel ? `${branchLabel}@head` : 'head')
  return heads[0] ?? null
}

/** Alembic's `get_revisions`: one identifier or several, to a list of nodes. */
export function getRevisions(
  map: RevisionMap,
  identifier: string | null | readonly (string | null)[],
): Node[] {
  if (identifier !== null && typeof identifier !== 'string') {
    return identifier.flatMap((one) => getRevisions(map, one))
  }
  const { ids, branchLabel } = resolveRevisionNumber(map, identifier)
  const only = ids.length === 1 ? parsePythonInt(ids[0] as string) : null
  if (only !== null && only < 0) {
    // `-N` / `label@-N` walk down from the heads, not from the database's revisions.
    let heads = getRevisions(map, 'heads') as Revision[]
    if (branchLabel !== null) heads = heads.filter((h) => h.allBranchLabels.includes(branchLabel))
    return heads.map((h) => walk(map, h, only))
  }
  return ids.map((id) => revisionForIdent(map, id, branchLabel))
}

/** Alembic's `get_revision`: exactly one revision, or `null` for base. */
export function getRevision(map: RevisionMap, identifier: string | null): Revision | null {
  const { ids, branchLabel } = resolveRevisionNumber(map, identifier)
  if (ids.length > 1) throw new MultipleHeadsError(ids, identifier ?? 'base')
  return revisionForIdent(map, ids[0] ?? null, branchLabel)
}

/** Alembic's `_resolve_branch`: a label or id, exactly, else a unique prefix. */
export function resolveBranch(map: RevisionMap, branchLabel: string): Revision {
  const exact = map.lookupKey(branchLabel)
  if (exact !== undefined) return exact
  try {
    return revisionForIdent(map, branchLabel) as Revision
  } catch (error) {
    if (error instanceof ResolutionError) {
      throw new ResolutionError(`No such branch: '${branchLabel}'`, branchLabel, { cause: error })
    }
    throw error
  }
}

/** Alembic's `_revision_for_ident`: exact key, else unique prefix of a key longer than 3 characters. */
export function revisionForIdent(
  map: RevisionMap,
  id: string | null,
  checkBranch: string | null = null,
): Revision | null {
  const branchRev = checkBranch ? resolveBranch(map, checkBranch) : null
  if (id === null) return null
  let revision = map.lookupKey(id) ?? map.aliasOf(id)
  if (revision === undefined) {
    let candidates = [...map.keys()].filter((key) => key.length > 3 && key.startsWith(id))
    if (branchRev !== null) candidates = filterForLineage(map, candidates, checkBranch)
    if (candidates.length === 0) {
      const hint =
        id.length < 4
          ? '; please ensure at least four characters are present for partial revision identifier matches'
          : ''
      throw new ResolutionError(`Can't locate revision identified by '${id}'${hint}`, id)
    }
    if (candidates.length > 1) throw new AmbiguousRevisionError(id, candidates)
    revision = map.lookupKey(candidates[0] as string) as Revision
  }
  if (branchRev !== null && !sharesLineage(map, revision, [branchRev])) {
    throw new RevisionError(
      'not-in-branch',
      `Revision ${revision.revision} is not a member of branch '${checkBranch}'`,
    )
  }
  return revision
}

/** Alembic's `filter_for_lineage`: the targets on the same line as `checkAgainst`. */
export function filterForLineage<T extends Revision | string>(
  map: RevisionMap,
  targets: readonly T[],
  checkAgainst: string | null,
  includeDependencies = false,
): T[] {
  const { ids, branchLabel } = resolveRevisionNumber(map, checkAgainst)
  const shares: string[] = []
  if (branchLabel) shares.push(branchLabel)
  shares.push(...ids)
  return targets.filter((t) => sharesLineage(map, t, shares, includeDependencies))
}

/** Alembic's `_shares_lineage`: whether any of `against` is `target`, an ancestor or a descendant. */
export function sharesLineage(
  map: RevisionMap,
  target: Revision | string,
  against: readonly (Revision | string)[],
  includeDependencies = false,
): boolean {
  if (against.length === 0) return true
  const resolved = typeof target === 'string' ? (revisionForIdent(map, target) as Revision) : target
  return against.some((one) => {
    const rev = typeof one === 'string' ? revisionForIdent(map, one) : one
    // lineage is symmetric, so look `resolved` up in the (memoised) lineage of `rev`
    return rev !== null && map.lineage(rev, includeDependencies).has(resolved)
  })
}

/**
 * Alembic's `_walk`: `steps` up (> 0) or down (< 0) from `start` (`null` = below the bases).
 * Returns `null` when the walk runs off the graph and `noOverwalk` is set, else stops there.
 */
export function walk(
  map: RevisionMap,
  start: Node,
  steps: number,
  branchLabel: string | null = null,
  noOverwalk = true,
): Node {
  let at: Node = start
  for (let i = 0; i < Math.abs(steps); i++) {
    let children: Node[]
    if (steps > 0) {
      if (at === BASE) throw new RevisionError('invalid-target', 'Cannot walk up from base')
      const up = getRevisions(map, at === null ? map.bases : at.nextRevisions) as Revision[]
      children = branchLabel ? filterForLineage(map, up, branchLabel) : up
    } else if (at === BASE) {
      children = []
    } else {
      children = getRevisions(map, at === null ? map.heads : at.downRevisions)
      if (children.length === 0) children = [BASE]
    }
    if (children.length === 0) return noOverwalk ? null : at
    if (children.length > 1) {
      const from = at === null ? 'base' : at === BASE ? 'base' : at.revision
      const to = children.map((c) => (c === null || c === BASE ? 'base' : c.revision)).join(', ')
      throw new RevisionError(
        'ambiguous-walk',
        `Ambiguous walk from ${from} to one of ${to}; name a revision or a '<branchname>@' prefix to choose`,
      )
    }
    at = children[0] as Node
  }
  return at
}

/**
 * `RevisionMap.resolve`: any identifier `get_revisions` takes, plus `current` for the given
 * database revisions. Base resolves to nothing; a relative walk that runs off the graph throws.
 */
export function resolveIdentifier(
  map: RevisionMap,
  identifier: string,
  current: readonly string[],
): Revision[] {
  const nodes = identifier === 'current' ? getRevisions(map, current) : getRevisions(map, identifier)
  const relative = RELATIVE_DESTINATION.test(identifier)
  const out: Revision[] = []
  for (const node of nodes) {
    if (node === null) {
      throw new RevisionError(
        'relative-overshoot',
        `Relative revision ${identifier} walked past the end of the graph`,
      )
    }
    // A relative walk that ends at base names no revision (Alembic fails on it).
    if (node === BASE && relative) {
      throw new RevisionError('relative-overshoot', `Relative revision ${identifier} walks down to base`)
    }
    // Several heads may walk to one revision: it is named once.
    if (node !== BASE && !out.includes(node)) out.push(node)
  }
  return out
}
