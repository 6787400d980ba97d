import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  CycleError,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  GraphError,
  InvalidRevisionIdError,
  MissingRevisionError,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { SHAPES } from './fixtures/graphs.js'

const r = (revision: string, downRevision: string | string[] | null, extra: Partial<RevisionInput> = {}) => ({
  revision,
  downRevision,
  path: `versions/${revision}.ts`,
  ...extra,
})

describe('RevisionMap.build: shapes', () => {
  const cases: {
    name: keyof typeof SHAPES
    heads: string[]
    realHeads?: string[]
    bases: string[]
    branchPoints: string[]
    mergePoints: string[]
  }[] = [
    { name: 'linear', heads: ['d4dd'], bases: ['a1aa'], branchPoints: [], mergePoints: [] },
    {
      name: 'branchpoint',
      heads: ['c1cc', 'c2cc'],
      bases: ['a1aa'],
      branchPoints: ['a1aa'],
      mergePoints: [],
    },
    { name: 'merge', heads: ['n1nn'], bases: ['a1aa'], branchPoints: ['a1aa'], mergePoints: ['m1mm'] },
    { name: 'twoBases', heads: ['a2aa', 'x3xx'], bases: ['a1aa', 'x1xx'], branchPoints: [], mergePoints: [] },
    {
      name: 'dependsOn',
      heads: ['a2aa', 'x3xx'],
      realHeads: ['x3xx'],
      bases: ['a1aa', 'x1xx'],
      branchPoints: [],
      mergePoints: [],
    },
    {
      name: 'diamondMerge3',
      heads: ['m1mm'],
      bases: ['a1aa'],
      branchPoints: ['a1aa'],
      mergePoints: ['m1mm'],
    },
    {
      name: 'mergeOfBases',
      heads: ['n1nn'],
      bases: ['a1aa', 'x1xx'],
      branchPoints: [],
      mergePoints: ['m1mm'],
    },
  ]
  for (const c of cases) {
    test(c.name, () => {
      const map = RevisionMap.build(SHAPES[c.name] as RevisionInput[])
      assert.deepEqual(map.heads, c.heads)
      assert.deepEqual(map.realHeads, c.realHeads ?? c.heads)
      assert.deepEqual(map.bases, c.bases)
      assert.deepEqual(
        map.revisions.filter((x) => x.isBranchPoint).map((x) => x.revision),
        c.branchPoints,
      )
      assert.deepEqual(
        map.revisions.filter((x) => x.isMergePoint).map((x) => x.revision),
        c.mergePoints,
      )
      assert.ok(Object.isFrozen(map.heads))
      assert.ok(Object.isFrozen(map.get(c.heads[0] as string)))
    })
  }

  test('dependsOn: effective head, resolved labels, normalized dependencies', () => {
    const map = RevisionMap.build(SHAPES.dependsOn as RevisionInput[])
    const a2 = map.get('a2aa')
    assert.equal(a2.isHead, true)
    assert.equal(a2.isRealHead, false)
    assert.deepEqual(a2.allNextRevisions, ['x2xx'])
    assert.deepEqual(map.get('x3xx').resolvedDependencies, ['a1aa'])
    assert.deepEqual(map.get('x3xx').normalizedDownRevisions, ['x2xx', 'a1aa'])
    assert.equal(map.get('x2xx').isRealBase, false)
    assert.equal(map.get('x1xx').isRealBase, true)
  })

  test('a dependency an ancestor already declares is normalized away', () => {
    const map = RevisionMap.build([
      r('a1', null),
      r('x1', null),
      r('x2', 'x1', { dependsOn: ['a1'] }),
      r('x3', 'x2', { dependsOn: ['a1'] }),
    ])
    assert.deepEqual(map.get('x2').normalizedDependencies, ['a1'])
    assert.deepEqual(map.get('x3').normalizedDependencies, [])
    assert.deepEqual(map.get('x3').resolvedDependencies, ['a1'])
  })

  const labelCases: { name: string; graph: RevisionInput[]; expect: Record<string, string[]> }[] = [
    {
      name: 'propagate to descendants and down a single line',
      graph: [r('a1', null), r('b1', 'a1', { branchLabels: ['f'] }), r('c1', 'b1')],
      expect: { a1: ['f'], b1: ['f'], c1: ['f'] },
    },
    {
      name: 'stop at a branch point',
      graph: [r('a1', null), r('b1', 'a1', { branchLabels: ['f'] }), r('b2', 'a1'), r('c1', 'b1')],
      expect: { a1: [], b1: ['f'], b2: [], c1: ['f'] },
    },
    {
      name: 'descendants that branch keep the label above the labelled revision only',
      graph: [r('a1', null), r('b1', 'a1', { branchLabels: ['f'] }), r('c1', 'b1'), r('c2', 'b1')],
      expect: { a1: [], b1: ['f'], c1: ['f'], c2: ['f'] },
    },
    {
      name: 'merge points receive both labels',
      graph: [
        r('a1', null),
        r('b1', 'a1', { branchLabels: ['x'] }),
        r('b2', 'a1', { branchLabels: ['y'] }),
        r('m1', ['b1', 'b2']),
      ],
      expect: { a1: [], b1: ['x'], b2: ['y'], m1: ['x', 'y'] },
    },
  ]
  for (const c of labelCases) {
    test(`labels: ${c.name}`, () => {
      const map = RevisionMap.build(c.graph)
      for (const [id, labels] of Object.entries(c.expect)) {
        assert.deepEqual([...map.get(id).allBranchLabels].sort(), labels, id)
      }
    })
  }
})

describe('RevisionMap.build: validation errors', () => {
  const cases: {
    name: string
    graph: RevisionInput[]
    error: new (...args: never[]) => GraphError
    code: string
    mentions: string[]
    check?: (e: GraphError) => void
  }[] = [
    {
      name: 'cycle',
      graph: [r('a1', null), r('b1', ['a1', 'c1']), r('c1', 'b1'), r('d1', 'a1')],
      error: CycleError,
      code: 'cycle',
      mentions: ['Cycle is detected in revisions (b1, c1)', 'versions/b1.ts', 'versions/c1.ts'],
      check: (e) => assert.deepEqual((e as CycleError).revisions, ['b1', 'c1']),
    },
    {
      name: 'cycle without any base',
      graph: [r('a1', 'b1'), r('b1', 'a1')],
      error: CycleError,
      code: 'cycle',
      mentions: ['a1, b1'],
    },
    {
      name: 'self loop',
      graph: [r('a1', 'a1')],
      error: CycleError,
      code: 'cycle',
      mentions: ['Self-loop is detected in revisions (a1)', 'versions/a1.ts'],
    },
    {
      name: 'dependency cycle',
      graph: [r('a1', null, { dependsOn: ['b1'] }), r('b1', 'a1')],
      error: CycleError,
      code: 'cycle',
      mentions: ['Dependency cycle is detected'],
      check: (e) => assert.equal((e as CycleError).dependency, true),
    },
    {
      name: 'dependency self loop',
      graph: [r('a1', null, { dependsOn: ['a1'] })],
      error: CycleError,
      code: 'cycle',
      mentions: ['Dependency self-loop'],
    },
    {
      name: 'duplicate id',
      graph: [r('a1', null), { revision: 'a1', downRevision: null, path: 'other/a1.ts' }],
      error: DuplicateRevisionError,
      code: 'duplicate-revision',
      mentions: ['a1', 'versions/a1.ts', 'other/a1.ts'],
    },
    {
      name: 'missing down revision',
      graph: [r('a1', null), r('b1', 'zz')],
      error: MissingRevisionError,
      code: 'missing-revision',
      mentions: ['zz', 'b1', 'downRevision', 'versions/b1.ts'],
    },
    {
      name: 'missing dependency',
      graph: [r('a1', null), r('b1', 'a1', { dependsOn: ['nope'] })],
      error: MissingRevisionError,
      code: 'missing-revision',
      mentions: ['nope', 'dependsOn', 'versions/b1.ts'],
    },
    {
      name: 'down revision naming a label',
      graph: [r('a1', null, { branchLabels: ['lib'] }), r('b1', 'lib')],
      error: MissingRevisionError,
      code: 'missing-revision',
      mentions: ['lib'],
    },
    {
      name: 'duplicate branch label',
      graph: [r('a1', null, { branchLabels: ['x'] }), r('b1', 'a1', { branchLabels: ['x'] })],
      error: DuplicateBranchLabelError,
      code: 'duplicate-branch-label',
      mentions: ["Branch name 'x' in revision b1 already used by revision a1", 'versions/b1.ts'],
    },
    {
      name: 'branch label equal to a revision id',
      graph: [r('a1', null, { branchLabels: ['b1'] }), r('b1', 'a1')],
      error: DuplicateBranchLabelError,
      code: 'duplicate-branch-label',
      mentions: ["'b1'"],
    },
    ...['a@b', 'a-b', 'a+b', 'a:b', 'a b', 'a\tb', ''].map((id) => ({
      name: `illegal id ${JSON.stringify(id)}`,
      graph: [{ revision: id, downRevision: null, path: 'versions/bad.ts' }],
      error: InvalidRevisionIdError,
      code: 'invalid-revision-id',
      mentions: ['versions/bad.ts'],
    })),
  ]
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => RevisionMap.build(c.graph),
        (e: unknown) => {
          assert.ok(e instanceof c.error, String(e))
          assert.ok(e instanceof GraphError)
          assert.equal(e.code, c.code)
          assert.equal(e.name, c.error.name)
          for (const m of c.mentions) assert.ok(e.message.includes(m), `${e.message} should mention ${m}`)
          c.check?.(e)
          return true
        },
      )
    })
  }

  test('an empty graph is valid', () => {
    const map = RevisionMap.build([])
    assert.deepEqual(map.heads, [])
    assert.deepEqual(map.resolve('heads'), [])
    assert.deepEqual(map.resolve('head'), [])
  })
})
