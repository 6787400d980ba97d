import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Connection, DialectName, SqlFlavour } from '../../packages/core/src/dialects/index.ts'
import { dialectFor, VersionTableRowCountError } from '../../packages/core/src/dialects/index.ts'
import {
  ensureHistoryTable,
  type HistoryEntry,
  historyTableOf,
  readHistory,
  recordHistory,
  StepRecorder,
} from '../../packages/core/src/runtime/history-table.ts'
import {
  applyVersionChanges,
  ensureVersionTable,
  flavourOf,
  purgeVersions,
  readVersions,
  versionTableExists,
  whichTablesExist,
} from '../../packages/core/src/runtime/version-table.ts'
import { createScratchDatabase, MYSQL_URL, open, POSTGRES_URL, tempDir } from './support.ts'

interface Case {
  readonly name: string
  readonly flavour: SqlFlavour
  readonly skip: string | false
  /** A URL for this file's own database, and how to remove it. */
  setup(): Promise<{ url: string; cleanup: () => Promise<void> }>
  /** Creates a second schema usable as `VersionTableRef.schema`. */
  createSchema(connection: Connection, name: string): Promise<void>
}

const cases: Case[] = [
  {
    name: 'pglite',
    flavour: 'postgres',
    skip: false,
    setup: async () => ({ url: 'pglite:memory:', cleanup: async () => undefined }),
    createSchema: async ({ db }, name) => void (await db.schema.createSchema(name).execute()),
  },
  {
    name: 'sqlite',
    flavour: 'sqlite',
    skip: false,
    setup: async () => {
      const dir = tempDir('vt')
      return { url: `sqlite:${dir.dir}/versions.db`, cleanup: async () => dir.remove() }
    },
    // Attached on the connection's one session, so later statements see it.
    createSchema: async ({ db }, name) =>
      void (await sql`attach database ':memory:' as ${sql.id(name)}`.execute(db)),
  },
  {
    name: 'postgres',
    flavour: 'postgres',
    skip: POSTGRES_URL ? false : 'MIG_TEST_POSTGRES_URL is not set',
    setup: async () => {
      const scratch = await createScratchDatabase(POSTGRES_URL as string, 'vt')
      return { url: scratch.url, cleanup: () => scratch.drop() }
    },
    createSchema: async ({ db }, name) => void (await db.schema.createSchema(name).execute()),
  },
  {
    name: 'mysql',
    flavour: 'mysql',
    skip: MYSQL_URL ? false : 'MIG_TEST_MYSQL_URL is not set',
    setup: async () => {
      const scratch = await createScratchDatabase(MYSQL_URL as string, 'vt')
      return { url: scratch.url, cleanup: () => scratch.drop() }
    },
    // A MySQL schema is a database; it is dropped with the scratch database's cleanup below.
    createSchema: async ({ db }, name) => void (await sql`create database ${sql.id(name)}`.execute(db)),
  },
]

for (const c of cases) {
  describe(`version table on ${c.name}`, { skip: c.skip }, () => {
    let connection: Connection
    let cleanup: () => Promise<void> = async () => undefined
    const extraSchemas: string[] = []

    before(async () => {
      const setup = await c.setup()
      cleanup = setup.cleanup
      connection = (await open(setup.url)).connection
    })
    after(async () => {
      if (c.flavour === 'mysql') {
        for (const name of extraSchemas)
          await sql`drop database if exists ${sql.id(name)}`.execute(connection.db)
      }
      await connection?.close()
      await cleanup()
    })

    const tables = async () => (await connection.db.introspection.getTables()).map((t) => t.name).sort()

    test('the flavour is read from the Kysely instance', () => {
      assert.equal(flavourOf(connection.db), c.flavour)
    })

    test('reading versions without the table creates nothing', async () => {
      const ref = { table: 'v_absent' }
      const before = await tables()
      assert.equal(await versionTableExists(connection.db, ref, c.flavour), false)
      assert.deepEqual(await readVersions(connection.db, ref), [])
      assert.equal(await versionTableExists(connection.db, ref), false)
      assert.deepEqual(await tables(), before)
    })

    test("ensureVersionTable creates the table once, keyed like Alembic's", async () => {
      const ref = { table: 'v_create' }
      assert.equal(await ensureVersionTable(connection.db, ref), true)
      assert.equal(await ensureVersionTable(connection.db, ref), false)
      assert.equal(await versionTableExists(connection.db, ref), true)
      assert.deepEqual(await readVersions(connection.db, ref), [])
      const table = (await connection.db.introspection.getTables()).find((t) => t.name === 'v_create')
      assert.deepEqual(
        table?.columns.map((col) => [col.name, col.isNullable]),
        [['version_num', false]],
      )
      if (c.flavour === 'postgres') {
        const result = await sql<{ conname: string }>`
          select conname from pg_constraint where conrelid = 'v_create'::regclass and contype = 'p'`.execute(
          connection.db,
        )
        assert.deepEqual(result.rows, [{ conname: 'v_create_pkc' }])
      } else if (c.flavour === 'sqlite') {
        const result = await sql<{
          sql: string
        }>`select sql from sqlite_master where name = 'v_create'`.execute(connection.db)
        assert.match(result.rows[0]?.sql ?? '', /constraint "v_create_pkc" primary key \("version_num"\)/)
      }
    })

    test('insert, update and delete keep one row per head', async () => {
      const ref = { table: 'v_crud' }
      await ensureVersionTable(connection.db, ref)
      await applyVersionChanges(connection.db, ref, [
        { kind: 'insert', version: 'aaaa' },
        { kind: 'insert', version: 'bbbb' },
      ])
      assert.deepEqual((await readVersions(connection.db, ref)).sort(), ['aaaa', 'bbbb'])
      await applyVersionChanges(connection.db, ref, [{ kind: 'update', from: 'aaaa', to: 'cccc' }])
      assert.deepEqual((await readVersions(connection.db, ref)).sort(), ['bbbb', 'cccc'])
      // A merge: one head deleted, the other moved onto the merge point.
      await applyVersionChanges(connection.db, ref, [
        { kind: 'delete', version: 'bbbb' },
        { kind: 'update', from: 'cccc', to: 'dddd' },
      ])
      assert.deepEqual(await readVersions(connection.db, ref), ['dddd'])
      await applyVersionChanges(connection.db, ref, [{ kind: 'delete', version: 'dddd' }])
      assert.deepEqual(await readVersions(connection.db, ref), [])
    })

    test('an UPDATE or DELETE matching no row is an error, as in Alembic', async () => {
      const ref = { table: 'v_count' }
      await ensureVersionTable(connection.db, ref)
      await applyVersionChanges(connection.db, ref, [{ kind: 'insert', version: 'aaaa' }])
      await assert.rejects(
        applyVersionChanges(connection.db, ref, [{ kind: 'update', from: 'zzzz', to: 'bbbb' }]),
        (error: unknown) => {
          assert.ok(error instanceof VersionTableRowCountError)
          assert.equal(error.code, 'version-table-row-count')
          assert.equal(error.found, 0)
          assert.equal(
            error.message,
            "Online migration expected to match one row when updating 'zzzz' to 'bbbb' in 'v_count'; 0 found",
          )
          return true
        },
      )
      await assert.rejects(
        applyVersionChanges(connection.db, ref, [{ kind: 'delete', version: 'zzzz' }]),
        /expected to match one row when deleting 'zzzz' in 'v_count'; 0 found/,
      )
      assert.deepEqual(await readVersions(connection.db, ref), ['aaaa'])
    })

    test('a version inserted twice violates the primary key', async () => {
      const ref = { table: 'v_dup' }
      await ensureVersionTable(connection.db, ref)
      await applyVersionChanges(connection.db, ref, [{ kind: 'insert', version: 'aaaa' }])
      await assert.rejects(applyVersionChanges(connection.db, ref, [{ kind: 'insert', version: 'aaaa' }]))
      assert.deepEqual(await readVersions(connection.db, ref), ['aaaa'])
    })

    test('changes roll back with their transaction', async () => {
      const ref = { table: 'v_tx' }
      await ensureVersionTable(connection.db, ref)
      await assert.rejects(
        connection.db.transaction().execute(async (trx) => {
          await applyVersionChanges(trx, ref, [{ kind: 'insert', version: 'aaaa' }])
          assert.deepEqual(await readVersions(trx, ref), ['aaaa'])
          throw new Error('revision failed')
        }),
        /revision failed/,
      )
      assert.deepEqual(await readVersions(connection.db, ref), [])
    })

    test('purgeVersions empties the table and leaves a missing one missing', async () => {
      const ref = { table: 'v_purge' }
      assert.equal(await purgeVersions(connection.db, ref), 0)
      assert.equal(await versionTableExists(connection.db, ref), false)
      await ensureVersionTable(connection.db, ref)
      await applyVersionChanges(connection.db, ref, [
        { kind: 'insert', version: 'aaaa' },
        { kind: 'insert', version: 'bbbb' },
      ])
      assert.equal(await purgeVersions(connection.db, ref), 2)
      assert.deepEqual(await readVersions(connection.db, ref), [])
    })

    test('the table may live in another schema', async () => {
      const schema = `mig_s_${Math.random().toString(36).slice(2, 8)}`
      extraSchemas.push(schema)
      await c.createSchema(connection, schema)
      const ref = { table: 'v_schema', schema }
      assert.deepEqual(await readVersions(connection.db, ref), [])
      assert.equal(await ensureVersionTable(connection.db, ref), true)
      await applyVersionChanges(connection.db, ref, [
        { kind: 'insert', version: 'aaaa' },
        { kind: 'update', from: 'aaaa', to: 'bbbb' },
      ])
      assert.deepEqual(await readVersions(connection.db, ref), ['bbbb'])
      // The same name without the schema is a different, absent table.
      assert.equal(await versionTableExists(connection.db, { table: 'v_schema' }), false)
    })

    test('whichTablesExist looks several tables up in one query', async () => {
      const ref = { table: 'v_which' }
      assert.deepEqual(await whichTablesExist(connection.db, [ref, historyTableOf(ref)]), [false, false])
      await ensureVersionTable(connection.db, ref)
      assert.deepEqual(await whichTablesExist(connection.db, [ref, historyTableOf(ref)]), [true, false])
      await ensureHistoryTable(connection.db, historyTableOf(ref))
      assert.deepEqual(await whichTablesExist(connection.db, [ref, historyTableOf(ref)]), [true, true])
    })

    const entry = (revision: string): HistoryEntry => ({
      revision,
      direction: 'up',
      status: 'applied',
      checksum: null,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:00.001Z',
      durationMs: 1.4,
      appliedBy: 'me@here',
      opsCompleted: null,
      detail: null,
    })

    test('readHistory orders entries by start time, then as they were inserted', async () => {
      const ref = historyTableOf({ table: 'v_order' })
      await ensureHistoryTable(connection.db, ref)
      const at = (revision: string, startedAt: string) => ({ ...entry(revision), startedAt })
      await recordHistory(connection.db, ref, at('cccc', '2026-01-01T00:00:02.000Z'))
      await recordHistory(connection.db, ref, at('aaaa', '2026-01-01T00:00:01.000Z'))
      await recordHistory(connection.db, ref, at('dddd', '2026-01-01T00:00:02.000Z'))
      await recordHistory(connection.db, ref, at('bbbb', '2026-01-01T00:00:01.500Z'))
      const logged = await readHistory(connection.db, ref)
      assert.deepEqual(
        logged.map((e) => e.revision),
        ['aaaa', 'bbbb', 'cccc', 'dddd'],
      )
    })

    // Both forms on every dialect that has the one-statement form; the plain form everywhere.
    const forms = [false, ...(dialectFor({ dialect: c.name as DialectName }).dataModifyingCte ? [true] : [])]
    for (const dataModifyingCte of forms) {
      test(`StepRecorder (${dataModifyingCte ? 'one statement' : 'two statements'}) changes the version table and logs the step, or neither`, async () => {
        const schema = `mig_r_${Math.random().toString(36).slice(2, 8)}`
        extraSchemas.push(schema)
        await c.createSchema(connection, schema)
        for (const ref of [{ table: `v_rec_${dataModifyingCte}` }, { table: 'v_rec', schema }]) {
          const tables = { version: ref, history: historyTableOf(ref) }
          await ensureVersionTable(connection.db, ref)
          await ensureHistoryTable(connection.db, tables.history)
          // One recorder for the whole run: each kind of change reuses its statement, prepared
          // on the server where the dialect can.
          const recorder = new StepRecorder(tables, {
            dataModifyingCte,
            prepare: (text) => connection.prepare(text),
          })
          await recorder.record(connection.db, [{ kind: 'insert', version: 'aaaa' }], entry('aaaa'))
          await recorder.record(connection.db, [{ kind: 'update', from: 'aaaa', to: 'bbbb' }], entry('bbbb'))
          await assert.rejects(
            recorder.record(connection.db, [{ kind: 'update', from: 'zzzz', to: 'cccc' }], entry('cccc')),
            (error: unknown) => error instanceof VersionTableRowCountError && error.found === 0,
          )
          await assert.rejects(
            recorder.record(connection.db, [{ kind: 'delete', version: 'zzzz' }], entry('dddd')),
            /expected to match one row when deleting 'zzzz'/,
          )
          await recorder.record(connection.db, [{ kind: 'update', from: 'bbbb', to: 'eeee' }], {
            ...entry('eeee'),
            checksum: 'e'.repeat(64),
            durationMs: 7,
          })
          assert.deepEqual(await readVersions(connection.db, ref), ['eeee'])
          const logged = await readHistory(connection.db, tables.history)
          assert.deepEqual(
            logged.map((e) => [e.revision, e.durationMs, e.checksum, e.opsCompleted]),
            [
              ['aaaa', 1, null, null],
              ['bbbb', 1, null, null],
              ['eeee', 7, 'e'.repeat(64), null],
            ],
          )
        }
      })
    }
  })
}
