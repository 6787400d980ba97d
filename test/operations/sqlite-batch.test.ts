// SQLite batch mode ("move and copy") against a live database: data, foreign keys, indexes and
// named constraints survive; enforcement is switched off only where SQLite allows it.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { AnySchema } from '@migraph/operations'
import {
  createOnlineSink,
  createOperations,
  type Operations,
  StatementExecutionError,
  sql,
  UnsupportedOperationError,
} from '@migraph/operations'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'

function open() {
  const database = new Database(':memory:')
  const db = new Kysely<AnySchema>({ dialect: new SqliteDialect({ database }) })
  const ops = (on: Kysely<AnySchema> = db): Operations =>
    createOperations(createOnlineSink(on, 'sqlite'), { revision: 'batch' }).op
  const all = async (text: string) => (await sql.raw(text).execute(db)).rows
  return { database, db, ops, all }
}

async function parentAndChildren(op: Operations) {
  await op.createTable('parent', (t) =>
    t
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('code', 'varchar(10)', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.defaultTo("it's \\ fine"))
      .unique(['code'], { name: 'parent_code_key' })
      .check(sql`length(code) > 0`, { name: 'parent_code_check' })
      .index('parent_note_idx', ['note'], { where: sql`note is not null` }),
  )
  await op.createTable('child', (t) =>
    t
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('parent_id', 'integer', (c) => c.references('parent', 'id', { onDelete: 'cascade' })),
  )
  await op.bulkInsert('parent', [
    { id: 1, code: 'a', note: 'x' },
    { id: 2, code: 'b', note: null },
  ])
  await op.bulkInsert('child', [
    { id: 10, parent_id: 1 },
    { id: 11, parent_id: 2 },
  ])
}

describe('SQLite batch mode, online', () => {
  test('alterColumn on a referenced table keeps rows, children, indexes and named constraints', async () => {
    const { db, ops, all } = open()
    const op = ops()
    await parentAndChildren(op)
    await op.execute(sql`update parent set note = ${'y'} where note is null`)
    await op.alterColumn('parent', 'note', { type: 'varchar(50)', nullable: false, default: 'n/a' })
    const [table] = await all("select sql from sqlite_master where name = 'parent'")
    assert.equal(
      (table as { sql: string }).sql,
      `CREATE TABLE "parent" ("id" integer not null primary key autoincrement, "code" varchar(10) not null, "note" varchar(50) not null default 'n/a', constraint "parent_code_key" unique ("code"), constraint "parent_code_check" check (length(code) > 0))`,
    )
    assert.deepEqual(await all('select id, code, note from parent order by id'), [
      { id: 1, code: 'a', note: 'x' },
      { id: 2, code: 'b', note: 'y' },
    ])
    assert.deepEqual(await all('select id, parent_id from child order by id'), [
      { id: 10, parent_id: 1 },
      { id: 11, parent_id: 2 },
    ])
    assert.deepEqual(
      await all("select name, sql from sqlite_master where type = 'index' and name not like 'sqlite_%'"),
      [
        {
          name: 'parent_note_idx',
          sql: 'CREATE INDEX "parent_note_idx" on "parent" ("note") where note is not null',
        },
      ],
    )
    assert.deepEqual(await all('pragma foreign_keys'), [{ foreign_keys: 1 }])
    assert.deepEqual(await all('pragma foreign_key_check'), [])
    // The constraints still hold after the copy.
    await assert.rejects(
      op.execute("insert into parent (code, note) values ('', 'z')"),
      StatementExecutionError,
    )
    await assert.rejects(op.execute('insert into child values (12, 99)'), StatementExecutionError)
    await op.execute('delete from parent where id = 1')
    assert.deepEqual(await all('select id from child'), [{ id: 11 }], 'ON DELETE CASCADE still there')
    await db.destroy()
  })

  test('inside a transaction a referenced table cannot be rebuilt: named error, nothing applied', async () => {
    const { db, ops, all } = open()
    await parentAndChildren(ops())
    const before = await all('select sql from sqlite_master order by name')
    await assert.rejects(
      db.transaction().execute((trx) => ops(trx).alterColumn('parent', 'code', { type: 'text' })),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedOperationError)
        assert.equal(error.revision, 'batch')
        assert.match(error.message, /transactional = false/)
        return true
      },
    )
    assert.deepEqual(await all('select sql from sqlite_master order by name'), before)
    assert.deepEqual(await all('pragma foreign_keys'), [{ foreign_keys: 1 }])
    await db.destroy()
  })

  test('a table nothing references is rebuilt inside a transaction', async () => {
    const { db, ops, all } = open()
    await parentAndChildren(ops())
    await db.transaction().execute(async (trx) => {
      const op = ops(trx)
      await op.dropConstraint('child_parent_fk_missing', 'child').catch(() => undefined)
      await op.createCheckConstraint('child_id_check', 'child', sql`id >= 10`)
    })
    const [child] = await all("select sql from sqlite_master where name = 'child'")
    assert.match((child as { sql: string }).sql, /constraint "child_id_check" check \(id >= 10\)/)
    assert.match(
      (child as { sql: string }).sql,
      /foreign key \("parent_id"\) references "parent" \("id"\) on delete cascade/,
    )
    assert.equal((await all('select * from child')).length, 2)
    await db.destroy()
  })

  test('dropConstraint finds SQLite constraints by the names in the table text', async () => {
    const { db, ops, all } = open()
    const op = ops()
    await parentAndChildren(op)
    await op.dropConstraint('parent_code_key', 'parent')
    await op.execute("insert into parent (code, note) values ('a', 'dup')")
    assert.equal((await all("select * from parent where code = 'a'")).length, 2)
    await assert.rejects(
      op.dropConstraint('no_such', 'parent'),
      /constraint 'no_such' on table 'parent' does not exist/,
    )
    await db.destroy()
  })

  test('dropColumn of an indexed column rebuilds and drops its index; a plain column drops natively', async () => {
    const { db, ops, all } = open()
    const op = ops()
    await parentAndChildren(op)
    await op.addColumn('parent', 'extra', 'integer')
    await op.dropColumn('parent', 'extra')
    await op.dropColumn('parent', 'note')
    assert.deepEqual(
      await all("select name from sqlite_master where type = 'index' and name not like 'sqlite_%'"),
      [],
    )
    assert.deepEqual(
      (await all("select name from pragma_table_info('parent')")).map((r) => (r as { name: string }).name),
      ['id', 'code'],
    )
    await db.destroy()
  })

  test("recreate: 'never' refuses what ALTER TABLE cannot do", async () => {
    const { db, ops } = open()
    const op = ops()
    await parentAndChildren(op)
    await assert.rejects(
      op.batchAlterTable('parent', (b) => b.alterColumn('code', { nullable: true }), { recreate: 'never' }),
      UnsupportedOperationError,
    )
    await db.destroy()
  })
})
