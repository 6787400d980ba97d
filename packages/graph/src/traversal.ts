import { RangeNotAncestorError, RevisionError } from './errors.js'
import { ancestorNodes, descendantNodes } from './graph-walk.js'
import {
  BASE,
  filterForLineage,
  getRevision,
  getRevisions,
  isRevision,
  type Node,
  RELATIVE_DESTINATION,
  resolveBranch,
  walk,
} from './identifiers.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'

/** A non-fatal condition a plan reports instead of printing (Alembic's `util.warn`). */
export interface GraphWarning {
  readonly code: 'ambiguous-downgrade'
  readonly message: string
}

/** Receives warnings raised while planning. */
export type WarningHandler = (warning: GraphWarning) => void

/** An identifier, a list of revision ids (e.g. the database's rows), or nothing (base). */
export type RevisionArgument = string | readonly string[] | null

const toList = (value: RevisionArgument): readonly string[] =>
  value === null ? [] : typeof value === 'string' ? [value] : value

const show = (value: RevisionArgument): string => (value === null ? 'base' : toList(value).join(', '))

/** Alembic's `_parse_downgrade_target`: a branch label (if any) and the node a downgrade stops at. */
export function parseDowngradeTarget(
  map: RevisionMap,
  currentRevisions: RevisionArgument,
  target: string | null,
  assertRelativeLength: boolean,
  onWarning?: WarningHandler,
): { readonly branchLabel: string | null; readonly target: Node } {
  if (target === null) return { branchLabel: null, target: null }
  const match = RELATIVE_DESTINATION.exec(target)
  if (match) {
    let branchLabel = match[1] ?? null
    let symbol = match[2] ?? null
    const relative = match[3] as string
    const steps = Number(relative)
    const overshoot = (): RevisionError =>
      new RevisionError(
        'relative-overshoot',
        `Relative revision ${relative} didn't produce ${Math.abs(steps)} migrations`,
      )
    if (steps >= 0) {
      if (symbol === null) throw overshoot()
      const rev = walk(map, getRevision(map, symbol), steps, branchLabel, assertRelativeLength)
      if (rev === null) throw new RevisionError('relative-overshoot', `Walked too far: ${target}`)
      return { branchLabel, target: rev }
    }
    const relativeToCurrent = symbol === null
    if (relativeToCurrent) {
      const current = toList(currentRevisions)
      if (branchLabel) {
        let onBranch: readonly string[] = filterForLineage(map, current, branchLabel)
        if (onBranch.length === 0) {
          // every head of the branch may be implied by a dependency of another current head
          onBranch = filterForLineage(map, allCurrent(map, current), branchLabel).map((r) => r.revision)
        }
        if (onBranch.length !== 1) {
          throw new RevisionError(
            'invalid-target',
            `Branch '${branchLabel}' has ${onBranch.length === 0 ? 'no' : 'several'} current revisions; cannot apply ${target}`,
          )
        }
        symbol = onBranch[0] as string
      } else {
        if (current.length === 0) throw overshoot()
        if (new Set(current).size > 1) {
          onWarning?.({
            code: 'ambiguous-downgrade',
            message:
              'downgrade -1 from multiple heads is ambiguous; this usage will be disallowed in a future release.',
          })
        }
        symbol = current[0] as string
        // walk only the line of the first current head
        branchLabel = symbol
      }
    }
    const start =
      branchLabel === null ? getRevision(map, symbol) : getRevision(map, `${branchLabel}@${symbol}`)
    const rev = walk(map, start, steps, null, assertRelativeLength)
    if (rev === null) {
      if (relativeToCurrent) throw overshoot()
      throw new RevisionError('relative-overshoot', `Walked too far: ${target}`)
    }
    return { branchLabel, target: rev }
  }
  const at = target.lastIndexOf('@')
  return {
    branchLabel: at > 0 ? target.slice(0, at) : null,
    target: getRevision(map, at >= 0 ? target.slice(at + 1) : target),
  }
}

/** Alembic's `_parse_upgrade_target`: the nodes an upgrade (or history range) leads to. */
export function parseUpgradeTarget(
  map: RevisionMap,
  currentRevisions: RevisionArgument,
  target: RevisionArgument,
  assertRelativeLength: boolean,
): Node[] {
  const match = typeof target === 'string' ? RELATIVE_DESTINATION.exec(target) : null
  if (!match) return getRevisions(map, target)
  const branchLabel = match[1] ?? null
  const symbol = match[2] ?? null
  const relativeText = match[3] as string
  const steps = Number(relativeText)
  if (steps > 0) {
    if (symbol !== null) {
      return [walk(map, getRevision(map, symbol), steps, branchLabel, assertRelativeLength)]
    }
    const current: readonly (string | null)[] =
      toList(currentRevisions).length > 0 ? toList(currentRevisions) : [null]
    let starts: readonly (string | Revision | null)[] = current
    if (branchLabel) {
      starts = filterForLineage(map, getRevisions(map, current) as Revision[], branchLabel)
      if (starts.length === 0) {
        // the branch has no current head: start from its newest applied revision (or its base)
        const active = filterForLineage(
          map,
          ancestorNodes(map, getRevisions(map, current) as Revision[]),
          branchLabel,
        )
        const below = new Set(active.flatMap((r) => r.normalizedDownRevisions))
        const tips = active.map((r) => r.revision).filter((id) => !below.has(id))
        starts = tips.length > 0 ? tips : [null]
      }
    }
    if (starts.length > 1) {
      throw new RevisionError('ambiguous-upgrade', 'Ambiguous upgrade from multiple current revisions')
    }
    const first = starts[0] ?? null
    const start = typeof first === 'string' ? getRevision(map, first) : first
    const rev = walk(map, start, steps, branchLabel, assertRelativeLength)
    if (rev === null) {
      throw new RevisionError(
        'relative-overshoot',
        `Relative revision ${relativeText} didn't produce ${steps} migrations`,
      )
    }
    return [rev]
  }
  if (symbol === null) {
    throw new RevisionError(
      'relative-overshoot',
      `Relative revision ${steps} didn't produce ${Math.abs(steps)} migrations`,
    )
  }
  const start = branchLabel === null ? getRevision(map, symbol) : getRevision(map, `${branchLabel}@${symbol}`)
  return [walk(map, start, steps, null, assertRelativeLength)]
}

/** Options of the two collectors, as in Alembic's `iterate_revisions`. */
export interface CollectOptions {
  readonly inclusive?: boolean
  readonly implicitBase?: boolean
  readonly assertRelativeLength?: boolean
  readonly onWarning?: WarningHandler | undefined
}

/** Alembic's `_collect_upgrade_revisions`: what lies between `lower` and `upper`. */
export function collectUpgradeRevisions(
  map: RevisionMap,
  upper: RevisionArgument,
  lower: RevisionArgument,
  options: CollectOptions,
): { readonly revisions: Set<Revision>; readonly heads: readonly Revision[] } {
  const arl = options.assertRelativeLength ?? true
  let targets = parseUpgradeTarget(map, lower, upper, arl).map((n) => isRevision(n, show(upper)))
  if (typeof lower === 'string' && lower.includes('@')) {
    let branch = lower.slice(0, lower.indexOf('@'))
    const branchRev = getRevision(map, branch)
    if (branchRev !== null && branchRev.revision === branch) {
      // a revision was used as the label: use the label of its branch
      if (branchRev.allBranchLabels.length !== 1) {
        throw new RevisionError('invalid-target', `Revision ${branch} does not belong to exactly one branch`)
      }
      branch = branchRev.allBranchLabels[0] as string
    }
    targets = targets.filter((t) => t.allBranchLabels.includes(branch))
  }
  const required = new Set(ancestorNodes(map, targets, true, true))
  for (const t of targets) required.add(t)

  let current = getRevisions(map, lower)
  if (!options.implicitBase && current.some((r) => r !== null && (r === BASE || !required.has(r)))) {
    throw new RangeNotAncestorError(lower, upper)
  }
  let lowerArg = lower
  if (current.length > 0 && current[0] === null) {
    // `lower` is relative (e.g. `-3`): resolve it against `upper`
    const { target } = parseDowngradeTarget(map, upper, typeof lower === 'string' ? lower : null, arl)
    if (target === null)
      throw new RevisionError('relative-overshoot', `Relative revision ${show(lower)} is out of range`)
    current = target === BASE ? [] : [target]
    lowerArg = target === BASE ? null : target.revision
  }
  // Alembic checks the revisions for overlaps one by one and fails on a non-revision only when
  // it meets it: the revisions before it are checked first.
  const firstMissing = current.findIndex((n) => n === null || n === BASE)
  if (firstMissing > 1) ancestorNodes(map, current.slice(0, firstMissing) as Revision[], true, true)
  const currentRevs = current.map((n) => isRevision(n, show(lower)))
  const currentSet = new Set(ancestorNodes(map, currentRevs, true, true))
  for (const c of currentRevs) currentSet.add(c)
  const needs = new Set<Revision>()
  for (const r of required) if (!currentSet.has(r)) needs.add(r)
  if (options.inclusive) {
    for (const n of getRevisions(map, lowerArg)) needs.add(isRevision(n, show(lowerArg)))
  }
  if (currentRevs.length > 0 && !options.implicitBase) {
    const above = new Set(descendantNodes(map, currentRevs, false, true))
    for (const r of needs) if (!above.has(r)) needs.delete(r)
  }
  return { revisions: needs, heads: targets }
}

/** Alembic's `_collect_downgrade_revisions`: what must be undone to go from `upper` down to `target`. */
export function collectDowngradeRevisions(
  map: RevisionMap,
  upper: RevisionArgument,
  target: string | null,
  options: CollectOptions,
): { readonly revisions: Set<Revision>; readonly heads: readonly Revision[] } {
  const parsed = parseDowngradeTarget(
    map,
    upper,
    target,
    options.assertRelativeLength ?? true,
    options.onWarning,
  )
  const branchLabel = parsed.branchLabel
  const targetRev = parsed.target === BASE ? null : parsed.target
  let roots: Revision[]
  if (targetRev === null) roots = map.revisions.filter((r) => r.isBase)
  else if (options.inclusive) roots = [targetRev]
  else roots = getRevisions(map, targetRev.nextRevisions).map((n) => isRevision(n, targetRev.revision))

  if (branchLabel && roots.length > 1) {
    const onBranch = new Set(ancestorNodes(map, [resolveBranch(map, branchLabel)], false))
    roots = roots.filter((r) => onBranch.has(r))
    if (roots.length === 0) {
      throw new RevisionError('invalid-target', 'Not a valid downgrade target from current heads')
    }
  }
  const heads = getRevisions(map, upper).map((n) => isRevision(n, show(upper)))
  const active = new Set(ancestorNodes(map, heads, true))
  const drop = new Set<Revision>()
  for (const r of descendantNodes(map, roots, true)) if (active.has(r)) drop.add(r)
  if (options.implicitBase) {
    const kept = new Set(ancestorNodes(map, roots))
    for (const r of active) if (!kept.has(r)) drop.add(r)
  }
  if (targetRev !== null && drop.size === 0 && !heads.includes(targetRev)) {
    throw new RangeNotAncestorError('Nothing to drop', upper)
  }
  return { revisions: drop, heads }
}

/** Alembic's `_get_all_current`: the branch tips implied by the database's revisions, in map order. */
export function allCurrent(map: RevisionMap, ids: readonly string[]): Revision[] {
  const top = getRevisions(map, ids).map((n) => isRevision(n, ids.join(', ')))
  const closed = new Set(ancestorNodes(map, top, true))
  for (const t of top) closed.add(t)
  // the set is closed under ancestry, so "no descendant inside" is "no child inside"
  return map.revisions.filter((r) => closed.has(r) && !r.nextRevisions.some((id) => closed.has(map.get(id))))
}
