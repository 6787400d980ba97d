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

const LINKS = new WeakMap<object, GraphLinks>()

/** Records the links of a built map; only the map itself calls this. */
export function setGraphLinks(map: object, links: GraphLinks): void {
  LINKS.set(map, links)
}

/** The links of a built map; undefined for anything else. */
export function graphLinks(map: object): GraphLinks | undefined {
  return LINKS.get(map)
}
