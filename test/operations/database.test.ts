// Applies an op set that uses every op to each available database, online and as offline SQL fed
// to the database's own client, and compares what the catalogs say.
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { createOfflineSink, createOnlineSink, createOperations, type Operations } from '@migraph/operations'
import { forward, reverse, unicodeColumn, WEIRD_DEFAULT, WEIRD_TABLE } from './helpers/op-set.ts'
import { isEmpty, snapshot } from './helpers/snapshot.ts'
import { availableTargets, type Namespace, type Target } from './helpers/targets.ts'

const targets = availableTargets()
after(async () => {
  for (const target of targets) await target.close()
})

async function online(ns: Namespace, target: Target, run: (op: Operations) => Promise<void>) {
  await ns.activate()
  const { op, pendingCount } = createOperations(createOnlineSink(ns.db, target.flavour), {
    revision: 'db-test',
  })
  await run(op)
  assert.equal(pendingCount(), 0)
}

async function offline(target: Target, run: (op: Operations) => Promise<void>): Promise<string> {
  const statements: string[] = []
  const { op } = createOperations(createOfflineSink(target.flavour, { write: (s) => statements.push(s) }), {
    revision: 'db-test',
  })
  await run(op)
  return `${statements.join('\n')}\n`
}

for (const target of targets) {
  describe(`every op on ${target.name}`, () => {
    test('online: applied, visible in the catalog, reversed to nothing', async () => {
      const ns = await target.namespace()
      const names = { extraSchema: `${ns.label}_s` }
      try {
        await online(ns, target, (op) => forward(op, target.flavour, names))
        const applied = await snapshot(ns.db, target.flavour, ns.label)
        assert.ok(
          Object.keys(applied).some((k) => k.includes('we"ird; drop')),
          'weird table present',
        )
        assert.ok(JSON.stringify(applied).includes(unicodeColumn(target.flavour)), 'unicode column present')
        await online(ns, target, (op) => reverse(op, target.flavour, names))
        const left = await snapshot(ns.db, target.flavour, ns.label)
        assert.ok(isEmpty(left), `left behind: ${JSON.stringify(left)}`)
      } finally {
        await ns.close()
      }
    })

    test('identifiers and literals with quotes, semicolons, backslashes and unicode round-trip exactly', async () => {
      const ns = await target.namespace()
      const names = { extraSchema: `${ns.label}_s` }
      try {
        await online(ns, target, (op) => forward(op, target.flavour, names))
        const column = unicodeColumn(target.flavour)
        const parents = await ns.db.selectFrom('parent').select(['name', column]).orderBy('id').execute()
        assert.deepEqual(parents, [
          { name: "O'Brien \\ ; -- x", [column]: '✓ ünïcødé 🎉' },
          { name: 'plain', [column]: null },
        ])
        const weird = await ns.db.selectFrom(WEIRD_TABLE).select(['label', column]).orderBy('id').execute()
        assert.deepEqual(weird, [
          { label: 'a', [column]: WEIRD_DEFAULT.slice(0, 10) },
          { label: "semi; colon 'quote'", [column]: WEIRD_DEFAULT.slice(0, 10) },
        ])
        // A row that takes every default: the literal written into DDL comes back unchanged.
        await ns.db.insertInto('parent').values({ id: 3, name: 'defaults' }).execute()
        const row = await ns.db
          .selectFrom('parent')
          .select(column)
          .where('id', '=', 3)
          .executeTakeFirstOrThrow()
        assert.equal(row[column], WEIRD_DEFAULT)
        await online(ns, target, (op) => reverse(op, target.flavour, names))
      } finally {
        await ns.close()
      }
    })

    test('offline SQL through the database client gives the same schema and data as online', async () => {
      const a = await target.namespace()
      const b = await target.namespace()
      try {
        await online(a, target, (op) => forward(op, target.flavour, { extraSchema: `${a.label}_s` }))
        const script = await offline(target, (op) =>
          forward(op, target.flavour, { extraSchema: `${b.label}_s` }),
        )
        await b.runScript(script)
        await a.activate()
        const onlineSnap = await snapshot(a.db, target.flavour, a.label)
        await b.activate()
        const offlineSnap = await snapshot(b.db, target.flavour, b.label)
        assert.deepEqual(offlineSnap, onlineSnap)
        const undo = await offline(target, (op) =>
          reverse(op, target.flavour, { extraSchema: `${b.label}_s` }),
        )
        await b.runScript(undo)
        await b.activate()
        assert.ok(isEmpty(await snapshot(b.db, target.flavour, b.label)))
        await online(a, target, (op) => reverse(op, target.flavour, { extraSchema: `${a.label}_s` }))
      } finally {
        await a.close()
        await b.close()
      }
    })
  })
}
