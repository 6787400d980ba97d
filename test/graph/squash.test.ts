import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  findSquashes,
  planDowngrade,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
  squashRange,
  squashView,
} from '@migraph/graph'

// r1 <- r2 <- r3 <- r4 <- r5, with sq replacing r2, r3, r4; r5 keeps naming r4.
const CHAIN: readonly RevisionInput[] = [
  { revision: 'r1', downRevision: null },
  { revision: 'r2', downRevision: 'r1', branchLabels: ['core'] },
  { revision: 'r3', downRevision: 'r2' },
  { revision: 'r4', downRevision: 'r3' },
  { revision: 'r5', downRevision: 'r4', dependsOn: ['r3'] },
  { revision: 'sq', downRevision: 'r1', replaces: ['r2', 'r3', 'r4'], branchLabels: ['core'] },
]

const build = (inputs: readonly RevisionInput[], expand?: ReadonlySet<string>) => {
  const view = squashView(inputs, expand)
  return RevisionMap.build(view.inputs, { aliases: view.aliases })
}
const ids = (steps: readonly { revision: string }[]) => steps.map((s) => s.revision)

describe('squashView', () => {
  test('collapsed: the squash stands in for what it replaces, children and dependencies renamed', () => {
    const view = squashView(CHAIN)
    assert.deepEqual(
      view.inputs.map((i) => i.revision),
      ['r1', 'r5', 'sq'],
    )
    assert.deepEqual(view.positions, [0, 4, 5])
    const r5 = view.inputs[1] as RevisionInput
    assert.equal(r5.downRevision, 'sq')
    assert.deepEqual(r5.dependsOn, ['sq'])
    assert.equal(view.aliases.get('r4'), 'sq')
    const map = build(CHAIN)
    assert.deepEqual(map.heads, ['r5'])
    assert.deepEqual(ids(planUpgrade(map, [], 'heads')), ['r1', 'sq', 'r5'])
    // A replaced id names the squash wherever an identifier is accepted.
    assert.deepEqual(ids(map.resolve('r3')), ['sq'])
    assert.deepEqual(
      ids(
        planUpgrade(
          map,
          ['r4'].map((id) => map.aliasOf(id)?.revision ?? id),
          'heads',
        ),
      ),
      ['r5'],
    )
    assert.deepEqual(ids(planDowngrade(map, ['r5'], 'r1')), ['r5', 'sq'])
  })

  test('expanded: the originals stay and the squash leaves the graph', () => {
    const map = build(CHAIN, new Set(['sq']))
    assert.deepEqual(
      map.revisions.map((r) => r.revision),
      ['r1', 'r2', 'r3', 'r4', 'r5'],
    )
    assert.deepEqual(ids(planUpgrade(map, ['r3'], 'heads')), ['r4', 'r5'])
    assert.equal(map.aliasOf('r3'), undefined)
  })

  test('originals deleted: collapsed still works; expanded is refused', () => {
    const without = CHAIN.filter((i) => !['r2', 'r3', 'r4'].includes(i.revision))
    assert.deepEqual(ids(planUpgrade(build(without), [], 'heads')), ['r1', 'sq', 'r5'])
    assert.throws(() => squashView(without, new Set(['sq'])), /r2, r3, r4 are missing/)
    assert.deepEqual(findSquashes(without)[0]?.present, [])
  })

  test('a revision squashed twice, or a squash of itself, is refused', () => {
    assert.throws(
      () => squashView([...CHAIN, { revision: 'sq2', downRevision: 'r3', replaces: ['r4', 'r5'] }]),
      /sq and sq2 both replace r4/,
    )
    assert.throws(
      () => squashView([{ revision: 'x', downRevision: null, replaces: ['x'] }]),
      /x replaces itself/,
    )
  })

  test('a graph without squashes is given back as it is', () => {
    const plain = CHAIN.slice(0, 5)
    assert.equal(squashView(plain).inputs, plain)
  })
})

describe('squashRange', () => {
  const map = RevisionMap.build([
    { revision: 'a', downRevision: null },
    { revision: 'b', downRevision: 'a' },
    { revision: 'c', downRevision: 'b' },
    { revision: 'c2', downRevision: 'b' },
    { revision: 'd', downRevision: ['c', 'c2'] },
    { revision: 'e', downRevision: 'd' },
    { revision: 'f', downRevision: 'e' },
    { revision: 'g', downRevision: 'f', dependsOn: ['e'] },
    { revision: 'h', downRevision: 'g' },
  ])

  const cases: readonly [string, string, readonly string[] | RegExp][] = [
    ['a', 'b', ['a', 'b']],
    ['d', 'e', ['d', 'e']],
    ['d', 'f', /g depends on e, inside the range/],
    ['g', 'h', ['g', 'h']],
    ['e', 'g', ['e', 'f', 'g']],
    ['a', 'c', /b is a branch point \(followed by c, c2\)/],
    ['c', 'e', /d is a merge point \(of c, c2\)/],
    ['c', 'c2', /c is not an ancestor of c2/],
    ['e', 'd', /e is not an ancestor of d/],
    ['e', 'f', /g depends on e, inside the range/],
    ['d', 'd', /range of one revision/],
    ['a', 'zz', /zz/],
  ]
  for (const [from, to, expected] of cases) {
    test(`${from}:${to}`, () => {
      if (expected instanceof RegExp) assert.throws(() => squashRange(map, from, to), expected)
      else assert.deepEqual(squashRange(map, from, to), expected)
    })
  }

  test('a revision already squashed is refused by name', () => {
    assert.throws(() => squashRange(build(CHAIN), 'r3', 'r5'), /r3 is already replaced by squash sq/)
  })
})
