/**
 * One revision as read from a revision file, before the graph is built.
 *
 * @example
 * const input: RevisionInput = { revision: '1975ea83b712', downRevision: null, message: 'add account' }
 */
export interface RevisionInput {
  readonly revision: string
  readonly downRevision: string | readonly string[] | null
  readonly branchLabels?: readonly string[] | null
  /** revision ids or branch labels this revision also needs (Alembic's `depends_on`) */
  readonly dependsOn?: readonly string[] | null
  readonly message?: string | null
  /** the file it came from; named in error messages */
  readonly path?: string | null
  readonly createDate?: string | null
  /** the ids of the revisions this one squashes, in order (Django's `replaces`) */
  readonly replaces?: readonly string[] | null
}

/**
 * Everything the builder computes about one revision; the constructor input of {@link Revision},
 * which copies the fields (so a builder may fill one object for every revision in turn).
 */
export interface RevisionData {
  readonly index: number
  readonly revision: string
  readonly downRevisions: readonly string[]
  readonly dependsOn: readonly string[]
  readonly resolvedDependencies: readonly string[]
  readonly normalizedDependencies: readonly string[]
  readonly branchLabels: readonly string[]
  readonly allBranchLabels: readonly string[]
  readonly message: string
  readonly path: string | null
  readonly createDate: string | null
  readonly nextRevisions: readonly string[]
  readonly allNextRevisions: readonly string[]
}

const EMPTY: readonly string[] = Object.freeze([])

/** A {@link RevisionData} a builder fills anew for each revision. */
export type RevisionFields = { -readonly [K in keyof RevisionData]: RevisionData[K] }

/** Fields for a builder to fill: one object serves every revision of a graph. */
export function revisionFields(): RevisionFields {
  return {
    index: 0,
    revision: '',
    downRevisions: EMPTY,
    dependsOn: EMPTY,
    resolvedDependencies: EMPTY,
    normalizedDependencies: EMPTY,
    branchLabels: EMPTY,
    allBranchLabels: EMPTY,
    message: '',
    path: null,
    createDate: null,
    nextRevisions: EMPTY,
    allNextRevisions: EMPTY,
  }
}

/** Freezes a list the builder owns (no copy); every empty list is one shared frozen array. */
const own = (ids: readonly string[]): readonly string[] => (ids.length === 0 ? EMPTY : Object.freeze(ids))

const joinUnique = (a: readonly string[], b: readonly string[]): readonly string[] =>
  b.length === 0 && a.length <= 1 ? a : Object.freeze([...new Set([...a, ...b])])

/**
 * A revision inside a built {@link RevisionMap}: its links in both directions and Alembic's
 * head / base / branch-point / merge-point flags. Instances are frozen. The fields are `declare`d:
 * each is set once by the constructor, where an ES2022 field would first be defined empty, a cost
 * every command pays once per revision.
 *
 * @example
 * const rev = map.get('1975ea83b712')
 * rev.isHead // true when no revision names it in `downRevision`
 */
export class Revision {
  /** position in the input order; Alembic breaks ordering ties by it */
  declare readonly index: number
  declare readonly revision: string
  /** `downRevision` as a list (empty for a base) */
  declare readonly downRevisions: readonly string[]
  /** `dependsOn` as written (ids or branch labels) */
  declare readonly dependsOn: readonly string[]
  /** `dependsOn` resolved to revision ids */
  declare readonly resolvedDependencies: readonly string[]
  /** resolved dependencies that are not already dependencies of an ancestor (Alembic's normalized set) */
  declare readonly normalizedDependencies: readonly string[]
  /** labels declared by this revision */
  declare readonly branchLabels: readonly string[]
  /** all labels that apply (Alembic's propagated `branch_labels`): own labels plus those of its branch */
  declare readonly allBranchLabels: readonly string[]
  /** the full message (docstring) */
  declare readonly message: string
  declare readonly path: string | null
  declare readonly createDate: string | null
  /** revisions whose `downRevision` names this one */
  declare readonly nextRevisions: readonly string[]
  /** revisions whose `downRevision` or `dependsOn` names this one */
  declare readonly allNextRevisions: readonly string[]
  /** `downRevisions` followed by `normalizedDependencies`: what an upgrade step comes from */
  declare readonly normalizedDownRevisions: readonly string[]
  /** `downRevisions` followed by every resolved dependency */
  declare readonly allDownRevisions: readonly string[]

  /** Takes ownership of the lists in `data` and freezes them; only the graph builder calls this. */
  constructor(data: RevisionData) {
    this.index = data.index
    this.revision = data.revision
    this.downRevisions = own(data.downRevisions)
    this.dependsOn = own(data.dependsOn)
    this.resolvedDependencies = own(data.resolvedDependencies)
    this.normalizedDependencies = own(data.normalizedDependencies)
    this.branchLabels = own(data.branchLabels)
    this.allBranchLabels = own(data.allBranchLabels)
    this.message = data.message
    this.path = data.path
    this.createDate = data.createDate
    this.nextRevisions = own(data.nextRevisions)
    this.allNextRevisions = own(data.allNextRevisions)
    this.normalizedDownRevisions = joinUnique(this.downRevisions, this.normalizedDependencies)
    this.allDownRevisions = joinUnique(this.downRevisions, this.resolvedDependencies)
    Object.freeze(this)
  }

  /** the first paragraph of the message: what Alembic prints after `Running upgrade a -> b, ` */
  get doc(): string {
    return this.message.split('\n\n')[0] ?? ''
  }

  /** no revision names this one in `downRevision` (Alembic's `is_head`) */
  get isHead(): boolean {
    return this.nextRevisions.length === 0
  }

  /** no revision names this one in `downRevision` or `dependsOn`; a head that is not real is an "effective head" */
  get isRealHead(): boolean {
    return this.allNextRevisions.length === 0
  }

  /** `downRevision` is empty */
  get isBase(): boolean {
    return this.downRevisions.length === 0
  }

  /** a base that also declares no dependencies */
  get isRealBase(): boolean {
    return this.downRevisions.length === 0 && this.dependsOn.length === 0
  }

  /** more than one revision names this one in `downRevision` */
  get isBranchPoint(): boolean {
    return this.nextRevisions.length > 1
  }

  /** more than one revision names this one in `downRevision` or `dependsOn` */
  get isRealBranchPoint(): boolean {
    return this.allNextRevisions.length > 1
  }

  /** `downRevision` names more than one revision */
  get isMergePoint(): boolean {
    return this.downRevisions.length > 1
  }
}
