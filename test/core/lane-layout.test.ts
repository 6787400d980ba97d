// The HTML picture's layout, on random graphs with branches, merges, several bases and dependsOn
// links: every revision has a row and a lane of its own, and no edge runs through a revision it
// does not join (the property that makes the picture readable).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { historyRange, type RevisionInput, RevisionMap } from '@migraph/graph'
import { laneLayout } from '../../packages/core/src/picture/lane-layout.js'
import { revisionGraph } from '../../packages/core/src/picture/revision-graph.js'

/** A small seeded generator (mulberry32), so a failure names a graph that can be rebuilt. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` revisions: mostly extending a head, sometimes branching, merging or depending on another. */
function randomGraph(seed: number, n: number): RevisionInput[] {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const out: RevisionInput[] = []
  const heads = new Set<string>()
  for (let i = 0; i < n; i++) {
    const id = `r${i}`
    const roll = next()
    let down: string[] = []
    if (i > 0 && roll > 0.03) {
      const open = [...heads]
      if (roll < 0.15 && open.length >= 2) {
        const a = pick(open)
        const b = pick(open.filter((h) => h !== a))
        down = [a, b]
      } else {
        down = [roll < 0.3 ? `r${Math.floor(next() * i)}` : pick(open.length > 0 ? open : [`r${i - 1}`])]
      }
    }
    const dependsOn = i > 10 && next() < 0.05 ? [`r${Math.floor(next() * (i - 1))}`] : []
    for (const d of down) heads.delete(d)
    heads.add(id)
    out.push({
      revision: id,
      downRevision: down.length === 0 ? null : down,
      dependsOn: dependsOn.filter((d) => !down.includes(d)),
    })
  }
  return out
}

describe('lane layout', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    test(`seed ${seed}: one place per revision, no edge through another revision`, () => {
      const map = RevisionMap.build(randomGraph(seed, 400))
      const picture = revisionGraph(map, historyRange(map, undefined, []))
      const layout = laneLayout(picture)
      assert.equal(layout.places.size, picture.nodes.length)
      const at = new Map<string, string>()
      for (const [id, place] of layout.places) {
        const key = `${place.lane}:${place.row}`
        assert.equal(at.get(key), undefined, `${id} and ${at.get(key)} share ${key}`)
        at.set(key, id)
      }
      assert.equal(layout.routes.length, picture.edges.length)
      for (const { edge, points } of layout.routes) {
        for (let k = 1; k < points.length; k++) {
          const [lane, fromRow] = points[k - 1] as readonly [number, number]
          const [toLane, toRow] = points[k] as readonly [number, number]
          if (lane !== toLane) continue
          for (let row = Math.ceil(Math.min(fromRow, toRow)); row <= Math.max(fromRow, toRow); row++) {
            const there = at.get(`${lane}:${row}`)
            if (there === undefined || there === edge.from || there === edge.to) continue
            assert.fail(`edge ${edge.from} -> ${edge.to} runs through ${there} (lane ${lane}, row ${row})`)
          }
        }
        // Parents are drawn below their children: history lists newest first.
        const parent = layout.places.get(edge.from)?.row ?? -1
        const child = layout.places.get(edge.to)?.row ?? -1
        assert.ok(parent > child, `${edge.from} is not below ${edge.to}`)
      }
    })
  }
})
