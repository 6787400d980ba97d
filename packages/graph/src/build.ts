import {
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  InvalidRevisionIdError,
  MissingRevisionError,
} from './errors.js'
import type { GraphLinks, Links } from './links.js'
import { Revision, type RevisionInput, revisionFields } from './revision.js'

/** The validated, linked form of a set of revisions; what {@link RevisionMap} wraps. */
export interface BuiltGraph {
  readonly revisions: readonly Revision[]
  /**
   * revision ids first (input order), then branch labels (declaration order), as Alembic's map
   * keys; each gives the position of its revision in {@link revisions}
   */
  readonly keys: ReadonlyMap<string, number>
  readonly heads: readonly string[]
  readonly realHeads: readonly string[]
  readonly bases: readonly string[]
  readonly realBases: readonly string[]
  readonly links: Omit<GraphLinks, 'revisions'>
}

const ILLEGAL = ['@', '-', '+', ':']

/** Rejects ids the identifier grammar could not address: empty, `@ - + :` or whitespace. */
export function verifyRevisionId(revision: string, path: string | null = null): void {
  if (revision !== '' && !/[@+:\s-]/u.test(revision)) return
  const bad = new Set<string>()
  for (const ch of revision) {
    if (ILLEGAL.includes(ch) || /\s/u.test(ch)) bad.add(ch)
  }
  if (revision === '' || bad.size > 0) {
    throw new InvalidRevisionIdError(revision, [...bad].sort(), path)
  }
}

export const NONE: readonly never[] = Object.freeze([])

/** A copy of `value` as a list; absent or empty values share one frozen empty list. */
export const asList = (value: string | readonly string[] | null | undefined): readonly string[] => {
  if (value === null || value === undefined || value === '' || value.length === 0) return NONE
  return typeof value === 'string' ? [value] : value.slice()
}

/** A revision's message as `Revision.message` holds it: trimmed, empty when there is none. */
export const messageOf = (message: string | null | undefined): string =>
  message === null || message === undefined ? '' : message.trim()

/** Iterative reachability from `starts` along `edges`; returns a membership array. */
function reach(starts: readonly number[], edges: Links): Uint8Array {
  const seen = new Uint8Array(edges.length)
  const stack = starts.slice()
  while (stack.length > 0) {
    const at = stack.pop() as number
    if (seen[at] === 1) continue
    seen[at] = 1
    const list = edges[at] as readonly number[]
    for (let k = 0; k < list.length; k++) {
      const next = list[k] as number
      if (seen[next] === 0) stack.push(next)
    }
  }
  return seen
}

const unique = (xs: readonly string[]): readonly string[] => (xs.length <= 1 ? xs : [...new Set(xs)])

/** The reverse of `links`: per revision, the revisions linking to it, in input order. */
function reverseLinks(links: Links): Links {
  const n = links.length
  const out: (readonly number[])[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = NONE
  for (let i = 0; i < n; i++) {
    const list = links[i] as readonly number[]
    for (let k = 0; k < list.length; k++) {
      const target = list[k] as number
      const existing = out[target] as readonly number[]
      if (existing === NONE) out[target] = [i]
      else (existing as number[]).push(i)
    }
  }
  return out
}

/**
 * Validates and links revisions exactly as Alembic's RevisionMap does, without recursion. Every
 * command builds the whole graph, so this runs once per revision file per command, mostly before
 * V8 has optimized anything: it makes as few passes and allocations as it can, uses indexed loops
 * (an iterator per `for...of` costs in unoptimized code), and skips the work of features
 * (dependencies, branch labels) a graph does not use.
 */
export function buildGraph(inputs: Iterable<RevisionInput>): BuiltGraph {
  const list: readonly RevisionInput[] = Array.isArray(inputs) ? inputs : [...inputs]
  const n = list.length
  const ids: string[] = new Array(n)
  const paths: (string | null)[] = new Array(n)
  const downs: (readonly string[])[] = new Array(n)
  const declaredDeps: (readonly string[])[] = new Array(n)
  const ownLabels: (readonly string[])[] = new Array(n)
  /** ids (in input order), then branch labels: Alembic's map keys */
  const keyIndex = new Map<string, number>()
  let anyDeps = false
  let anyLabels = false

  for (let i = 0; i < n; i++) {
    const input = list[i] as RevisionInput
    const id = input.revision
    const path = input.path ?? null
    const ds = asList(input.downRevision)
    const deps = asList(input.dependsOn)
    const labels = asList(input.branchLabels)
    ids[i] = id
    paths[i] = path
    downs[i] = ds
    declaredDeps[i] = deps
    ownLabels[i] = labels
    if (deps.length > 0) anyDeps = true
    if (labels.length > 0) anyLabels = true
    if (ds.includes(id)) throw new CycleError([id], [path], false, true)
    if (deps.length > 0 && deps.includes(id)) throw new CycleError([id], [path], true, true)
    verifyRevisionId(id, path)
    const previous = keyIndex.get(id)
    if (previous !== undefined) throw new DuplicateRevisionError(id, [paths[previous] ?? null, path])
    keyIndex.set(id, i)
  }

  if (anyLabels) {
    for (let i = 0; i < n; i++) {
      for (const label of ownLabels[i] as readonly string[]) {
        const existing = keyIndex.get(label)
        if (existing !== undefined) {
          throw new DuplicateBranchLabelError(label, ids[i] as string, ids[existing] as string, [
            paths[i] ?? null,
            paths[existing] ?? null,
          ])
        }
        keyIndex.set(label, i)
      }
    }
  }

  // `downRevision` names ids only; Alembic looks dependencies up among ids and labels, exactly
  // (no prefixes).
  const versionedDown: (readonly number[])[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const ds = downs[i] as readonly string[]
    if (ds.length === 0) {
      versionedDown[i] = NONE
      continue
    }
    const targets: number[] = new Array(ds.length)
    for (let k = 0; k < ds.length; k++) {
      const d = ds[k] as string
      const target = keyIndex.get(d)
      if (target === undefined || ids[target] !== d) {
        throw new MissingRevisionError(d, ids[i] as string, 'downRevision', paths[i] ?? null)
      }
      targets[k] = target
    }
    versionedDown[i] = targets
  }
  const resolvedDeps: Links = anyDeps
    ? declaredDeps.map((deps, i): readonly number[] =>
        deps.length === 0
          ? NONE
          : deps.map((dep) => {
              const target = keyIndex.get(dep)
              if (target === undefined) {
                throw new MissingRevisionError(dep, ids[i] as string, 'dependsOn', paths[i] ?? null)
              }
              return target
            }),
      )
    : []
  const allDown: Links = anyDeps
    ? versionedDown.map((vd, i): readonly number[] => {
        const deps = resolvedDeps[i] as readonly number[]
        return deps.length === 0 && vd.length <= 1 ? vd : [...new Set([...vd, ...deps])]
      })
    : versionedDown

  const next = reverseLinks(versionedDown)
  const allNext = anyDeps ? reverseLinks(allDown) : next
  const heads: number[] = []
  const realHeads: number[] = []
  const bases: number[] = []
  const realBases: number[] = []
  for (let i = 0; i < n; i++) {
    if ((next[i] as readonly number[]).length === 0) heads.push(i)
    if ((allNext[i] as readonly number[]).length === 0) realHeads.push(i)
    if ((versionedDown[i] as readonly number[]).length === 0) {
      bases.push(i)
      if ((declaredDeps[i] as readonly string[]).length === 0) realBases.push(i)
    }
  }

  detectCycles(ids, paths, { heads, bases, up: versionedDown, down: next }, false)
  if (anyDeps) {
    detectCycles(ids, paths, { heads: realHeads, bases: realBases, up: allDown, down: allNext }, true)
  }

  const normalized = anyDeps ? normalizeDependencies(n, versionedDown, resolvedDeps) : resolvedDeps
  const labels = anyLabels ? propagateLabels(ownLabels, next, allNext, versionedDown) : undefined
  const idsOf = (xs: readonly number[]): readonly string[] => {
    if (xs.length === 0) return NONE
    const out: string[] = new Array(xs.length)
    for (let k = 0; k < xs.length; k++) out[k] = ids[xs[k] as number] as string
    return out
  }

  const revisions: Revision[] = new Array(n)
  // One object filled for each revision in turn: the constructor copies it.
  const fields = revisionFields()
  for (let i = 0; i < n; i++) {
    const input = list[i] as RevisionInput
    const nextIds = idsOf(next[i] as readonly number[])
    const own = labels?.[i]
    fields.index = i
    fields.revision = ids[i] as string
    fields.downRevisions = downs[i] as readonly string[]
    fields.dependsOn = declaredDeps[i] as readonly string[]
    fields.resolvedDependencies = anyDeps ? unique(idsOf(resolvedDeps[i] as readonly number[])) : NONE
    fields.normalizedDependencies = anyDeps ? idsOf(normalized[i] as readonly number[]) : NONE
    fields.branchLabels = ownLabels[i] as readonly string[]
    fields.allBranchLabels = own === undefined ? NONE : [...own]
    fields.message = messageOf(input.message)
    fields.path = paths[i] ?? null
    fields.createDate = input.createDate ?? null
    fields.nextRevisions = nextIds
    // The same list when nothing depends on this revision: one array, frozen once.
    fields.allNextRevisions = allNext[i] === next[i] ? nextIds : idsOf(allNext[i] as readonly number[])
    revisions[i] = new Revision(fields)
  }
  // As Revision.normalizedDownRevisions joins them: unique, `downRevision` first.
  const normalizedDown: Links = versionedDown.map((vd, i): readonly number[] => {
    const deps = anyDeps ? (normalized[i] as readonly number[]) : NONE
    return deps.length === 0 && vd.length <= 1 ? vd : [...new Set([...vd, ...deps])]
  })
  const toIds = (xs: number[]): readonly string[] => Object.freeze(idsOf(xs))
  return {
    revisions: Object.freeze(revisions),
    keys: keyIndex,
    heads: toIds(heads),
    realHeads: toIds(realHeads),
    bases: toIds(bases),
    realBases: toIds(realBases),
    links: { normalizedDown, allNext },
  }
}

interface Shape {
  readonly heads: readonly number[]
  readonly bases: readonly number[]
  /** towards bases */
  readonly up: Links
  /** towards heads */
  readonly down: Links
}

/** Alembic's test: every revision must lie between some head and some base. */
function detectCycles(
  ids: readonly string[],
  paths: readonly (string | null)[],
  shape: Shape,
  dependency: boolean,
): void {
  if (ids.length === 0) return
  if (shape.heads.length === 0 || shape.bases.length === 0) throw new CycleError(ids, paths, dependency)
  const fromHeads = reach(shape.heads, shape.up)
  const fromBases = reach(shape.bases, shape.down)
  const stuck: number[] = []
  for (let i = 0; i < ids.length; i++) if (fromHeads[i] === 0 || fromBases[i] === 0) stuck.push(i)
  if (stuck.length > 0) {
    const sorted = stuck.map((i) => ids[i] as string).sort()
    throw new CycleError(
      sorted,
      stuck.map((i) => paths[i] ?? null),
      dependency,
    )
  }
}

/**
 * Drops dependencies an ancestor (by `downRevision`) already depends on. Rather than scanning every
 * ancestor of every revision (quadratic on long graphs), only the other revisions declaring the same
 * dependency are checked, each with one reachability walk pruned by depth.
 */
function normalizeDependencies(
  n: number,
  versionedDown: readonly (readonly number[])[],
  resolvedDeps: readonly (readonly number[])[],
): readonly (readonly number[])[] {
  const declarers = new Map<number, number[]>()
  if (resolvedDeps.every((deps) => deps.length === 0)) return resolvedDeps
  for (let i = 0; i < n; i++) {
    for (const d of new Set(resolvedDeps[i])) {
      const list = declarers.get(d)
      if (list === undefined) declarers.set(d, [i])
      else list.push(i)
    }
  }
  let depth: number[] | null = null
  const isAncestor = (a: number, of: number): boolean => {
    depth ??= depthsFromBases(n, versionedDown)
    const floor = depth[a] as number
    const seen = new Set<number>()
    const stack = [...(versionedDown[of] as number[])]
    while (stack.length > 0) {
      const at = stack.pop() as number
      if (at === a) return true
      if (seen.has(at) || (depth[at] as number) <= floor) continue
      seen.add(at)
      for (const p of versionedDown[at] as number[]) stack.push(p)
    }
    return false
  }
  return resolvedDeps.map((deps, i) =>
    deps.length === 0
      ? deps
      : [...new Set(deps)].filter(
          (d) => !(declarers.get(d) as number[]).some((a) => a !== i && isAncestor(a, i)),
        ),
  )
}

/** Longest distance from a base along `downRevision`; an ancestor always has a smaller depth. */
function depthsFromBases(n: number, up: readonly (readonly number[])[]): number[] {
  const depth = new Array<number>(n).fill(0)
  for (const i of topologicalFromBases(n, up)) {
    for (const p of up[i] as number[]) depth[i] = Math.max(depth[i] as number, (depth[p] as number) + 1)
  }
  return depth
}

function topologicalFromBases(n: number, up: readonly (readonly number[])[]): number[] {
  const pending = up.map((ps) => new Set(ps).size)
  const children: number[][] = Array.from({ length: n }, () => [])
  for (let i = 0; i < n; i++) for (const p of new Set(up[i])) (children[p] as number[]).push(i)
  const queue: number[] = []
  for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i)
  for (let q = 0; q < queue.length; q++) {
    for (const c of children[queue[q] as number] as number[]) {
      pending[c] = (pending[c] as number) - 1
      if (pending[c] === 0) queue.push(c)
    }
  }
  return queue
}

/**
 * Alembic's branch-label propagation: a labelled revision's labels go to all its descendants, and
 * then down from the last descendant walked until a (real) branch point or merge point. That
 * downward walk only passes below the labelled revision when its descendants form one line, so the
 * result does not depend on the order children are visited in.
 */
function propagateLabels(
  own: readonly (readonly string[])[],
  next: readonly (readonly number[])[],
  allNext: readonly (readonly number[])[],
  versionedDown: readonly (readonly number[])[],
): (Set<string> | undefined)[] {
  const labels: (Set<string> | undefined)[] = own.map((ls) => (ls.length === 0 ? undefined : new Set(ls)))
  const addAll = (at: number, add: readonly string[]): void => {
    const set = labels[at]
    if (set === undefined) labels[at] = new Set(add)
    else for (const l of add) set.add(l)
  }
  for (let r = 0; r < own.length; r++) {
    if ((own[r] as readonly string[]).length === 0) continue
    const add = [...(labels[r] as Set<string>)]
    const seen = new Set<number>()
    const stack = [r]
    let last = r
    while (stack.length > 0) {
      const at = stack.pop() as number
      if (seen.has(at)) continue
      seen.add(at)
      for (const c of next[at] as readonly number[]) stack.push(c)
      addAll(at, add)
      last = at
    }
    let parent: number | undefined = last
    while (
      parent !== undefined &&
      (allNext[parent] as readonly number[]).length <= 1 &&
      (versionedDown[parent] as readonly number[]).length <= 1
    ) {
      addAll(parent, add)
      parent = (versionedDown[parent] as readonly number[])[0]
    }
  }
  return labels
}
