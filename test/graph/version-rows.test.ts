import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  applyStep,
  impliedRevisions,
  overlappingVersions,
  planDowngrade,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { SHAPES } from './fixtures/graphs.js'

const maps = Object.entries(SHAPES).map(
  ([name, graph]) => [name, RevisionMap.build(graph as RevisionInput[])] as const,
)

describe('overlappingVersions', () => {
  test('names each row below another along downRevision links', () => {
    const linear = RevisionMap.build(SHAPES.linear as RevisionInput[])
    assert.deepEqual(overlappingVersions(linear, ['a1aa', 'c3cc']), [['a1aa', 'c3cc']])
    assert.deepEqual(overlappingVersions(linear, ['c3cc', 'unknown']), [])
    const deps = RevisionMap.build(SHAPES.dependsOn as RevisionInput[])
    // A downgrade of x3xx, which depends on a1aa, leaves both of its parents.
    assert.deepEqual(overlappingVersions(deps, ['a1aa', 'x2xx']), [])
    assert.deepEqual(overlappingVersions(deps, ['x1xx', 'x3xx']), [['x1xx', 'x3xx']])
    const branches = RevisionMap.build(SHAPES.branchpoint as RevisionInput[])
    assert.deepEqual(overlappingVersions(branches, ['c1cc', 'c2cc']), [])
  })

  // What every step leaves in the version table must never look corrupt.
  for (const [name, map] of maps) {
    test(`no row the steps write conflicts with another: ${name}`, () => {
      for (const target of map.revisions.map((r) => r.revision)) {
        let heads: readonly string[] = []
        for (const step of planUpgrade(map, heads, target)) {
          heads = applyStep(map, heads, step).heads
          assert.deepEqual(overlappingVersions(map, heads), [], `${target}: ${heads.join(', ')}`)
        }
        for (const step of planUpgrade(map, heads, 'heads')) {
          heads = applyStep(map, heads, step).heads
          assert.deepEqual(overlappingVersions(map, heads), [], `heads after ${target}: ${heads.join(', ')}`)
        }
        assert.ok(impliedRevisions(map, heads).has(target))
        for (const step of planDowngrade(map, heads, 'base')) {
          heads = applyStep(map, heads, step).heads
          assert.deepEqual(overlappingVersions(map, heads), [], `down from heads: ${heads.join(', ')}`)
        }
      }
    })
  }
})
