import { asList } from './build.js'
import { RevisionError } from './errors.js'
import { ancestorNodes } from './graph-walk.js'
import type { Revision, RevisionInput } from './revision.js'
import type { RevisionMap } from './revision-map.js'

/** The inputs of a graph once its squashes are each expanded or collapsed. */
export interface SquashView<T extends RevisionInput> {
  /** the revisions of the graph to build, in input order; rewritten ones are copies */
  readonly inputs: readonly T[]
  /** for each of {@link inputs}, its position among the inputs given */
  readonly positions: readonly number[]
  /** replaced id → the squash standing for it, for every collapsed squash */
  readonly aliases: ReadonlyMap<string, string>
}

/** One squash of a graph: its id and the ids it replaces, in order. */
export interface Squash {
  readonly revision: string
  readonly replaces: readonly string[]
  /** which of the replaced revisions are among the inputs */
  readonly present: readonly string[]
}

/**
 * The squashes among `inputs`; throws when two squashes replace the same revision, or a squash
 * names itself.
 */
export function findSquashes(inputs: readonly RevisionInput[]): readonly Squash[] {
  const ids = new Set(inputs.map((input) => input.revision))
  const owner = new Map<string, string>()
  const squashes: Squash[] = []
  for (const input of inputs) {
    const replaces = asList(input.replaces)
    if (replaces.length === 0) continue
    for (const id of replaces) {
      if (id === input.revision) {
        throw new RevisionError('squashed-revision', `Revision ${input.revision} replaces itself${at(input)}`)
      }
      const other = owner.get(id)
      if (other !== undefined) {
        throw new RevisionError(
          'squashed-revision',
          `Revisions ${other} and ${input.revision} both replace ${id}: a revision can be squashed only once${at(input)}`,
        )
      }
      owner.set(id, input.revision)
    }
    squashes.push({ revision: input.revision, replaces, present: replaces.filter((id) => ids.has(id)) })
  }
  return squashes
}

const at = (input: RevisionInput): string => (input.path ? ` (${input.path})` : '')

/**
 * Django's reading of squashed revisions. Each squash in `expand` gives way to the revisions it
 * replaces (which must all be present): a database part-way through them goes on with them. Every
 * other squash stands in for them: the replaced revisions that are present leave the graph, a
 * revision naming one of them (in `downRevision` or `dependsOn`) names the squash instead, and
 * each replaced id becomes an alias of the squash.
 *
 * @example
 * squashView(inputs).inputs // the graph with every squash in place of what it replaces
 */
export function squashView<T extends RevisionInput>(
  inputs: readonly T[],
  expand: ReadonlySet<string> = new Set(),
): SquashView<T> {
  const squashes = findSquashes(inputs)
  if (squashes.length === 0) {
    return { inputs, positions: inputs.map((_, i) => i), aliases: new Map() }
  }
  const dropped = new Set<string>()
  const aliases = new Map<string, string>()
  for (const squash of squashes) {
    if (expand.has(squash.revision)) {
      const missing = squash.replaces.filter((id) => !squash.present.includes(id))
      if (missing.length > 0) {
        throw new RevisionError(
          'squashed-revision',
          `Squash ${squash.revision} cannot give way to the revisions it replaces: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
        )
      }
      dropped.add(squash.revision)
      continue
    }
    for (const id of squash.replaces) {
      aliases.set(id, squash.revision)
      dropped.add(id)
    }
  }
  const rename = (ids: readonly string[]): readonly string[] => [
    ...new Set(ids.map((id) => aliases.get(id) ?? id)),
  ]
  const kept: T[] = []
  const positions: number[] = []
  for (const [i, input] of inputs.entries()) {
    if (dropped.has(input.revision)) continue
    positions.push(i)
    const down = asList(input.downRevision)
    const deps = asList(input.dependsOn)
    if (!down.some((id) => aliases.has(id)) && !deps.some((id) => aliases.has(id))) {
      kept.push(input)
      continue
    }
    const newDown = rename(down)
    kept.push({
      ...input,
      downRevision: newDown.length === 0 ? null : newDown.length === 1 ? newDown[0] : newDown,
      dependsOn: deps.length === 0 ? input.dependsOn : rename(deps).filter((id) => id !== input.revision),
    })
  }
  return { inputs: kept, positions, aliases }
}

/**
 * The revisions `mig squash <from>:<to>` replaces, oldest first: the line from `from` up to `to`
 * along `downRevision`. Refuses, naming the revision at fault, a range that is not one line (a
 * merge point or a branch point inside it, or a revision outside it that depends on one inside),
 * a `from` that is not below `to`, a range of one revision, and a revision some squash already
 * replaces or that is itself a squash.
 *
 * @example
 * squashRange(map, 'a1', 'c3') // ['a1', 'b2', 'c3']
 */
export function squashRange(map: RevisionMap, from: string, to: string): readonly string[] {
  const first = exactlyOne(map, from)
  const last = exactlyOne(map, to)
  const fail = (message: string): never => {
    throw new RevisionError('invalid-range', `Cannot squash ${from}:${to}: ${message}`)
  }
  if (!ancestorNodes(map, [last], false).includes(first)) {
    fail(`${first.revision} is not an ancestor of ${last.revision}`)
  }
  const chain: Revision[] = [last]
  let at = last
  while (at !== first) {
    if (at.downRevisions.length > 1) {
      fail(`${at.revision} is a merge point (of ${at.downRevisions.join(', ')}); squash a line of revisions`)
    }
    const down = at.downRevisions[0]
    if (down === undefined) fail(`${first.revision} is not an ancestor of ${last.revision}`)
    at = map.get(down as string)
    chain.push(at)
  }
  chain.reverse()
  if (chain.length < 2) fail('a range of one revision has nothing to squash; name at least two')
  const inside = new Set(chain.map((rev) => rev.revision))
  for (const [i, rev] of chain.entries()) {
    if (rev.isMergePoint && i > 0) {
      fail(
        `${rev.revision} is a merge point (of ${rev.downRevisions.join(', ')}); squash a line of revisions`,
      )
    }
    if (i < chain.length - 1 && rev.nextRevisions.length > 1) {
      fail(
        `${rev.revision} is a branch point (followed by ${rev.nextRevisions.join(', ')}); squash a line of revisions`,
      )
    }
    const outside = rev.allNextRevisions.filter((id) => !inside.has(id))
    if (i < chain.length - 1 && outside.length > 0) {
      fail(
        `${outside.join(', ')} depend${outside.length === 1 ? 's' : ''} on ${rev.revision}, inside the range`,
      )
    }
  }
  return chain.map((rev) => rev.revision)
}

/** The one revision an identifier names; a replaced id (an alias of a squash) is refused. */
function exactlyOne(map: RevisionMap, identifier: string): Revision {
  const squash = map.aliasOf(identifier)
  if (squash !== undefined && !map.has(identifier)) {
    throw new RevisionError(
      'squashed-revision',
      `Revision ${identifier} is already replaced by squash ${squash.revision}; a revision can be squashed only once`,
    )
  }
  const found = map.resolve(identifier)
  if (found.length !== 1) {
    throw new RevisionError(
      'invalid-range',
      `'${identifier}' names ${found.length} revisions; squash needs exactly one`,
    )
  }
  return found[0] as Revision
}
