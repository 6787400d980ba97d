// The `op` object: run-time argument checks, named errors, dialect refusals before anything
// runs, identifier limits, offline op.db, and the bookkeeping that catches a missing await.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createOfflineSink,
  createOperations,
  IdentifierTooLongError,
  InvalidOperationArgumentsError,
  MissingTableDefinitionError,
  OfflineDatabaseAccessError,
  type Op,
  type OpSink,
  type SqlFlavour,
  UnsupportedOperationError,
} from '@migraph/operations'

function offline(flavour: SqlFlavour) {
  const out: string[] = []
  const ops = createOperations(createOfflineSink(flavour, { write: (s) => out.push(s) }), {
    revision: 'abc123',
  })
  return { ...ops, out }
}

/** A sink that records ops and runs nothing. */
function recorder(flavour: SqlFlavour): OpSink & { ops: Op[] } {
  const ops: Op[] = []
  return {
    flavour,
    db: null,
    ops,
    async run(op) {
      ops.push(op)
    },
  }
}

describe('argument checks', () => {
  test('a wrong shape names the op, the argument and the revision', async () => {
    const { op, out } = offline('postgres')
    await assert.rejects(
      // biome-ignore lint/suspicious/noExplicitAny: an untyped caller
      (op as any).addColumn('t', 42, 'integer'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOperationArgumentsError)
        assert.equal(error.op, 'addColumn')
        assert.equal(error.revision, 'abc123')
        assert.equal(error.code, 'invalid_operation_arguments')
        assert.match(
          error.message,
          /^addColumn in revision abc123: invalid argument column name: expected a non-empty string/,
        )
        return true
      },
    )
    assert.deepEqual(out, [])
  })

  test('unknown column types, empty changes and callbacks that return nothing are refused', async () => {
    const { op } = offline('postgres')
    // biome-ignore lint/suspicious/noExplicitAny: an untyped caller
    const loose = op as any
    await assert.rejects(loose.addColumn('t', 'c', 'varchar2'), /expected a column type/)
    await assert.rejects(loose.alterColumn('t', 'c', {}), /nothing to change/)
    await assert.rejects(loose.alterColumn('t', 'c', { nulable: true }), /changes.nulable: unknown change/)
    await assert.rejects(
      loose.createTable('t', () => undefined),
      /must return the table builder chain/,
    )
    await assert.rejects(loose.createForeignKey('fk', 't', ['a', 'b'], 'u', ['id']), /expected 2 column/)
  })

  test('ops are frozen data', async () => {
    const sink = recorder('postgres')
    const { op } = createOperations(sink, { revision: 'r' })
    await op.createTable('t', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))
    const [recorded] = sink.ops
    assert.ok(recorded && Object.isFrozen(recorded))
    assert.equal(recorded.kind, 'createTable')
    if (recorded.kind === 'createTable') {
      assert.ok(Object.isFrozen(recorded.columns))
      assert.deepEqual(recorded.columns[0], { name: 'id', type: 'integer', primaryKey: true })
    }
  })
})

describe('dialect limits, before anything runs', () => {
  const cases: [SqlFlavour, string, (op: ReturnType<typeof offline>['op']) => Promise<void>][] = [
    ['mysql', 'named enum types', (op) => op.createEnum('mood', ['a'])],
    ['sqlite', 'named enum types', (op) => op.createEnum('mood', ['a'])],
    ['sqlite', 'createSchema', (op) => op.createSchema('s')],
    ['mysql', 'alterColumn using', (op) => op.alterColumn('t', 'c', { type: 'integer', using: 'c::int' })],
    ['mysql', 'partial indexes', (op) => op.createIndex('i', 't', 'c', { where: 'c > 0' })],
    ['sqlite', 'column comments', (op) => op.addColumn('t', 'c', 'text', (c) => c.comment('x'))],
    ['mysql', 'dropIndex without its table', (op) => op.dropIndex('i')],
    ['mysql', 'varchar without a length', (op) => op.addColumn('t', 'c', 'varchar')],
    ['mysql', 'Basic Multilingual Plane', (op) => op.addColumn('t', '🎉', 'text')],
    ['sqlite', 'createView orReplace', (op) => op.createView('v', 'select 1', { orReplace: true })],
  ]
  for (const [flavour, feature, call] of cases) {
    test(`${flavour}: ${feature}`, async () => {
      const { op, out } = offline(flavour)
      await op.execute('select 1')
      await assert.rejects(call(op), (error: unknown) => {
        assert.ok(error instanceof UnsupportedOperationError)
        assert.equal(error.dialect, flavour)
        assert.equal(error.revision, 'abc123')
        assert.ok(error.feature.includes(feature), error.feature)
        return true
      })
      assert.deepEqual(out, ['select 1;'], 'nothing of the refused op was written')
    })
  }
})

describe('identifier length', () => {
  test('PostgreSQL counts 63 bytes, MySQL 64 characters, SQLite has no limit', async () => {
    const long = (n: number) => 'é'.repeat(n)
    await assert.rejects(offline('postgres').op.dropTable(long(32)), (error: unknown) => {
      assert.ok(error instanceof IdentifierTooLongError)
      assert.equal(error.limit, 63)
      return true
    })
    await offline('postgres').op.dropTable(long(31))
    await offline('mysql').op.dropTable(long(64))
    await assert.rejects(offline('mysql').op.dropTable(long(65)), IdentifierTooLongError)
    await assert.rejects(
      offline('postgres').op.createTable('t', (t) => t.addColumn('x'.repeat(64), 'integer')),
      IdentifierTooLongError,
    )
    await offline('sqlite').op.dropTable('x'.repeat(500))
  })
})

describe('offline', () => {
  test('op.db throws OfflineDatabaseAccessError; op.builder works', async () => {
    const { op, out } = offline('postgres')
    assert.throws(() => op.db, OfflineDatabaseAccessError)
    await op.execute(op.builder.deleteFrom('t').where('id', '=', 3))
    assert.deepEqual(out, ['delete from "t" where "id" = 3;'])
  })

  test('SQLite batch on a table this run did not create needs copyFrom', async () => {
    const { op } = offline('sqlite')
    await assert.rejects(op.alterColumn('t', 'c', { nullable: false }), (error: unknown) => {
      assert.ok(error instanceof MissingTableDefinitionError)
      assert.equal(error.table, 't')
      assert.match(error.message, /copyFrom/)
      return true
    })
  })

  test('raw DDL ends what the offline run knows about its tables', async () => {
    const { op } = offline('sqlite')
    await op.createTable('t', (t) => t.addColumn('c', 'integer'))
    await op.execute('alter table t add column d integer')
    await assert.rejects(op.alterColumn('t', 'c', { nullable: false }), MissingTableDefinitionError)
  })
})

describe('await bookkeeping', () => {
  test('pendingCount sees ops not awaited; ops still run in call order', async () => {
    const { op, pendingCount, out } = offline('postgres')
    void op.dropTable('a')
    void op.dropTable('b')
    assert.equal(pendingCount(), 2)
    await op.dropTable('c')
    assert.equal(pendingCount(), 0)
    assert.deepEqual(out, ['drop table "a";', 'drop table "b";', 'drop table "c";'])
  })

  test('unobservedErrors reports failures nobody awaited', async () => {
    const { op, unobservedErrors } = offline('mysql')
    void op.createEnum('mood', ['a'])
    await op.dropTable('t')
    await assert.rejects(op.createEnum('mood', ['b']), UnsupportedOperationError)
    const errors = unobservedErrors()
    assert.equal(errors.length, 1)
    assert.ok(errors[0] instanceof UnsupportedOperationError)
  })
})
