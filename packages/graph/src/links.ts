import type { Revision } from './revision.js'

/** Per revision, the positions of the revisions it links to. */
export type Links = readonly (readonly number[])[]

/**
 * A built graph's links by revision index, each list in the order of the {@link Revision} field it
 * mirrors. The topological sort behind history and upgrade plans follows these rather than looking
 * every id up by name.
 */
export interface GraphLinks {
  readonly revisions: readonly Revision[]
  /** `normalizedDownRevisions` */
  readonly normalizedDown: Links
  /** `allNextRevisions` */
  readonly allNext: Links
}

/** The links of each map, or how to compute them the first time they are asked for. */
const LINKS = new WeakMap<object, GraphLinks | (() => GraphLinks)>()

/**
 * Records the links of a built map, or a function computing them (a restored map links only
 * when a walk needs it); only the map itself calls this.
 */
export function setGraphLinks(map: object, links: GraphLinks | (() => GraphLinks)): void {
  LINKS.set(map, links)
}

/** The links of a built map; undefined for anything else. */
export function graphLinks(map: object): GraphLinks | undefined {
  const entry = LINKS.get(map)
  if (typeof entry !== 'function') return entry
  const links = entry()
  LINKS.set(map, links)
  return links
}

/** `walkRevisions(map)`, the whole graph newest first, once computed or restored. */
const WALKS = new WeakMap<object, readonly Revision[]>()

/** The whole walk of a map, if it is known. */
export function knownWalk(map: object): readonly Revision[] | undefined {
  return WALKS.get(map)
}

/** Remembers the whole walk of a map (a frozen list; the map is immutable, so it never changes). */
export function rememberWalk(map: object, walk: readonly Revision[]): void {
  WALKS.set(map, walk)
}
