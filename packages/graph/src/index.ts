/**
 * @migraph/graph: the pure revision graph of migraph, with Alembic 1.8's semantics.
 *
 * - {@link RevisionMap.build} validates revisions (typed errors naming the files at fault) and
 *   links them; `map.resolve(identifier)` understands Alembic's whole identifier grammar.
 * - {@link planUpgrade}, {@link planDowngrade}, {@link planStamp} turn current revisions and a
 *   target into steps; {@link applyStep} gives each step's version-table changes.
 * - Warnings Alembic prints (only `downgrade -1` from several heads) are reported through the
 *   `onWarning` callback of the planners' options, never printed.
 * - {@link historyRange}, {@link listHeads}, {@link branchPoints}, {@link currentRevisions} and
 *   {@link placeNewRevision} back the read-only commands and `revision` / `merge`.
 * - `map.snapshot()` and {@link RevisionMap.restore} keep a built graph as JSON and give it back,
 *   for the same inputs, without building it again (the CLI's cache of unchanged revisions).
 *
 * Nothing here recurses on graph depth, touches the filesystem or prints.
 *
 * @example
 * import { RevisionMap, planUpgrade, applyStep } from '@migraph/graph'
 * const map = RevisionMap.build(revisions)
 * let heads: readonly string[] = []
 * for (const step of planUpgrade(map, heads, 'heads')) heads = applyStep(map, heads, step).heads
 */
export { verifyRevisionId } from './build.js'
export {
  AmbiguousRevisionError,
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  GraphError,
  type GraphErrorCode,
  InvalidRevisionIdError,
  MissingRevisionError,
  MultipleHeadsError,
  RangeNotAncestorError,
  ResolutionError,
  RevisionError,
} from './errors.js'
export { applyStep, type VersionChange } from './head-maintainer.js'
export {
  type BranchPoint,
  branchPoints,
  currentRevisions,
  historyRange,
  listHeads,
  splitRevisionRange,
  walkRevisions,
} from './history.js'
export { MigraphError } from './migraph-error.js'
export { type NewRevisionOptions, placeNewRevision } from './new-revision.js'
export {
  checkDestination,
  type MigrationStep,
  type PlanOptions,
  planDowngrade,
  planStamp,
  planUpgrade,
  resolveStartingRevisions,
  revisionStep,
  type StepDirection,
} from './plan.js'
export { Revision, type RevisionInput } from './revision.js'
export { RevisionMap } from './revision-map.js'
export type { GraphSnapshot, RevisionColumns } from './snapshot.js'
export { findSquashes, type Squash, type SquashView, squashRange, squashView } from './squash.js'
export type { GraphWarning, WarningHandler } from './traversal.js'
export { impliedRevisions, overlappingVersions } from './version-rows.js'
