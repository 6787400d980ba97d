import { buildGraph } from './build.js'
import { ResolutionError } from './errors.js'
import { ancestorNodes, descendantNodes } from './graph-walk.js'
import { resolveIdentifier } from './identifiers.js'
import { setGraphLinks } from './links.js'
import type { Revision, RevisionInput } from './revision.js'

/**
 * The validated revision graph: Alembic's `RevisionMap`. Built once, immutable afterwards (lineage
 * lookups are memoised internally).
 *
 * @example
 * const map = RevisionMap.build([
 *   { revision: 'a1', downRevision: null },
 *   { revision: 'b2', downRevision: 'a1', branchLabels: ['feature'] },
 * ])
 * map.heads // ['b2']
 * map.resolve('feature@head').map((r) => r.revision) // ['b2']
 */
export class RevisionMap {
  /** every revision, in input order (the order Alembic uses to break ties) */
  readonly revisions: readonly Revision[]
  /** revisions nothing names in `downRevision`, in input order (Alembic's `heads`) */
  readonly heads: readonly string[]
  /** heads that nothing depends on either (Alembic's `_real_heads`, what `heads` resolves to) */
  readonly realHeads: readonly string[]
  /** revisions with no `downRevision`, in input order */
  readonly bases: readonly string[]
  /** bases that declare no dependencies either */
  readonly realBases: readonly string[]
  /** id or label → position in {@link revisions} */
  readonly #keys: ReadonlyMap<string, number>
  readonly #lineage = new Map<Revision, ReadonlySet<Revision>>()
  readonly #lineageWithDeps = new Map<Revision, ReadonlySet<Revision>>()

  private constructor(inputs: Iterable<RevisionInput>) {
    const built = buildGraph(inputs)
    this.revisions = built.revisions
    this.heads = built.heads
    this.realHeads = built.realHeads
    this.bases = built.bases
    this.realBases = built.realBases
    this.#keys = built.keys
    setGraphLinks(this, { revisions: built.revisions, ...built.links })
  }

  /**
   * Validates and links revisions. Throws {@link CycleError}, {@link DuplicateRevisionError},
   * {@link MissingRevisionError}, {@link DuplicateBranchLabelError} or {@link InvalidRevisionIdError},
   * each naming the files at fault.
   */
  static build(revisions: Iterable<RevisionInput>): RevisionMap {
    return new RevisionMap(revisions)
  }

  /** number of revisions */
  get size(): number {
    return this.revisions.length
  }

  /** whether `id` is exactly a revision id */
  has(id: string): boolean {
    const rev = this.lookupKey(id)
    return rev !== undefined && rev.revision === id
  }

  /** the revision with exactly this id; throws {@link ResolutionError} otherwise */
  get(id: string): Revision {
    const rev = this.lookupKey(id)
    if (rev === undefined || rev.revision !== id) {
      throw new ResolutionError(`Can't locate revision identified by '${id}'`, id)
    }
    return rev
  }

  /** exact lookup of a revision id or a branch label (the label's declaring revision) */
  lookupKey(key: string): Revision | undefined {
    const at = this.#keys.get(key)
    return at === undefined ? undefined : this.revisions[at]
  }

  /** ids then labels, in Alembic's map order; what partial identifiers are matched against */
  keys(): IterableIterator<string> {
    return this.#keys.keys()
  }

  /** the revision that declares `label`, if any */
  labelOwner(label: string): Revision | undefined {
    const rev = this.lookupKey(label)
    return rev !== undefined && rev.revision !== label ? rev : undefined
  }

  /**
   * Resolves any identifier Alembic's `get_revisions` accepts (`heads`, `head`, `base`, ids,
   * prefixes, labels, `label@head`, `label@<rev>`, `-N`, `label@-N`), plus `current`, which
   * stands for `current` (the database's version rows). `base` resolves to an empty list.
   */
  resolve(identifier: string, current: readonly string[] = []): readonly Revision[] {
    return resolveIdentifier(this, identifier, current)
  }

  /**
   * Revisions sharing a line with `rev` (itself, its ancestors and descendants), memoised; the
   * set Alembic recomputes on every `_shares_lineage` call.
   */
  lineage(rev: Revision, includeDependencies = false): ReadonlySet<Revision> {
    const cache = includeDependencies ? this.#lineageWithDeps : this.#lineage
    let set = cache.get(rev)
    if (set === undefined) {
      set = new Set([
        ...descendantNodes(this, [rev], includeDependencies),
        ...ancestorNodes(this, [rev], includeDependencies),
      ])
      cache.set(rev, set)
    }
    return set
  }
}
