import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  branchPoints,
  currentRevisions,
  DuplicateBranchLabelError,
  DuplicateRevisionError,
  GraphError,
  historyRange,
  InvalidRevisionIdError,
  listHeads,
  MultipleHeadsError,
  placeNewRevision,
  type RevisionInput,
  RevisionMap,
  splitRevisionRange,
} from '@migraph/graph'
import { SHAPES } from './fixtures/graphs.js'

const maps = Object.fromEntries(
  Object.entries(SHAPES).map(([name, graph]) => [name, RevisionMap.build(graph as RevisionInput[])]),
) as Record<keyof typeof SHAPES, RevisionMap>

const ids = (revs: readonly { revision: string }[]): string[] => revs.map((r) => r.revision)

describe('historyRange', () => {
  const rows: readonly (readonly [
    keyof typeof SHAPES,
    string | undefined,
    readonly string[],
    readonly string[] | string,
  ])[] = [
    ['linear', undefined, [], ['d4dd', 'c3cc', 'b2bb', 'a1aa']],
    ['linear', ':', [], ['d4dd', 'c3cc', 'b2bb', 'a1aa']],
    ['linear', 'b2bb:', [], ['d4dd', 'c3cc', 'b2bb']],
    ['linear', ':c3cc', [], ['c3cc', 'b2bb', 'a1aa']],
    ['linear', 'b2bb:c3cc', [], ['c3cc', 'b2bb']],
    ['linear', '-2:', [], ['d4dd', 'c3cc', 'b2bb']],
    ['linear', '-1:current', ['c3cc'], ['c3cc']],
    ['linear', 'current:', ['b2bb'], ['d4dd', 'c3cc', 'b2bb']],
    ['linear', ':current', ['b2bb'], ['b2bb', 'a1aa']],
    ['linear', ':current', [], ['d4dd', 'c3cc', 'b2bb', 'a1aa']],
    ['linear', 'c3cc:a1aa', [], 'range-not-ancestor'],
    ['linear', 'head', [], 'invalid-range'],
    ['linear', 'a:b:c', [], 'invalid-range'],
    ['branchpoint', undefined, [], ['c1cc', 'b1bb', 'c2cc', 'b2bb', 'a1aa']],
    ['branchpoint', 'b1bb:c2cc', [], 'range-not-ancestor'],
    ['merge', undefined, [], ['n1nn', 'm1mm', 'b1bb', 'b2bb', 'a1aa']],
    ['twoBases', 'right@base:right@head', [], ['x3xx', 'x2xx', 'x1xx']],
    ['dependsOn', undefined, [], ['x3xx', 'x2xx', 'x1xx', 'a2aa', 'a1aa']],
  ]
  for (const [shape, range, current, expect] of rows) {
    test(`${shape} ${range ?? '(all)'}${current.length > 0 ? ` current=${current}` : ''}`, () => {
      const map = maps[shape]
      if (typeof expect === 'string') {
        assert.throws(
          () => historyRange(map, range, current),
          (e: unknown) => e instanceof GraphError && e.code === expect,
        )
      } else {
        assert.deepEqual(ids(historyRange(map, range, current)), expect)
      }
    })
  }

  test('range errors name the range', () => {
    assert.throws(
      () => historyRange(maps.linear, 'c3cc:a1aa', []),
      /Requested range c3cc:a1aa does not refer to ancestor\/descendant revisions along the same branch/,
    )
    assert.deepEqual(splitRevisionRange('a:b'), { start: 'a', end: 'b' })
    assert.equal(splitRevisionRange('ab'), null)
  })
})

describe('heads, branches, current', () => {
  test('heads with and without --resolve-dependencies', () => {
    assert.deepEqual(ids(listHeads(maps.dependsOn)), ['a2aa', 'x3xx'])
    assert.deepEqual(ids(listHeads(maps.dependsOn, { resolveDependencies: true })), ['x3xx'])
  })

  test('branch points and what they branch into', () => {
    const points = branchPoints(maps.unevenMerge)
    assert.deepEqual(
      points.map((p) => [p.revision.revision, ids(p.branches)]),
      [
        ['m1mm', ['d1dd', 'd2dd']],
        ['a1aa', ['b1bb', 'c1cc']],
      ],
    )
  })

  test('current lists branch tips, including those implied by dependencies', () => {
    assert.deepEqual(ids(currentRevisions(maps.dependsOn, ['x2xx'])), ['a2aa', 'x2xx'])
    assert.deepEqual(ids(currentRevisions(maps.branchpoint, ['c1cc', 'c2cc'])), ['c1cc', 'c2cc'])
    assert.deepEqual(ids(currentRevisions(maps.linear, [])), [])
  })
})

describe('placeNewRevision', () => {
  test('defaults to the single head', () => {
    assert.deepEqual(placeNewRevision(maps.linear), { downRevisions: ['d4dd'], dependsOn: [] })
  })
  test('--head base starts a new root', () => {
    assert.deepEqual(placeNewRevision(maps.linear, { head: 'base' }).downRevisions, [])
  })
  test('several heads need --head', () => {
    assert.throws(
      () => placeNewRevision(maps.branchpoint),
      (e: unknown) => e instanceof MultipleHeadsError && /please specify the head revision/.test(e.message),
    )
    assert.deepEqual(placeNewRevision(maps.twoBases, { head: 'right@head' }).downRevisions, ['x3xx'])
  })
  test('a non-head needs --splice', () => {
    assert.throws(
      () => placeNewRevision(maps.linear, { head: 'b2bb' }),
      (e: unknown) =>
        e instanceof GraphError &&
        e.code === 'not-a-head' &&
        e.message ===
          'Revision b2bb is not a head revision; please specify --splice to create a new branch from this revision',
    )
    assert.deepEqual(placeNewRevision(maps.linear, { head: 'b2', splice: true }).downRevisions, ['b2bb'])
  })
  test('merge resolves its revisions', () => {
    assert.deepEqual(placeNewRevision(maps.branchpoint, { head: ['heads'] }).downRevisions, ['c1cc', 'c2cc'])
    assert.deepEqual(placeNewRevision(maps.branchpoint, { head: ['c1', 'c2'] }).downRevisions, [
      'c1cc',
      'c2cc',
    ])
    assert.throws(
      () => placeNewRevision(maps.branchpoint, { head: ['c1cc', 'c1'] }),
      (e: unknown) => e instanceof GraphError && e.code === 'duplicate-heads',
    )
  })
  test('dependsOn keeps labels and completes prefixes', () => {
    assert.deepEqual(
      placeNewRevision(maps.dependsOn, { head: 'app@head', dependsOn: ['lib', 'a2'] }).dependsOn,
      ['lib', 'a2aa'],
    )
  })
  test('label and id collisions are reported before any file is written', () => {
    assert.throws(
      () => placeNewRevision(maps.twoBases, { head: 'left@head', branchLabel: ['right'] }),
      DuplicateBranchLabelError,
    )
    assert.throws(() => placeNewRevision(maps.linear, { revision: 'c3cc' }), DuplicateRevisionError)
    assert.throws(() => placeNewRevision(maps.linear, { revision: 'a-b' }), InvalidRevisionIdError)
  })
})
