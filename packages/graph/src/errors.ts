import { MigraphError } from './migraph-error.js'

/** The codes of the conditions that have an error class of their own. */
type ClassedErrorCode =
  | 'invalid-revision-id'
  | 'duplicate-revision'
  | 'missing-revision'
  | 'duplicate-branch-label'
  | 'cycle'
  | 'unknown-revision'
  | 'ambiguous-revision'
  | 'multiple-heads'
  | 'range-not-ancestor'

/** Every error code a graph error can carry; stable, meant for `--json` output and tests. */
export type GraphErrorCode =
  | ClassedErrorCode
  | 'ambiguous-walk'
  | 'relative-overshoot'
  | 'ambiguous-upgrade'
  | 'overlapping-revisions'
  | 'not-in-branch'
  | 'invalid-target'
  | 'invalid-range'
  | 'not-a-head'
  | 'duplicate-heads'
  | 'version-table-mismatch'
  | 'squashed-revision'

const formatPaths = (paths: readonly (string | null | undefined)[]): string => {
  const known = paths.filter((p): p is string => typeof p === 'string' && p.length > 0)
  return known.length === 0 ? '' : ` (${known.join(', ')})`
}

/** Base class of every error the graph raises; `code` is stable, `message` is one line for humans. */
export abstract class GraphError extends MigraphError {
  declare readonly code: GraphErrorCode

  constructor(code: GraphErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}

/** A revision id is empty or contains a character reserved by the identifier grammar. */
export class InvalidRevisionIdError extends GraphError {
  override readonly name = 'InvalidRevisionIdError'
  constructor(
    readonly revision: string,
    readonly characters: readonly string[],
    readonly path: string | null = null,
  ) {
    super(
      'invalid-revision-id',
      revision === ''
        ? `Revision identifier must not be empty${formatPaths([path])}`
        : `Character(s) '${characters.join(', ')}' not allowed in revision identifier '${revision}'${formatPaths([path])}`,
    )
  }
}

/** Two revision files declare the same id. */
export class DuplicateRevisionError extends GraphError {
  override readonly name = 'DuplicateRevisionError'
  constructor(
    readonly revision: string,
    readonly paths: readonly (string | null)[],
  ) {
    super('duplicate-revision', `Revision ${revision} is present more than once${formatPaths(paths)}`)
  }
}

/** A `downRevision` or `dependsOn` entry names a revision (or, for `dependsOn`, a label) that does not exist. */
export class MissingRevisionError extends GraphError {
  override readonly name = 'MissingRevisionError'
  constructor(
    readonly revision: string,
    readonly referencedFrom: string,
    readonly field: 'downRevision' | 'dependsOn',
    readonly path: string | null = null,
  ) {
    super(
      'missing-revision',
      `Revision ${revision} referenced from ${referencedFrom} (${field}) is not present${formatPaths([path])}`,
    )
  }
}

/** A branch label is declared twice, or collides with a revision id. */
export class DuplicateBranchLabelError extends GraphError {
  override readonly name = 'DuplicateBranchLabelError'
  constructor(
    readonly label: string,
    readonly revision: string,
    readonly existing: string,
    readonly paths: readonly (string | null)[] = [],
  ) {
    super(
      'duplicate-branch-label',
      `Branch name '${label}' in revision ${revision} already used by revision ${existing}${formatPaths(paths)}`,
    )
  }
}

/** The graph has a cycle; `dependency` is true when it only closes through `dependsOn`. */
export class CycleError extends GraphError {
  override readonly name = 'CycleError'
  constructor(
    readonly revisions: readonly string[],
    readonly paths: readonly (string | null)[],
    readonly dependency: boolean,
    readonly selfLoop = false,
  ) {
    const kind = `${dependency ? 'Dependency ' : ''}${selfLoop ? 'self-loop' : 'cycle'}`
    super(
      'cycle',
      `${kind.charAt(0).toUpperCase()}${kind.slice(1)} is detected in revisions (${revisions.join(', ')})${formatPaths(paths)}`,
    )
  }
}

/** An identifier (id, prefix, label) does not name any revision. */
export class ResolutionError extends GraphError {
  override readonly name: string = 'ResolutionError'
  declare readonly code: 'unknown-revision' | 'ambiguous-revision'
  constructor(
    message: string,
    readonly argument: string,
    options?: ErrorOptions & { code?: 'ambiguous-revision' },
  ) {
    super(options?.code ?? 'unknown-revision', message, options)
  }
}

/** A partial id matches several revisions (or labels); a kind of {@link ResolutionError}, as in Alembic. */
export class AmbiguousRevisionError extends ResolutionError {
  override readonly name: string = 'AmbiguousRevisionError'
  declare readonly code: 'ambiguous-revision'
  constructor(
    readonly prefix: string,
    readonly candidates: readonly string[],
  ) {
    super(
      `Multiple revisions start with '${prefix}': ${candidates
        .slice(0, 3)
        .map((c) => `'${c}'`)
        .join(', ')}...`,
      prefix,
      { code: 'ambiguous-revision' },
    )
  }
}

/** A single-revision argument such as `head` or `label@head` names several heads. */
export class MultipleHeadsError extends GraphError {
  override readonly name = 'MultipleHeadsError'
  constructor(
    readonly heads: readonly string[],
    readonly argument: string,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(
      'multiple-heads',
      message ??
        `Multiple head revisions are present for given argument '${argument}'; please specify a specific ` +
          `target revision, '<branchname>@${argument}' to narrow to a specific head, or 'heads' for all heads`,
      options,
    )
  }
}

/** The requested range or target is not on the same line of ancestry as the current revisions. */
export class RangeNotAncestorError extends GraphError {
  override readonly name = 'RangeNotAncestorError'
  constructor(
    readonly lower: readonly string[] | string | null,
    readonly upper: readonly string[] | string | null,
    message?: string,
    options?: ErrorOptions,
  ) {
    const show = (v: readonly string[] | string | null): string =>
      v === null || v.length === 0 ? 'base' : typeof v === 'string' ? v : v.join(', ')
    super(
      'range-not-ancestor',
      message ?? `Revision ${show(lower)} is not an ancestor of revision ${show(upper)}`,
      options,
    )
  }
}

/** The codes of the conditions that have no error class of their own. */
export type RevisionErrorCode = Exclude<GraphErrorCode, ClassedErrorCode>

/** Every other condition Alembic reports as a plain `RevisionError`, told apart by `code`. */
export class RevisionError extends GraphError {
  override readonly name = 'RevisionError'
  declare readonly code: RevisionErrorCode
  constructor(code: RevisionErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}
