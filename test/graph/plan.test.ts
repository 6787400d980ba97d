import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  GraphError,
  type GraphWarning,
  type MigrationStep,
  MultipleHeadsError,
  planDowngrade,
  planUpgrade,
  RangeNotAncestorError,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { SHAPES } from './fixtures/graphs.js'
import { trace } from './fixtures/trace.js'

const maps = Object.fromEntries(
  Object.entries(SHAPES).map(([name, graph]) => [name, RevisionMap.build(graph as RevisionInput[])]),
) as Record<keyof typeof SHAPES, RevisionMap>

type Row = readonly [
  name: string,
  shape: keyof typeof SHAPES,
  kind: 'up' | 'down',
  current: readonly string[],
  target: string,
  expect: readonly string[],
]

const rows: readonly Row[] = [
  [
    'linear from empty',
    'linear',
    'up',
    [],
    'head',
    [
      'up a1aa [] -> [a1aa] | insert a1aa',
      'up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb',
      'up c3cc [b2bb] -> [c3cc] | update b2bb->c3cc',
      'up d4dd [c3cc] -> [d4dd] | update c3cc->d4dd',
    ],
  ],
  [
    'linear +2',
    'linear',
    'up',
    ['a1aa'],
    '+2',
    ['up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb', 'up c3cc [b2bb] -> [c3cc] | update b2bb->c3cc'],
  ],
  [
    'linear <rev>+1',
    'linear',
    'up',
    ['a1aa'],
    'b2bb+1',
    ['up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb', 'up c3cc [b2bb] -> [c3cc] | update b2bb->c3cc'],
  ],
  [
    'linear head-2',
    'linear',
    'up',
    [],
    'head-2',
    ['up a1aa [] -> [a1aa] | insert a1aa', 'up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb'],
  ],
  ['linear base+1', 'linear', 'up', [], 'base+1', ['up a1aa [] -> [a1aa] | insert a1aa']],
  ['linear already there', 'linear', 'up', ['d4dd'], 'heads', []],
  ['upgrade to an ancestor does nothing, as in Alembic', 'linear', 'up', ['c3cc'], 'a1aa', []],
  ['upgrade to an ancestor on another line does nothing', 'branchpoint', 'up', ['c1cc'], 'b1bb', []],
  ['linear -1', 'linear', 'down', ['d4dd'], '-1', ['down d4dd [d4dd] -> [c3cc] | update d4dd->c3cc']],
  [
    'linear <rev>-1',
    'linear',
    'down',
    ['d4dd'],
    'c3cc-1',
    ['down d4dd [d4dd] -> [c3cc] | update d4dd->c3cc', 'down c3cc [c3cc] -> [b2bb] | update c3cc->b2bb'],
  ],
  [
    'linear to base',
    'linear',
    'down',
    ['c3cc'],
    'base',
    [
      'down c3cc [c3cc] -> [b2bb] | update c3cc->b2bb',
      'down b2bb [b2bb] -> [a1aa] | update b2bb->a1aa',
      'down a1aa [a1aa] -> [] | delete a1aa',
    ],
  ],
  [
    'branch point: upgrade heads applies every branch, each new branch inserts a row',
    'branchpoint',
    'up',
    [],
    'heads',
    [
      'up a1aa [] -> [a1aa] | insert a1aa',
      'up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb',
      'up c2cc [b2bb] -> [c2cc] | update b2bb->c2cc',
      'up b1bb [a1aa] -> [b1bb] | insert b1bb',
      'up c1cc [b1bb] -> [c1cc] | update b1bb->c1cc',
    ],
  ],
  [
    'branch point: one branch by id',
    'branchpoint',
    'up',
    ['c1cc'],
    'c2cc',
    ['up b2bb [a1aa] -> [b2bb] | insert b2bb', 'up c2cc [b2bb] -> [c2cc] | update b2bb->c2cc'],
  ],
  [
    'branch point: down a shared ancestor removes both branches',
    'branchpoint',
    'down',
    ['c1cc', 'c2cc'],
    'a1aa',
    [
      'down c1cc [c1cc] -> [b1bb] | update c1cc->b1bb',
      'down b1bb [b1bb] -> [a1aa] | delete b1bb',
      'down c2cc [c2cc] -> [b2bb] | update c2cc->b2bb',
      'down b2bb [b2bb] -> [a1aa] | update b2bb->a1aa',
    ],
  ],
  [
    'branch point: <rev>@-1 walks that branch only',
    'branchpoint',
    'down',
    ['c1cc', 'c2cc'],
    'c2cc@-1',
    ['down c2cc [c2cc] -> [b2bb] | update c2cc->b2bb'],
  ],
  [
    'merge: DELETE + UPDATE',
    'merge',
    'up',
    [],
    'head',
    [
      'up a1aa [] -> [a1aa] | insert a1aa',
      'up b2bb [a1aa] -> [b2bb] | update a1aa->b2bb',
      'up b1bb [a1aa] -> [b1bb] | insert b1bb',
      'up m1mm [b1bb,b2bb] -> [m1mm] | delete b1bb; update b2bb->m1mm',
      'up n1nn [m1mm] -> [n1nn] | update m1mm->n1nn',
    ],
  ],
  [
    'unmerge: INSERT + UPDATE',
    'merge',
    'down',
    ['n1nn'],
    'b1bb',
    [
      'down n1nn [n1nn] -> [m1mm] | update n1nn->m1mm',
      'down m1mm [m1mm] -> [b1bb,b2bb] | insert b1bb; update m1mm->b2bb',
    ],
  ],
  [
    'merge down to base',
    'merge',
    'down',
    ['n1nn'],
    'base',
    [
      'down n1nn [n1nn] -> [m1mm] | update n1nn->m1mm',
      'down m1mm [m1mm] -> [b1bb,b2bb] | insert b1bb; update m1mm->b2bb',
      'down b1bb [b1bb] -> [a1aa] | delete b1bb',
      'down b2bb [b2bb] -> [a1aa] | update b2bb->a1aa',
      'down a1aa [a1aa] -> [] | delete a1aa',
    ],
  ],
  [
    'several bases: heads',
    'twoBases',
    'up',
    [],
    'heads',
    [
      'up x1xx [] -> [x1xx] | insert x1xx',
      'up x2xx [x1xx] -> [x2xx] | update x1xx->x2xx',
      'up x3xx [x2xx] -> [x3xx] | update x2xx->x3xx',
      'up a1aa [] -> [a1aa] | insert a1aa',
      'up a2aa [a1aa] -> [a2aa] | update a1aa->a2aa',
    ],
  ],
  [
    'several bases: label@+1 starts the other branch',
    'twoBases',
    'up',
    ['a2aa'],
    'right@+1',
    ['up x1xx [] -> [x1xx] | insert x1xx'],
  ],
  [
    'several bases: label@head',
    'twoBases',
    'up',
    ['a2aa', 'x1xx'],
    'right@head',
    ['up x2xx [x1xx] -> [x2xx] | update x1xx->x2xx', 'up x3xx [x2xx] -> [x3xx] | update x2xx->x3xx'],
  ],
  [
    'several bases: label@base',
    'twoBases',
    'down',
    ['a2aa', 'x3xx'],
    'right@base',
    [
      'down x3xx [x3xx] -> [x2xx] | update x3xx->x2xx',
      'down x2xx [x2xx] -> [x1xx] | update x2xx->x1xx',
      'down x1xx [x1xx] -> [] | delete x1xx',
    ],
  ],
  [
    'several bases: label@-1',
    'twoBases',
    'down',
    ['a2aa', 'x3xx'],
    'left@-1',
    ['down a2aa [a2aa] -> [a1aa] | update a2aa->a1aa'],
  ],
  [
    'dependsOn: dependencies run first and merge rows',
    'dependsOn',
    'up',
    [],
    'x3xx',
    [
      'up a1aa [] -> [a1aa] | insert a1aa',
      'up a2aa [a1aa] -> [a2aa] | update a1aa->a2aa',
      'up x1xx [] -> [x1xx] | insert x1xx',
      'up x2xx [x1xx,a2aa] -> [x2xx] | delete x1xx; update a2aa->x2xx',
      'up x3xx [x2xx,a1aa] -> [x3xx] | update x2xx->x3xx',
    ],
  ],
  [
    'dependsOn: downgrading a dependency takes its dependents down',
    'dependsOn',
    'down',
    ['x3xx'],
    'a1aa',
    [
      'down x3xx [x3xx] -> [x2xx,a1aa] | insert x2xx; update x3xx->a1aa',
      'down x2xx [x2xx] -> [x1xx,a2aa] | insert x1xx; update x2xx->a2aa',
      'down a2aa [a2aa] -> [a1aa] | delete a2aa',
    ],
  ],
  [
    'dependsOn on another branch',
    'dependsOnBranch',
    'up',
    ['a1aa'],
    'c2cc',
    [
      'up b1bb [a1aa] -> [b1bb] | update a1aa->b1bb',
      'up c1cc [a1aa] -> [c1cc] | insert c1cc',
      'up c2cc [c1cc,b1bb] -> [c2cc] | delete c1cc; update b1bb->c2cc',
    ],
  ],
]

describe('planUpgrade / planDowngrade: steps and version-table changes', () => {
  for (const [name, shape, kind, current, target, expect] of rows) {
    test(`${name} (${kind} ${current.join(',') || '<empty>'} -> ${target})`, () => {
      const map = maps[shape]
      const steps = kind === 'up' ? planUpgrade(map, current, target) : planDowngrade(map, current, target)
      assert.deepEqual(trace(map, current, steps), expect)
      assert.ok(Object.isFrozen(steps))
    })
  }

  test('log lines use the ids without dependencies, as Alembic prints them', () => {
    const map = maps.dependsOn
    const steps = planUpgrade(map, [], 'x3xx')
    const last = steps[steps.length - 1] as MigrationStep
    assert.deepEqual(last.fromRevisions, ['x2xx', 'a1aa'])
    assert.deepEqual(last.fromRevisionsNoDeps, ['x2xx'])
    assert.equal(last.shortLog, 'upgrade x2xx -> x3xx')
    assert.equal(last.log, 'upgrade x2xx -> x3xx, rev x3xx')
    assert.equal((steps[0] as MigrationStep).shortLog, 'upgrade  -> a1aa')
    const down = planDowngrade(maps.merge, ['m1mm'], 'b1bb')[0] as MigrationStep
    assert.equal(down.shortLog, 'downgrade m1mm -> b1bb, b2bb')
  })
})

const errorRows: readonly (readonly [
  string,
  keyof typeof SHAPES,
  'up' | 'down',
  readonly string[],
  string,
  string,
  string?,
])[] = [
  ['upgrade head with several heads', 'branchpoint', 'up', [], 'head', 'multiple-heads', "argument 'head'"],
  [
    'upgrade +1 from several heads',
    'branchpoint',
    'up',
    ['c1cc', 'c2cc'],
    '+1',
    'ambiguous-upgrade',
    'Ambiguous upgrade from multiple current revisions',
  ],
  ['upgrade +1 at a branch point', 'branchpoint', 'up', ['a1aa'], '+1', 'ambiguous-walk'],
  [
    'relative overshoot up',
    'linear',
    'up',
    ['c3cc'],
    '+2',
    'relative-overshoot',
    "Relative revision +2 didn't produce 2 migrations",
  ],
  ['upgrade -1 is not valid', 'linear', 'up', ['c3cc'], '-1', 'relative-overshoot'],
  [
    'downgrade to a non-ancestor',
    'branchpoint',
    'down',
    ['c1cc'],
    'c2cc',
    'range-not-ancestor',
    'Destination c2cc is not a valid downgrade target from current head(s)',
  ],
  ['downgrade to a descendant', 'linear', 'down', ['b2bb'], 'd4dd', 'range-not-ancestor'],
  [
    'relative overshoot down',
    'linear',
    'down',
    ['b2bb'],
    '-3',
    'relative-overshoot',
    "Relative revision -3 didn't produce 3 migrations",
  ],
  ['downgrade +1 is not valid', 'linear', 'down', ['b2bb'], '+1', 'relative-overshoot'],
  ['downgrade -1 from nothing', 'linear', 'down', [], '-1', 'relative-overshoot'],
  ['downgrade walking through a merge', 'merge', 'down', ['n1nn'], '-2', 'ambiguous-walk'],
  ['unknown target', 'linear', 'up', [], 'nope', 'unknown-revision', "'nope'"],
  ['unknown current revision', 'linear', 'up', ['nope'], 'head', 'unknown-revision'],
]

describe('planning errors', () => {
  for (const [name, shape, kind, current, target, code, mention] of errorRows) {
    test(name, () => {
      const map = maps[shape]
      assert.throws(
        () => (kind === 'up' ? planUpgrade(map, current, target) : planDowngrade(map, current, target)),
        (e: unknown) => {
          assert.ok(e instanceof GraphError, String(e))
          assert.equal(e.code, code, e.message)
          if (mention) assert.ok(e.message.includes(mention), e.message)
          return true
        },
      )
    })
  }

  test('typed errors keep their data and cause', () => {
    assert.throws(
      () => planUpgrade(maps.branchpoint, [], 'head'),
      (e: unknown) => e instanceof MultipleHeadsError && e.heads.join() === 'c1cc,c2cc',
    )
    assert.throws(
      () => planDowngrade(maps.linear, ['b2bb'], 'c3cc'),
      (e: unknown) =>
        e instanceof RangeNotAncestorError &&
        e.cause instanceof RangeNotAncestorError &&
        e.message === 'Destination c3cc is not a valid downgrade target from current head(s)',
    )
  })

  test('downgrade -1 from several heads walks the first and warns', () => {
    const warnings: GraphWarning[] = []
    const steps = planDowngrade(maps.branchpoint, ['c1cc', 'c2cc'], '-1', {
      onWarning: (w) => warnings.push(w),
    })
    assert.deepEqual(trace(maps.branchpoint, ['c1cc', 'c2cc'], steps), [
      'down c1cc [c1cc] -> [b1bb] | update c1cc->b1bb',
    ])
    assert.equal(warnings.length, 1)
    assert.equal(warnings[0]?.code, 'ambiguous-downgrade')
    assert.match(warnings[0]?.message ?? '', /downgrade -1 from multiple heads is ambiguous/)
  })
})
