// For every before/after pair: a database at *before*, the diff to *after* applied with the op
// API, the catalog read back equal to *after*; the reverse ops applied, equal to *before* again.
// PGlite and SQLite always; PostgreSQL and MariaDB when their URL variables are set.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { createOnlineSink, createOperations, sql } from '@migraph/operations'
import {
  type DiffStep,
  diffSchemas,
  introspect,
  kyselyCatalogReader,
  renderSteps,
  type SchemaModel,
} from '@migraph/schema'
import { availableTargets, type Namespace, type Target } from '../operations/helpers/targets.ts'
import { CORPUS, type CorpusDialect } from './helpers/corpus.ts'

const targets = availableTargets()
after(async () => {
  for (const target of targets) await target.close()
})

const dialectOf = (target: Target): CorpusDialect =>
  target.flavour === 'postgres' ? 'postgres' : target.flavour

async function read(ns: Namespace, target: Target): Promise<SchemaModel> {
  await ns.activate()
  return introspect(kyselyCatalogReader(ns.db), target.flavour)
}

/**
 * The model without what is informational only (SQLite's CREATE INDEX text as written). SQLite
 * keeps most constraints unnamed, and SQLite batch mode names the constraints it adds: names are
 * compared where `names` (the expected model) has one.
 */
function comparable(model: SchemaModel, names: SchemaModel = model): unknown {
  const plain = JSON.parse(
    JSON.stringify(model, (key, value) =>
      key === 'definition' && typeof value === 'string' ? undefined : value,
    ),
  )
  if (model.dialect !== 'sqlite') return plain
  for (const table of plain.tables) {
    const expected = names.tables.find((t) => t.name === table.name)
    for (const kind of ['uniques', 'checks', 'foreignKeys'] as const) {
      table[kind].forEach((c: { name?: string }, i: number) => {
        if (expected?.[kind][i]?.name === undefined) delete c.name
      })
    }
    if (expected?.primaryKey?.name === undefined && table.primaryKey !== undefined)
      delete table.primaryKey.name
  }
  return plain
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>

/** Runs the ops as the TypeScript a generated revision holds, through the `op` API. */
/**
 * A dump tool's text, reduced to its statements, sorted: settings, comments, owners and
 * generated counters dropped. Compared between the migrated namespace and the declared one, it
 * checks the result without going through the model under test.
 */
function dumped(ns: Namespace): string[] | undefined {
  const text = ns.dump?.()
  if (text === undefined) return undefined
  return text
    .split('\n')
    .filter(
      (l) =>
        !/^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict |CREATE SCHEMA |\/\*!\d+ SET )/.test(l),
    )
    .join('\n')
    .replace(/ AUTO_INCREMENT=\d+/g, '')
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .sort()
}

async function apply(ns: Namespace, target: Target, steps: readonly DiffStep[]) {
  await ns.activate()
  const code = renderSteps(steps, target.flavour)
  const { op, pendingCount } = createOperations(createOnlineSink(ns.db, target.flavour), {
    revision: 'schema-test',
  })
  try {
    await new AsyncFunction('op', 'sql', code)(op, sql)
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${code}`, { cause: error })
  }
  assert.equal(pendingCount(), 0)
}

for (const target of targets) {
  describe(`schema round trip on ${target.name}`, () => {
    for (const pair of CORPUS) {
      if (pair.only !== undefined && !pair.only.includes(dialectOf(target))) continue
      test(pair.name, async () => {
        const live = await target.namespace()
        const declared = await target.namespace()
        try {
          if (pair.before !== '') await live.runScript(pair.before)
          if (pair.after !== '') await declared.runScript(pair.after)
          const before = await read(live, target)
          const wanted = await read(declared, target)
          const diff = diffSchemas(before, wanted, { renames: pair.renames })
          assert.ok(diff.upgrade.length > 0, 'the pair differs, so there are ops')
          await apply(live, target, diff.upgrade)
          assert.deepEqual(
            comparable(await read(live, target), wanted),
            comparable(wanted),
            'upgrade reaches after',
          )
          assert.equal(diffSchemas(await read(live, target), wanted).upgrade.length, 0, 'nothing left to do')
          const dump = dumped(live)
          if (dump !== undefined && !pair.dumpDiffers?.includes(dialectOf(target))) {
            assert.deepEqual(dump, dumped(declared), 'the dump tool sees the declared schema')
          }
          if (pair.irreversible === true) {
            assert.ok(diff.irreversible.length > 0, 'the diff says what the downgrade cannot undo')
            return
          }
          await apply(live, target, diff.downgrade)
          assert.deepEqual(
            comparable(await read(live, target), before),
            comparable(before),
            'downgrade returns to before',
          )
        } finally {
          await live.close()
          await declared.close()
        }
      })
    }
  })
}
