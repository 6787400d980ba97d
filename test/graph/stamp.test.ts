import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  applyStep,
  GraphError,
  type MigrationStep,
  MultipleHeadsError,
  planStamp,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
  resolveStartingRevisions,
} from '@migraph/graph'
import { SHAPES } from './fixtures/graphs.js'
import { trace } from './fixtures/trace.js'

const maps = Object.fromEntries(
  Object.entries(SHAPES).map(([name, graph]) => [name, RevisionMap.build(graph as RevisionInput[])]),
) as Record<keyof typeof SHAPES, RevisionMap>

describe('planStamp', () => {
  const stampRows: readonly (readonly [
    string,
    keyof typeof SHAPES,
    readonly string[],
    readonly string[],
    boolean,
    readonly string[],
  ])[] = [
    ['stamp head on an empty table', 'linear', [], ['head'], false, ['up stamp [] -> [d4dd] | insert d4dd']],
    ['stamp forward', 'linear', ['a1aa'], ['c3cc'], false, ['up stamp [a1aa] -> [c3cc] | update a1aa->c3cc']],
    [
      'stamp backward',
      'linear',
      ['c3cc'],
      ['a1aa'],
      false,
      ['down stamp [c3cc] -> [a1aa] | update c3cc->a1aa'],
    ],
    ['stamp base', 'linear', ['c3cc'], ['base'], false, ['down stamp [c3cc] -> [] | delete c3cc']],
    ['stamp the current revision does nothing', 'linear', ['c3cc'], ['c3cc'], false, []],
    [
      'stamp another branch adds a row',
      'branchpoint',
      ['c1cc'],
      ['c2cc'],
      false,
      ['up stamp [] -> [c2cc] | insert c2cc'],
    ],
    [
      'stamp heads',
      'branchpoint',
      [],
      ['heads'],
      false,
      ['up stamp [] -> [c1cc] | insert c1cc', 'up stamp [] -> [c2cc] | insert c2cc'],
    ],
    [
      'stamp base removes every branch',
      'branchpoint',
      ['c1cc', 'c2cc'],
      ['base'],
      false,
      ['down stamp [c1cc] -> [] | delete c1cc', 'down stamp [c2cc] -> [] | delete c2cc'],
    ],
    [
      'stamp below a branch point merges the rows',
      'branchpoint',
      ['c1cc', 'c2cc'],
      ['a1aa'],
      false,
      ['down stamp [c1cc,c2cc] -> [a1aa] | delete c1cc; update c2cc->a1aa'],
    ],
    [
      'stamp a merge from both parents',
      'merge',
      ['b1bb', 'b2bb'],
      ['n1nn'],
      false,
      ['up stamp [b1bb,b2bb] -> [n1nn] | delete b1bb; update b2bb->n1nn'],
    ],
    [
      'stamp --purge starts from nothing',
      'branchpoint',
      ['c1cc', 'c2cc'],
      ['b1bb'],
      true,
      ['up stamp [] -> [b1bb] | insert b1bb'],
    ],
    [
      'stamp two branches at once',
      'twoBases',
      ['a1aa'],
      ['a2aa', 'x2xx'],
      false,
      ['up stamp [a1aa] -> [a2aa] | update a1aa->a2aa', 'up stamp [] -> [x2xx] | insert x2xx'],
    ],
  ]
  for (const [name, shape, current, targets, purge, expect] of stampRows) {
    test(name, () => {
      const map = maps[shape]
      const steps = planStamp(map, current, targets, { purge })
      assert.ok(steps.every((s) => s.isStamp))
      assert.deepEqual(trace(map, purge ? [] : current, steps), expect)
    })
  }

  test('stamp head with several heads', () => {
    assert.throws(
      () => planStamp(maps.branchpoint, [], ['head']),
      (e: unknown) =>
        e instanceof MultipleHeadsError &&
        e.message === 'Multiple heads are present; please specify a single target revision',
    )
  })

  test('starting revision of an offline range', () => {
    assert.deepEqual(resolveStartingRevisions(maps.linear, 'base'), [])
    assert.deepEqual(resolveStartingRevisions(maps.linear, 'b2'), ['b2bb'])
    assert.deepEqual(resolveStartingRevisions(maps.linear, null), [])
  })
})

describe('applyStep guards the version table', () => {
  test('a step whose parent row is missing is refused', () => {
    const step = planUpgrade(maps.linear, ['a1aa'], 'b2bb')[0] as MigrationStep
    assert.throws(
      () => applyStep(maps.linear, ['c3cc', 'b2bb'], step),
      (e: unknown) => e instanceof GraphError && e.code === 'version-table-mismatch',
    )
  })
})
