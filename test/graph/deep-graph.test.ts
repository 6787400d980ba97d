// 10,000 revisions in a line and a 10,000-deep branchy graph: nothing may recurse on depth, and
// the common operations stay fast.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  applyStep,
  currentRevisions,
  historyRange,
  planDowngrade,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'

const N = 10_000

const line: RevisionInput[] = Array.from({ length: N }, (_, i) => ({
  revision: `r${i}`,
  downRevision: i === 0 ? null : `r${i - 1}`,
}))

// fork, two sides, merge, repeated; every right side also depends on an older left side
const ladder: RevisionInput[] = [{ revision: 'm0', downRevision: null, branchLabels: ['trunk'] }]
for (let k = 1; ladder.length < N; k++) {
  ladder.push({ revision: `l${k}`, downRevision: `m${k - 1}` })
  ladder.push({ revision: `r${k}`, downRevision: `m${k - 1}`, dependsOn: k > 2 ? [`l${k - 2}`] : null })
  ladder.push({ revision: `m${k}`, downRevision: [`l${k}`, `r${k}`] })
}

const time = <T>(fn: () => T): { value: T; ms: number } => {
  const start = performance.now()
  const value = fn()
  return { value, ms: performance.now() - start }
}

describe('deep graphs', () => {
  for (const [name, graph] of [
    ['10,000 in a line', line],
    ['10,000-deep ladder of merges', ladder],
  ] as const) {
    test(name, (t) => {
      // Timings are reported, not asserted: a loaded machine makes any bound fail. `npm run
      // bench:graph` is where speed is measured.
      RevisionMap.build(graph) // warm up the JIT so the timings below mean something
      const built = time(() => {
        const map = RevisionMap.build(graph)
        return { map, heads: map.heads }
      })
      t.diagnostic(`build + heads: ${built.ms.toFixed(1)} ms`)
      const { map, heads } = built.value
      assert.equal(heads.length, 1)
      const top = heads[0] as string

      const up = time(() => planUpgrade(map, [], 'heads'))
      t.diagnostic(`planUpgrade: ${up.ms.toFixed(1)} ms`)
      assert.equal(up.value.length, graph.length)
      let rows: readonly string[] = []
      for (const step of up.value) rows = applyStep(map, rows, step).heads
      assert.deepEqual(rows, [top])

      const down = time(() => planDowngrade(map, rows, 'base'))
      t.diagnostic(`planDowngrade: ${down.ms.toFixed(1)} ms`)
      assert.equal(down.value.length, graph.length)
      for (const step of down.value) rows = applyStep(map, rows, step).heads
      assert.deepEqual(rows, [])

      assert.equal(historyRange(map, undefined, []).length, graph.length)
      assert.deepEqual(
        currentRevisions(map, [top]).map((r) => r.revision),
        [top],
      )
      assert.ok(map.get(map.bases[0] as string).isBase)
    })
  }

  test('relative walks across the whole line', () => {
    const map = RevisionMap.build(line)
    assert.deepEqual(
      map.resolve(`-${N - 1}`).map((r) => r.revision),
      ['r0'],
    )
    assert.equal(planUpgrade(map, [], `+${N}`).length, N)
    assert.equal(planDowngrade(map, [`r${N - 1}`], `-${N - 1}`).length, N - 1)
    assert.equal(historyRange(map, '-5:current', [`r${N - 1}`]).length, 6)
  })

  test('labels propagate along the ladder', () => {
    const map = RevisionMap.build(ladder)
    const top = map.heads[0] as string
    assert.deepEqual(map.get(top).allBranchLabels, ['trunk'])
    assert.deepEqual(
      map.resolve('trunk@head').map((r) => r.revision),
      [top],
    )
  })
})
