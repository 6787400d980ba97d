// Differential test: migraph's graph answers must equal real Alembic's (python3-alembic), query by
// query, on fixed shapes and seeded random DAGs. One python process answers every query.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  applyStep,
  currentRevisions,
  historyRange,
  type MigrationStep,
  planDowngrade,
  planStamp,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { prng, randomGraph, SHAPES } from './fixtures/graphs.js'

const ORACLE = fileURLToPath(new URL('./fixtures/alembic_oracle.py', import.meta.url))

function findPython(): string | null {
  for (const candidate of [process.env.MIGRAPH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue
    const probe = spawnSync(candidate, ['-c', 'import alembic'], { encoding: 'utf8' })
    if (probe.status === 0) return candidate
  }
  return null
}

type Query =
  | { type: 'resolve'; id: string }
  | { type: 'upgrade' | 'downgrade'; current: string[]; target: string }
  | { type: 'stamp'; current: string[]; targets: string[]; purge: boolean }
  | { type: 'history'; range?: string; current: string[] }
  | { type: 'current'; current: string[] }

interface Case {
  readonly name: string
  readonly graph: readonly RevisionInput[]
  readonly queries: Query[]
}

type Answer = { ok: unknown; warnings?: string[] } | { error: string; message: string }

function queriesFor(graph: readonly RevisionInput[], seed: number): Query[] {
  let map: RevisionMap
  try {
    map = RevisionMap.build(graph)
  } catch {
    return []
  }
  const rnd = prng(seed)
  const ids = map.revisions.map((r) => r.revision)
  const labels = map.revisions.flatMap((r) => r.branchLabels)
  const pickSome = <T>(xs: readonly T[], k: number): T[] =>
    xs.filter(() => rnd() < k / Math.max(xs.length, 1))
  const idForms = ids.flatMap((id) => [id, id.slice(0, 4), id.slice(0, 2)])
  const labelForms = labels.flatMap((l) => [l, `${l}@head`, `${l}@heads`, `${l}@base`, `${l}@-1`, `${l}@+1`])
  const resolveIds = [
    ...idForms,
    ...labelForms,
    'heads',
    'head',
    'base',
    '-1',
    '-2',
    'zzzz',
    ...pickSome(ids, 3).map((id) => `${id}@head`),
    ...pickSome(ids, 2).flatMap((id) => labels.slice(0, 2).map((l) => `${l}@${id.slice(0, 4)}`)),
  ]
  const states: string[][] = [[], [...map.heads], ...ids.map((id) => [id])]
  for (let i = 0; i < 3 && ids.length > 1; i++) {
    const a = ids[Math.floor(rnd() * ids.length)] as string
    const b = ids[Math.floor(rnd() * ids.length)] as string
    if (a !== b && !map.lineage(map.get(a)).has(map.get(b))) states.push([a, b])
  }
  const upTargets = [
    'heads',
    'head',
    '+1',
    '+2',
    'head-1',
    'base+1',
    ...pickSome(ids, 4),
    ...pickSome(ids, 2).flatMap((id) => [`${id}+1`, `${id.slice(0, 4)}-1`]),
    ...labels.flatMap((l) => [`${l}@head`, `${l}@+1`, `${l}@heads`]),
  ]
  const downTargets = [
    'base',
    '-1',
    '-2',
    ...pickSome(ids, 4),
    ...pickSome(ids, 2).map((id) => `${id}-1`),
    ...labels.flatMap((l) => [`${l}@base`, `${l}@-1`]),
  ]
  const queries: Query[] = resolveIds.map((id) => ({ type: 'resolve', id }))
  for (const current of states) {
    for (const target of pickSome(upTargets, 6)) queries.push({ type: 'upgrade', current, target })
    for (const target of pickSome(downTargets, 5)) queries.push({ type: 'downgrade', current, target })
    const stampTargets: string[][] = [['heads'], ['base'], pickSome(ids, 1.5), pickSome(ids, 2.5)]
    for (const targets of stampTargets) queries.push({ type: 'stamp', current, targets, purge: rnd() < 0.2 })
    queries.push({ type: 'current', current })
    const ranges = [undefined, ':', '-2:current', 'current:', ':current', `${pickSome(ids, 1)[0] ?? 'base'}:`]
    for (const range of pickSome(ranges, 3))
      queries.push(range === undefined ? { type: 'history', current } : { type: 'history', range, current })
  }
  for (const a of pickSome(ids, 3)) {
    for (const b of pickSome(ids, 3)) queries.push({ type: 'history', range: `${a}:${b}`, current: [] })
  }
  return queries
}

function stepsWithEffects(
  map: RevisionMap,
  steps: readonly MigrationStep[],
  start: readonly string[],
): unknown[] {
  let heads = start
  return steps.map((step) => {
    const applied = applyStep(map, heads, step)
    heads = applied.heads
    return {
      direction: step.direction,
      revision: step.isStamp ? null : step.revision,
      from: step.fromRevisions,
      to: step.toRevisions,
      fromNoDeps: step.fromRevisionsNoDeps,
      toNoDeps: step.toRevisionsNoDeps,
      changes: applied.changes,
      heads: [...heads].sort(),
    }
  })
}

function migraphAnswer(map: RevisionMap, q: Query): Answer {
  const warnings: string[] = []
  try {
    let ok: unknown
    switch (q.type) {
      case 'resolve':
        ok = map.resolve(q.id).map((r) => r.revision)
        break
      case 'upgrade':
        ok = stepsWithEffects(map, planUpgrade(map, q.current, q.target), q.current)
        break
      case 'downgrade':
        ok = stepsWithEffects(
          map,
          planDowngrade(map, q.current, q.target, { onWarning: (w) => warnings.push(w.message) }),
          q.current,
        )
        break
      case 'stamp':
        ok = stepsWithEffects(
          map,
          planStamp(map, q.current, q.targets, { purge: q.purge }),
          q.purge ? [] : q.current,
        )
        break
      case 'history':
        ok = historyRange(map, q.range, q.current).map((r) => r.revision)
        break
      case 'current':
        ok = currentRevisions(map, q.current).map((r) => r.revision)
        break
    }
    return { ok, warnings }
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message }
  }
}

/** Which rows a step removes and adds, and how: the part of Alembic's choice that is not set order. */
function effect(changes: readonly Record<string, string>[]): unknown {
  const removed: string[] = []
  const added: string[] = []
  const kinds: string[] = []
  for (const c of changes) {
    kinds.push(c.kind as string)
    if (c.kind === 'insert') added.push(c.version as string)
    if (c.kind === 'delete') removed.push(c.version as string)
    if (c.kind === 'update') {
      removed.push(c.from as string)
      added.push(c.to as string)
    }
  }
  return { removed: removed.sort(), added: added.sort(), kinds: kinds.sort() }
}

function normalize(q: Query, answer: Answer): unknown {
  if ('error' in answer) return 'error'
  if (q.type === 'resolve') {
    const nodes = answer.ok as (string | null)[]
    return nodes.includes(null) ? 'error' : nodes.filter((n) => n !== 'base')
  }
  if (q.type === 'upgrade' || q.type === 'downgrade' || q.type === 'stamp') {
    const steps = (answer.ok as Record<string, unknown>[]).map((s) => ({
      ...s,
      changes: effect(s.changes as Record<string, string>[]),
    }))
    return { steps, warned: (answer.warnings ?? []).length > 0 }
  }
  return answer.ok
}

function buildAnswer(graph: readonly RevisionInput[]): unknown {
  try {
    const map = RevisionMap.build(graph)
    return {
      heads: map.heads,
      realHeads: map.realHeads,
      bases: map.bases,
      realBases: map.realBases,
      revisions: Object.fromEntries(
        map.revisions.map((r) => [
          r.revision,
          {
            labels: [...r.allBranchLabels].sort(),
            normalizedDown: r.normalizedDownRevisions,
            next: [...r.nextRevisions].sort(),
            allNext: [...r.allNextRevisions].sort(),
            isHead: r.isHead,
            isBranchPoint: r.isBranchPoint,
            isMergePoint: r.isMergePoint,
          },
        ]),
      ),
    }
  } catch (error) {
    return { error: (error as Error).name }
  }
}

const python = findPython()
const RANDOM_CASES = Number(process.env.MIGRAPH_DIFF_CASES ?? 80)

const cases: Case[] = [
  ...Object.entries(SHAPES).map(([name, graph], i) => ({
    name,
    graph,
    queries: queriesFor(graph, 1000 + i),
  })),
  ...Array.from({ length: RANDOM_CASES }, (_, i) => {
    const graph = randomGraph(i + 1)
    return { name: `random seed ${i + 1}`, graph, queries: queriesFor(graph, i + 1) }
  }),
]

describe('graph semantics equal real Alembic', {
  skip: python === null ? 'python3 with alembic is not installed' : false,
}, () => {
  const run = (): { build: unknown; results: Answer[] }[] => {
    const request = JSON.stringify({ cases: cases.map((c) => ({ graph: c.graph, queries: c.queries })) })
    const out = spawnSync(python as string, [ORACLE], {
      input: request,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    })
    assert.equal(out.status, 0, out.stderr)
    return JSON.parse(out.stdout).cases
  }
  let answers: { build: unknown; results: Answer[] }[] | undefined
  const oracle = (): { build: unknown; results: Answer[] }[] => {
    answers ??= run()
    return answers
  }

  for (const [index, c] of cases.entries()) {
    test(`${c.name} (${c.queries.length} queries)`, () => {
      const expected = oracle()[index] as { build: Record<string, unknown>; results: Answer[] }
      const built = buildAnswer(c.graph) as Record<string, unknown>
      if ('error' in expected.build || 'error' in built) {
        assert.equal(
          'error' in built,
          'error' in expected.build,
          `build: ${JSON.stringify({ expected: expected.build, built })}`,
        )
        return
      }
      assert.deepEqual(built, expected.build)
      const map = RevisionMap.build(c.graph)
      for (const [i, q] of c.queries.entries()) {
        const theirs = expected.results[i] as Answer
        const ours = migraphAnswer(map, q)
        assert.deepEqual(
          normalize(q, ours),
          normalize(q, theirs),
          `${JSON.stringify(q)}\n  alembic: ${JSON.stringify(theirs)}\n  migraph: ${JSON.stringify(ours)}`,
        )
      }
    })
  }
})
