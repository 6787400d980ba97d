import { buildGraph } from './build.js'
import { ResolutionError } from './errors.js'
import { ancestorNodes, descendantNodes } from './graph-walk.js'
import { walkRevisions } from './history.js'
import { resolveIdentifier } from './identifiers.js'
import { type GraphLinks, rememberWalk, setGraphLinks } from './links.js'
import type { Revision, RevisionInput } from './revision.js'
import {
  columnsOf,
  type GraphSnapshot,
  type RevisionColumns,
  restoreSnapshot,
  takeSnapshot,
} from './snapshot.js'

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
  /** id or label → position in {@link revisions}; a restored map makes it on first lookup */
  #keys: ReadonlyMap<string, number> | undefined
  /** replaced id → the squash standing for it, in a map built with squashes collapsed */
  #aliases: ReadonlyMap<string, string> = new Map()
  readonly #lineage = new Map<Revision, ReadonlySet<Revision>>()
  readonly #lineageWithDeps = new Map<Revision, ReadonlySet<Revision>>()

  private constructor(
    parts: Pick<RevisionMap, 'revisions' | 'heads' | 'realHeads' | 'bases' | 'realBases'>,
    keys: ReadonlyMap<string, number> | undefined,
  ) {
    this.revisions = parts.revisions
    this.heads = parts.heads
    this.realHeads = parts.realHeads
    this.bases = parts.bases
    this.realBases = parts.realBases
    this.#keys = keys
  }

  /**
   * Validates and links revisions. Throws {@link CycleError}, {@link DuplicateRevisionError},
   * {@link MissingRevisionError}, {@link DuplicateBranchLabelError} or {@link InvalidRevisionIdError},
   * each naming the files at fault.
   */
  static build(
    revisions: Iterable<RevisionInput>,
    options: { readonly aliases?: ReadonlyMap<string, string> } = {},
  ): RevisionMap {
    const built = buildGraph(revisions)
    const map = new RevisionMap(built, built.keys)
    if (options.aliases !== undefined) map.#aliases = options.aliases
    setGraphLinks(map, { revisions: built.revisions, ...built.links })
    return map
  }

  /**
   * The map {@link build} made of these very `inputs`, given the {@link snapshot} it took then,
   * without validating, linking or sorting them again: for a caller that knows the inputs are
   * unchanged (the CLI keeps snapshots beside the revision files' stats). The inputs may be given
   * as {@link RevisionColumns}, read by position. Undefined when the snapshot cannot be one of
   * that many revisions.
   *
   * @example
   * const saved = JSON.stringify(RevisionMap.build(inputs).snapshot())
   * const map = RevisionMap.restore(inputs, JSON.parse(saved)) // same map, nothing re-checked
   */
  static restore(
    inputs: readonly RevisionInput[] | RevisionColumns,
    snapshot: GraphSnapshot,
  ): RevisionMap | undefined {
    const restored = restoreSnapshot(
      Array.isArray(inputs) ? columnsOf(inputs) : (inputs as RevisionColumns),
      snapshot,
    )
    if (restored === undefined) return undefined
    const map = new RevisionMap(restored, undefined)
    setGraphLinks(map, () => map.#links())
    rememberWalk(map, restored.walk)
    return map
  }

  /**
   * What {@link restore} needs besides the inputs, as JSON-safe data. Walks the whole graph
   * (as `walkRevisions(map)`) if nothing has yet.
   */
  snapshot(): GraphSnapshot {
    return takeSnapshot(this.revisions, this, walkRevisions(this))
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
    const at = this.#keyIndex().get(key)
    return at === undefined ? undefined : this.revisions[at]
  }

  /** ids then labels, in Alembic's map order; what partial identifiers are matched against */
  keys(): IterableIterator<string> {
    return this.#keyIndex().keys()
  }

  /**
   * The squash standing for a replaced revision id that is not in this map (see
   * {@link squashView}); undefined for any other id.
   */
  aliasOf(id: string): Revision | undefined {
    const target = this.#aliases.get(id)
    return target === undefined ? undefined : this.lookupKey(target)
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

  /** ids in input order, then branch labels in declaration order, as {@link buildGraph} keys them */
  #keyIndex(): ReadonlyMap<string, number> {
    if (this.#keys !== undefined) return this.#keys
    const keys = new Map<string, number>()
    const revisions = this.revisions
    for (let i = 0; i < revisions.length; i++) keys.set((revisions[i] as Revision).revision, i)
    for (let i = 0; i < revisions.length; i++) {
      for (const label of (revisions[i] as Revision).branchLabels) keys.set(label, i)
    }
    this.#keys = keys
    return keys
  }

  /** The links {@link buildGraph} gives, from the revisions' own lists. */
  #links(): GraphLinks {
    const keys = this.#keyIndex()
    const positions = (ids: readonly string[]): readonly number[] => ids.map((id) => keys.get(id) as number)
    return {
      revisions: this.revisions,
      normalizedDown: this.revisions.map((r) => positions(r.normalizedDownRevisions)),
      allNext: this.revisions.map((r) => positions(r.allNextRevisions)),
    }
  }
}
