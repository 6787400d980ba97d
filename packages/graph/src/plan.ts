import { MultipleHeadsError, RangeNotAncestorError, RevisionError } from './errors.js'
import { ancestorNodes, descendantNodes } from './graph-walk.js'
import { filterForLineage, getRevision, getRevisions, isRevision } from './identifiers.js'
import type { Revision } from './revision.js'
import type { RevisionMap } from './revision-map.js'
import { iterateRevisions } from './topological.js'
import { parseDowngradeTarget, parseUpgradeTarget, type WarningHandler } from './traversal.js'

/** Which way a step moves. */
export type StepDirection = 'up' | 'down'

/**
 * One step of a plan: a revision's `upgrade()`/`downgrade()`, or a stamp (no module runs).
 * Built by {@link planUpgrade}, {@link planDowngrade} and {@link planStamp}; fed to {@link applyStep}.
 *
 * @example
 * const [step] = planUpgrade(map, [], 'a1')
 * `Running ${step.log}` // 'Running upgrade  -> a1, create account'
 */
export interface MigrationStep {
  readonly direction: StepDirection
  /**
   * whose `upgrade()`/`downgrade()` runs; for a stamp step, the revision stamped to (or, when
   * stamping down to base, the one removed)
   */
  readonly revision: string
  /** Alembic's `from_revisions` (dependencies included): what the version table moves from */
  readonly fromRevisions: readonly string[]
  /** Alembic's `to_revisions` (dependencies included): what the version table moves to */
  readonly toRevisions: readonly string[]
  /** `fromRevisions` without dependencies: what log lines and `--sql` comments print */
  readonly fromRevisionsNoDeps: readonly string[]
  /** `toRevisions` without dependencies: what log lines and `--sql` comments print */
  readonly toRevisionsNoDeps: readonly string[]
  /** true for stamp steps (no module runs) */
  readonly isStamp: boolean
  /** stamp steps only: the step creates or removes a branch rather than moving one */
  readonly branchMove: boolean
  /** the revision's message (first paragraph); empty for stamps */
  readonly message: string
  /** Alembic's `short_log`, e.g. `upgrade a1 -> b2` (ids joined by ', '; empty for base) */
  readonly shortLog: string
  /** `shortLog` plus `, <message>` when there is one: the text after `Running ` */
  readonly log: string
}

/** Options shared by the planners. */
export interface PlanOptions {
  /** called with warnings Alembic would print (e.g. `downgrade -1` from several heads) */
  readonly onWarning?: WarningHandler
}

const freeze = <T>(xs: readonly T[]): readonly T[] => Object.freeze([...xs])

function makeStep(
  fields: Omit<MigrationStep, 'shortLog' | 'log'> & { readonly name: string },
): MigrationStep {
  const { name, ...rest } = fields
  const shortLog = `${name} ${fields.fromRevisionsNoDeps.join(', ')} -> ${fields.toRevisionsNoDeps.join(', ')}`
  return Object.freeze({
    ...rest,
    fromRevisions: freeze(rest.fromRevisions),
    toRevisions: freeze(rest.toRevisions),
    fromRevisionsNoDeps: freeze(rest.fromRevisionsNoDeps),
    toRevisionsNoDeps: freeze(rest.toRevisionsNoDeps),
    shortLog,
    log: fields.message ? `${shortLog}, ${fields.message}` : shortLog,
  })
}

/** The step that runs `rev`'s `upgrade()` (`up`) or `downgrade()` (`down`). */
export function revisionStep(rev: Revision, direction: StepDirection): MigrationStep {
  const up = direction === 'up'
  return makeStep({
    name: up ? 'upgrade' : 'downgrade',
    direction,
    revision: rev.revision,
    fromRevisions: up ? rev.normalizedDownRevisions : [rev.revision],
    toRevisions: up ? [rev.revision] : rev.normalizedDownRevisions,
    fromRevisionsNoDeps: up ? rev.downRevisions : [rev.revision],
    toRevisionsNoDeps: up ? [rev.revision] : rev.downRevisions,
    isStamp: false,
    branchMove: false,
    message: rev.doc,
  })
}

/** A stamp step moving the version rows `from` to `to` without running anything. */
export function stampStep(
  from: readonly string[],
  to: readonly string[],
  direction: StepDirection,
  branchMove: boolean,
): MigrationStep {
  return makeStep({
    name: 'stamp_revision',
    direction,
    revision: to[0] ?? from[0] ?? '',
    fromRevisions: from,
    toRevisions: to,
    fromRevisionsNoDeps: from,
    toRevisionsNoDeps: to,
    isStamp: true,
    branchMove,
    message: '',
  })
}

/**
 * The upgrade steps from the database's revisions `current` to `target` (any identifier, e.g.
 * `head`, `heads`, `label@head`, `+2`, `label@+1`, `<rev>+1`, `head-1`), in the order to run them.
 * Throws {@link MultipleHeadsError} for `head` with several heads, {@link RangeNotAncestorError}
 * when `target` is not above `current`, and a `RevisionError` for ambiguous or overshooting walks.
 *
 * @example
 * planUpgrade(map, [], 'heads').map((s) => s.revision)
 */
export function planUpgrade(
  map: RevisionMap,
  current: readonly string[],
  target: string,
  options: PlanOptions = {},
): readonly MigrationStep[] {
  return asDestination('upgrade', target, () => {
    const revs = iterateRevisions(map, target, current, { implicitBase: true, onWarning: options.onWarning })
    return freeze(revs.reverse().map((r) => revisionStep(r, 'up')))
  })
}

/**
 * The downgrade steps from `current` to `target` (`base`, an id, `label@base`, `-1`, `label@-2`,
 * ...), in the order to run them. `-N` from several current heads walks the first one and reports
 * an `ambiguous-downgrade` warning through `options.onWarning`, as Alembic warns.
 *
 * @example
 * planDowngrade(map, ['b2'], '-1').map((s) => s.shortLog) // ['downgrade b2 -> a1']
 */
export function planDowngrade(
  map: RevisionMap,
  current: readonly string[],
  target: string,
  options: PlanOptions = {},
): readonly MigrationStep[] {
  return asDestination('downgrade', target, () => {
    const revs = iterateRevisions(map, current, target, {
      selectForDowngrade: true,
      onWarning: options.onWarning,
    })
    return freeze(revs.map((r) => revisionStep(r, 'down')))
  })
}

/**
 * Checks a destination that names revisions without the database's (an id, `head`, `label@rev`,
 * `label@base`; not `+1`, `-1` or `current`) with the very parser {@link planUpgrade} or
 * {@link planDowngrade} reads it with, so a typo is reported before a connection is opened and
 * nothing the plan would accept is refused. Throws what the planner would.
 */
export function checkDestination(map: RevisionMap, direction: StepDirection, target: string): void {
  if (direction === 'up') asDestination('upgrade', target, () => parseUpgradeTarget(map, [], target, true))
  else asDestination('downgrade', target, () => parseDowngradeTarget(map, [], target, true))
}

/**
 * Restates a range or multiple-heads error in the command's terms, naming the destination as
 * Alembic's upgrade and downgrade do.
 */
function asDestination<T>(verb: 'upgrade' | 'downgrade', target: string, plan: () => T): T {
  try {
    return plan()
  } catch (error) {
    if (error instanceof MultipleHeadsError && error.argument !== target) {
      throw new MultipleHeadsError(error.heads, target, undefined, { cause: error })
    }
    if (error instanceof RangeNotAncestorError) {
      throw new RangeNotAncestorError(
        error.lower,
        error.upper,
        `Destination ${target} is not a valid ${verb} target from current head(s)`,
        { cause: error },
      )
    }
    throw error
  }
}

/**
 * Alembic's `_stamp_revs`: the stamp steps that make the version table name `targets` (identifiers;
 * empty or `base` clears the matching rows). With `purge`, the caller empties the version table
 * first and the steps are planned from no revisions at all.
 *
 * @example
 * planStamp(map, ['a1'], ['b2']) // one stamp step a1 -> b2 (an UPDATE)
 */
export function planStamp(
  map: RevisionMap,
  current: readonly string[],
  targets: readonly string[],
  options: { readonly purge?: boolean } = {},
): readonly MigrationStep[] {
  try {
    const heads = options.purge ? [] : current
    const headRevs = getRevisions(map, heads).map((n) => isRevision(n, heads.join(', ')))
    const wanted = targets.length === 0 ? ['base'] : targets
    const filtered: Revision[] = []
    for (const rev of wanted) {
      if (!rev) continue
      for (const h of filterForLineage(map, headRevs, rev, true)) if (!filtered.includes(h)) filtered.push(h)
    }
    const resolved = getRevisions(map, wanted)
    const dests = resolved.length > 0 ? resolved : [null]
    const steps: MigrationStep[] = []
    const filteredIds = filtered.map((h) => h.revision)
    for (const node of dests) {
      if (node === null) {
        for (const h of filtered) steps.push(stampStep([h.revision], [], 'down', true))
        continue
      }
      const dest = isRevision(node, wanted.join(' '))
      if (filtered.includes(dest)) continue
      const above = new Set(descendantNodes(map, [dest]))
      const below = new Set(ancestorNodes(map, [dest]))
      if (filtered.some((h) => above.has(h))) {
        if (filtered.some((h) => below.has(h))) {
          throw new RevisionError(
            'invalid-target',
            `Cannot stamp ${dest.revision}: current revisions ${filteredIds.join(', ')} lie both above and below it`,
          )
        }
        steps.push(stampStep(filteredIds, [dest.revision], 'down', false))
        continue
      }
      if (filtered.some((h) => below.has(h))) steps.push(stampStep(filteredIds, [dest.revision], 'up', false))
      else steps.push(stampStep([], [dest.revision], 'up', true))
    }
    return freeze(steps)
  } catch (error) {
    if (error instanceof MultipleHeadsError) {
      throw new MultipleHeadsError(
        error.heads,
        error.argument,
        'Multiple heads are present; please specify a single target revision',
        { cause: error },
      )
    }
    throw error
  }
}

/**
 * The database revisions an offline (`--sql`) run starts from, given the `start` of `start:end`:
 * Alembic's `get_current_heads` in offline mode (`base` = none).
 */
export function resolveStartingRevisions(map: RevisionMap, start: string | null): readonly string[] {
  if (start === null || start === 'base') return freeze([])
  const rev = getRevision(map, start)
  // `head` of an empty graph: Alembic fails on it; a range from nowhere has no meaning.
  if (rev === null) {
    throw new RevisionError('invalid-range', `Starting revision '${start}' of the range names no revision`)
  }
  return freeze([rev.revision])
}
