// A map restored from its snapshot (through JSON, as the CLI stores it) must be the map the
// builder makes: every revision field, heads, bases, key order, walks and plans.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type GraphSnapshot,
  historyRange,
  planDowngrade,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
  walkRevisions,
} from '@migraph/graph'
import { randomGraph, SHAPES } from './fixtures/graphs.js'

const FIELDS = [
  'index',
  'revision',
  'downRevisions',
  'dependsOn',
  'resolvedDependencies',
  'normalizedDependencies',
  'branchLabels',
  'allBranchLabels',
  'message',
  'path',
  'createDate',
  'nextRevisions',
  'allNextRevisions',
  'normalizedDownRevisions',
  'allDownRevisions',
  'isHead',
  'isRealHead',
  'isBase',
  'isRealBase',
  'isBranchPoint',
  'isRealBranchPoint',
  'isMergePoint',
  'doc',
] as const

const ids = (revs: readonly { revision: string }[]): string[] => revs.map((r) => r.revision)
const through = (snapshot: GraphSnapshot): GraphSnapshot => JSON.parse(JSON.stringify(snapshot))

/** What a map answers, as plain data; errors as their messages. */
function observe(map: RevisionMap): unknown {
  const attempt = (fn: () => unknown): unknown => {
    try {
      return fn()
    } catch (error) {
      return `error: ${(error as Error).message}`
    }
  }
  return {
    revisions: map.revisions.map((r) => Object.fromEntries(FIELDS.map((f) => [f, r[f]]))),
    ends: [map.heads, map.realHeads, map.bases, map.realBases],
    keys: [...map.keys()],
    walk: ids(walkRevisions(map)),
    frozen: map.revisions.every(
      (r) => Object.isFrozen(r) && Object.isFrozen(r.nextRevisions) && Object.isFrozen(r.allNextRevisions),
    ),
    ranges: [undefined, '-1:', ':heads', 'base:head'].map((range) =>
      attempt(() => ids(historyRange(map, range, []))),
    ),
    resolved: ['heads', 'head', 'base', ...map.revisions.map((r) => r.revision.slice(0, 4))].map((id) =>
      attempt(() => ids(map.resolve(id))),
    ),
    upgrades: attempt(() => planUpgrade(map, [], 'heads').map((s) => [s.direction, s.revision])),
    downgrades: map.heads.map((head) =>
      attempt(() => planDowngrade(map, [head], 'base').map((s) => [s.direction, s.revision])),
    ),
  }
}

const graphs: [string, RevisionInput[]][] = [
  ...Object.entries(SHAPES).map(([name, graph]): [string, RevisionInput[]] => [
    name,
    graph as RevisionInput[],
  ]),
  ...Array.from({ length: 60 }, (_, i): [string, RevisionInput[]] => [`random ${i + 1}`, randomGraph(i + 1)]),
  ['empty', []],
]

describe('RevisionMap.restore', () => {
  for (const [name, graph] of graphs) {
    test(`${name}: the restored map is the built one`, () => {
      const built = RevisionMap.build(graph)
      const snapshot = through(built.snapshot())
      const restored = RevisionMap.restore(graph, snapshot)
      assert.ok(restored !== undefined)
      assert.deepEqual(observe(restored), observe(RevisionMap.build(graph)))
    })
  }

  test('a graph without labels or dependencies stores one list per revision and the walk', () => {
    const snapshot = through(RevisionMap.build(SHAPES.merge as RevisionInput[]).snapshot())
    assert.deepEqual(Object.keys(snapshot).sort(), [
      'bases',
      'heads',
      'next',
      'realBases',
      'realHeads',
      'walk',
    ])
  })

  test('a snapshot of another size, or damaged, restores nothing', () => {
    const graph = SHAPES.dependsOn as RevisionInput[]
    const good = through(RevisionMap.build(graph).snapshot())
    const damaged: unknown[] = [
      null,
      [],
      { ...good, next: good.next.slice(1) },
      { ...good, next: [...good.next, 0] },
      { ...good, next: undefined },
      { ...good, next: good.next.map((x, k) => (k === 1 ? 99 : x)) },
      { ...good, next: good.next.map((x, k) => (k === 1 ? 0.5 : x)) },
      { ...good, next: good.next.map((x, k) => (k === 0 ? -1 : x)) },
      { ...good, next: good.next.map((x, k) => (k === 1 ? 'x1xx' : x)) },
      { ...good, allNext: good.allNext?.map((x, k) => (k === 0 ? -2 : x)) },
      { ...good, allNext: undefined },
      { ...good, resolved: good.resolved?.map(() => 1) },
      { ...good, heads: 'x1xx' },
      { ...good, walk: [...good.walk, 0] },
      { ...good, walk: good.walk.map(() => 99) },
      { ...good, walk: good.walk.map((at) => at + 0.5) },
      { ...good, walk: undefined },
    ]
    for (const snapshot of damaged) {
      assert.equal(RevisionMap.restore(graph, snapshot as GraphSnapshot), undefined, JSON.stringify(snapshot))
    }
    assert.equal(RevisionMap.restore(graph.slice(1), good), undefined)
  })

  test('the whole walk is remembered: asking again gives the same list', () => {
    const map = RevisionMap.build(SHAPES.branchpoint as RevisionInput[])
    assert.equal(walkRevisions(map), walkRevisions(map))
    assert.equal(historyRange(map, undefined, []), walkRevisions(map))
  })
})
