// Differential test: migraph's answers must equal real Alembic's (python3-alembic), query by query,
// on fixed shapes and seeded random DAGs, in these categories: graph semantics (resolution, plans
// and their version-table effects, history, current); refusals (the same message, or one of the
// listed ways migraph says more, or a clean refusal where Alembic crashes); the pre-connection
// check of a destination (never stricter than the plan); offline `--sql` scripts (their layout);
// and command lines (what argparse reads, migraph reads). One python process answers everything.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  applyStep,
  checkDestination,
  currentRevisions,
  historyRange,
  type MigrationStep,
  planDowngrade,
  planStamp,
  planUpgrade,
  type RevisionInput,
  RevisionMap,
} from '@migraph/graph'
import { findAlembicPython } from '../helpers/python-alembic.js'
import { compareRefusals, Tally } from './fixtures/agreement.js'
import { type ArgparseResult, argvProject, canonical, meantValue, runMain } from './fixtures/argv-cases.js'
import { prng, randomGraph, SHAPES } from './fixtures/graphs.js'
import {
  createdOnce,
  migraphOffline,
  type OfflineQuery,
  offlineQueriesFor,
  shapeOf,
  withRowEffects,
} from './fixtures/offline-shape.js'

const ORACLE = fileURLToPath(new URL('./fixtures/alembic_oracle.py', import.meta.url))

type Query =
  | { type: 'resolve'; id: string }
  | { type: 'upgrade' | 'downgrade'; current: string[]; target: string }
  | { type: 'stamp'; current: string[]; targets: string[]; purge: boolean }
  | { type: 'history'; range?: string; current: string[] }
  | { type: 'current'; current: string[] }
  | OfflineQuery

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
    ...pickSome(ids, 2).flatMap((id) => labels.slice(0, 2).map((l) => `${l}@${id}`)),
  ]
  const downTargets = [
    'base',
    '-1',
    '-2',
    ...pickSome(ids, 4),
    ...pickSome(ids, 2).map((id) => `${id}-1`),
    ...labels.flatMap((l) => [`${l}@base`, `${l}@-1`]),
    // a revision outside the label's lineage: Alembic proceeds
    ...pickSome(ids, 3).flatMap((id) => labels.slice(0, 2).map((l) => `${l}@${id}`)),
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
  queries.push(...offlineQueriesFor(graph, seed + 7))
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

const RELATIVE = /^(?:(.+?)@)?([\p{L}\p{N}_]+)?([+-]\d+)/u

/**
 * Alembic's answer as a user meets it. `alembic show -2` fails when a walk ends at base (it
 * prints `'str' object has no attribute`) and prints a revision twice when two heads walk to it;
 * migraph refuses the first and names each revision once.
 */
function asUserSees(q: Query, answer: Answer): Answer {
  if (q.type !== 'resolve' || 'error' in answer) return answer
  const nodes = answer.ok as (string | null)[]
  if (RELATIVE.test(q.id) && nodes.includes('base')) return { error: 'AttributeError', message: '' }
  return { ...answer, ok: [...new Set(nodes)] }
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
  if (q.type === 'offline') return withRowEffects(answer.ok as string[])
  return answer.ok
}

/** Destinations the CLI checks before connecting (mirrors `resolvableWithoutDatabase`). */
const checkedBeforeConnecting = (target: string): boolean => !/^[+-]|[+-]\d+$|current/.test(target)

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

const python = findAlembicPython()
const RANDOM_CASES = Number(process.env.MIGRAPH_DIFF_CASES ?? 80)

const cases: Case[] = [
  ...Object.entries(SHAPES).map(([name, graph], i) => ({
    name,
    graph,
    queries: queriesFor(graph, 1000 + i),
  })),
  // nothing to resolve: only ranges from `head`/`heads`, which Alembic crashes on
  { name: 'empty graph', graph: [], queries: queriesFor([], 999) },
  ...Array.from({ length: RANDOM_CASES }, (_, i) => {
    const graph = randomGraph(i + 1)
    return { name: `random seed ${i + 1}`, graph, queries: queriesFor(graph, i + 1) }
  }),
]

const tally = new Tally()

describe('migraph agrees with real Alembic', {
  skip: python === null ? 'python3 with alembic is not installed' : false,
}, () => {
  const argv = argvProject(17)
  interface OracleAnswer {
    cases: { build: unknown; results: Answer[] }[]
    argv: ArgparseResult[]
  }
  let answers: OracleAnswer | undefined
  const oracle = (): OracleAnswer => {
    if (answers !== undefined) return answers
    const request = JSON.stringify({
      cases: cases.map((c) => ({ graph: c.graph, queries: c.queries })),
      argv: argv.argvs,
    })
    const out = spawnSync(python as string, [ORACLE], {
      input: request,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    })
    assert.equal(out.status, 0, out.stderr)
    answers = JSON.parse(out.stdout) as OracleAnswer
    return answers
  }
  after(() => {
    argv.cleanup()
    for (const line of tally.lines()) console.log(`# ${line}`)
  })

  for (const [index, c] of cases.entries()) {
    test(`${c.name} (${c.queries.length} queries)`, async () => {
      const expected = oracle().cases[index] as { build: Record<string, unknown>; results: Answer[] }
      const built = buildAnswer(c.graph) as Record<string, unknown>
      if ('error' in expected.build || 'error' in built) {
        assert.equal(
          'error' in built,
          'error' in expected.build,
          `build: ${JSON.stringify({ expected: expected.build, built })}`,
        )
        tally.add('graph build', 'same')
        return
      }
      assert.deepEqual(built, expected.build)
      tally.add('graph build', 'same')
      const map = RevisionMap.build(c.graph)
      for (const [i, q] of c.queries.entries()) {
        const theirs = asUserSees(q, expected.results[i] as Answer)
        let ours: Answer
        if (q.type === 'offline') {
          ours = await migraphOffline(c.graph, q)
          if (!('error' in theirs)) theirs.ok = createdOnce(shapeOf(theirs.ok as string))
        } else {
          ours = migraphAnswer(map, q)
        }
        const context = `${JSON.stringify(q)}\n  alembic: ${JSON.stringify(theirs)}\n  migraph: ${JSON.stringify(ours)}`
        assert.deepEqual(normalize(q, ours), normalize(q, theirs), context)
        if ('error' in theirs && 'error' in ours) {
          const agreement = compareRefusals(theirs, ours)
          tally.add(`refusals (${q.type})`, agreement)
          assert.notEqual(agreement, 'differs', `message differs: ${context}`)
        } else {
          tally.add(q.type === 'offline' ? `offline --sql (${q.command})` : `graph (${q.type})`, 'same')
        }
        if ((q.type === 'upgrade' || q.type === 'downgrade') && checkedBeforeConnecting(q.target)) {
          // What the plan accepts, the check before connecting accepts: one parser for both.
          if (!('error' in theirs)) {
            assert.doesNotThrow(
              () => checkDestination(map, q.type === 'upgrade' ? 'up' : 'down', q.target),
              context,
            )
            tally.add('destination checked before connecting', 'same')
          }
        }
      }
    })
  }

  test('command lines: what argparse reads from every spelling, migraph reads', async () => {
    const reads = oracle().argv
    const canonicalRuns = new Map<string, string>()
    const runCanonical = async (args: string[]) => {
      const key = JSON.stringify(args)
      if (!canonicalRuns.has(key)) canonicalRuns.set(key, await runMain(args))
      return canonicalRuns.get(key) as string
    }
    for (const [i, args] of argv.argvs.entries()) {
      const read = reads[i] as ArgparseResult
      const ours = await runMain(args)
      if ('refused' in read) {
        // argparse takes no option value that starts with '-'; migraph reads it as the value.
        const value = meantValue(args)
        assert.ok(value !== undefined, `argparse refused ${JSON.stringify(args)}: ${read.refused}`)
        const spelled = args.flatMap((a, at) =>
          (a === '-r' || a === '--rev-range') && args[at + 1] === value
            ? [`--rev-range=${value}`]
            : a === value
              ? []
              : [a],
        )
        assert.equal(ours, await runCanonical(spelled), JSON.stringify(args))
        tally.add('command lines', 'migraph-accepts')
        continue
      }
      assert.equal(
        ours,
        await runCanonical(canonical(read)),
        `${JSON.stringify(args)} read as ${JSON.stringify(read)}`,
      )
      tally.add('command lines', 'same')
    }
  })
})
