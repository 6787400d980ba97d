// `mig squash` with the real `mig` binary, on every available database: a line of three
// revisions in a chain of five replaced by one, read Django's way. A database at base takes the
// squash, one part-way through the originals goes on with them, one at the last replaced id (or
// beyond) is read as at the squash; once the originals are deleted, a database in their middle is
// refused by name. Then `.sql` squashes, and the ranges and revisions squash refuses.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS, type DatabaseKind } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import {
  generatedPath,
  headerOf,
  type RevisionSpec,
  writeConfig,
  writeRevision,
} from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

function project(): string {
  const { dir, cleanup } = tempProject('mig-squash-')
  cleanups.push(cleanup)
  writeConfig(dir)
  return dir
}

const CHAIN: readonly RevisionSpec[] = [
  {
    id: 'r1',
    message: 'account',
    upgrade: [`await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
    downgrade: [`await op.dropTable('account')`],
  },
  {
    id: 'r2',
    down: 'r1',
    message: 'account name',
    upgrade: [`await op.addColumn('account', 'name', 'varchar(50)')`],
    downgrade: [`await op.dropColumn('account', 'name')`],
  },
  {
    id: 'r3',
    down: 'r2',
    message: 'invoice',
    upgrade: [
      `await op.createTable('invoice', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('account_id', 'integer'))`,
    ],
    downgrade: [`await op.dropTable('invoice')`],
  },
  {
    id: 'r4',
    down: 'r3',
    message: 'invoice index',
    upgrade: [`await op.createIndex('ix_invoice_account', 'invoice', ['account_id'])`],
    downgrade: [`await op.dropIndex('ix_invoice_account', { table: 'invoice' })`],
  },
  {
    id: 'r5',
    down: 'r4',
    message: 'payment',
    upgrade: [`await op.createTable('payment', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
    downgrade: [`await op.dropTable('payment')`],
  },
]

const revisionFiles = (dir: string) =>
  readdirSync(join(dir, 'migrations')).filter((f) => /\.(ts|sql)$/.test(f))

async function ok(dir: string, args: readonly string[]) {
  const result = await mig(dir, args)
  assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
  return result
}

async function squashOnce(kind: DatabaseKind) {
  const dir = project()
  for (const spec of CHAIN) writeRevision(dir, 'migrations', spec)
  const databases = {
    reference: await kind.create(dir),
    fresh: await kind.create(dir),
    middle: await kind.create(dir),
    last: await kind.create(dir),
    lastGone: await kind.create(dir),
    middleGone: await kind.create(dir),
    toMiddle: await kind.create(dir),
  }
  try {
    const at = async (db: { args: readonly string[] }, target: string) =>
      ok(dir, [...db.args, 'upgrade', target])
    await at(databases.reference, 'head')
    const built = await databases.reference.schema()
    await at(databases.middle, 'r3')
    await at(databases.last, 'r4')
    await at(databases.lastGone, 'r4')
    await at(databases.middleGone, 'r3')
    const atR3 = await databases.middle.schema()

    const squashed = await ok(dir, ['squash', 'r2:r4', '-m', 'account and invoices', '--rev-id', 'sq1'])
    const path = generatedPath(squashed.stdout)
    const source = readFileSync(path, 'utf8')
    assert.match(source, /export const replaces: readonly string\[\] = \['r2', 'r3', 'r4'\]/)
    assert.match(source, /export const downRevision: string \| readonly string\[\] \| null = 'r1'/)
    // Ops in order up, the reverse down, as code a person would write.
    assert.ok(
      source.indexOf("op.addColumn('account'") < source.indexOf("op.createIndex('ix_invoice_account'"),
    )
    assert.ok(source.indexOf("op.dropIndex('ix_invoice_account'") < source.indexOf("op.dropColumn('account'"))

    // Graph commands without a database show the squash in place of the originals.
    const history = await ok(dir, ['history'])
    assert.match(history.stdout, /r1 -> sq1/)
    assert.match(history.stdout, /sq1 -> r5/)
    assert.doesNotMatch(history.stdout, /-> r3/)
    assert.match((await ok(dir, ['show', 'sq1'])).stdout, /Replaces: r2, r3, r4/)

    // (1) A fresh database takes the squash and builds what the originals build.
    await at(databases.fresh, 'head')
    assert.deepEqual(await databases.fresh.versions(), ['r5'])
    assert.deepEqual(await databases.fresh.schema(), built)
    await ok(dir, [...databases.fresh.args, 'downgrade', 'base'])
    assert.deepEqual(await databases.fresh.versions(), [])
    assert.deepEqual(
      (await databases.fresh.schema()).filter((line) => !line.startsWith('mig_version')),
      [],
    )
    await at(databases.fresh, 'sq1')
    assert.deepEqual(await databases.fresh.versions(), ['sq1'])
    // The database ran the squash as one revision: a target inside it is refused by name, and
    // nothing changes.
    for (const command of ['upgrade', 'downgrade']) {
      const inside = await mig(dir, [...databases.fresh.args, command, 'r3'])
      assert.notEqual(inside.code, 0, inside.stdout)
      assert.match(inside.stderr, /applied squash sq1 as one revision, so 'r3' inside it cannot be reached/)
      assert.deepEqual(await databases.fresh.versions(), ['sq1'])
    }

    // A target inside the squash stops there, through the originals, rather than running (or
    // recording) the whole squash.
    await at(databases.toMiddle, 'r3')
    assert.deepEqual(await databases.toMiddle.versions(), ['r3'])
    assert.deepEqual(await databases.toMiddle.schema(), atR3)
    await at(databases.toMiddle, 'head')
    assert.deepEqual(await databases.toMiddle.schema(), built)

    // (2) Part-way through the originals: the rest of them run, then what follows; a table
    // created twice would fail the run.
    await at(databases.middle, 'head')
    assert.deepEqual(await databases.middle.versions(), ['r5'])
    assert.deepEqual(await databases.middle.schema(), built)

    // (3) At the last replaced id: read as at the squash, the upgrade goes on after it.
    assert.match((await ok(dir, [...databases.last.args, 'current'])).stdout, /sq1/)
    await at(databases.last, 'head')
    assert.deepEqual(await databases.last.versions(), ['r5'])
    assert.deepEqual(await databases.last.schema(), built)
    // Down through the squash, and up again through it.
    await ok(dir, [...databases.last.args, 'downgrade', 'r1'])
    assert.deepEqual(await databases.last.versions(), ['r1'])
    await at(databases.last, 'head')
    assert.deepEqual(await databases.last.schema(), built)
    // Past the squash, having run it whole: down into it is refused too, as its history says.
    const into = await mig(dir, [...databases.last.args, 'downgrade', 'r3'])
    assert.notEqual(into.code, 0, into.stdout)
    assert.match(into.stderr, /applied squash sq1 as one revision/)
    assert.deepEqual(await databases.last.versions(), ['r5'])

    // (4) The originals deleted: a replaced id still names the squash.
    for (const file of revisionFiles(dir).filter((f) => /^r[234]_/.test(f)))
      rmSync(join(dir, 'migrations', file))
    assert.deepEqual((await ok(dir, ['heads'])).stdout.trim().split(/\s+/)[0], 'r5')
    // Offline too, a row at the last replaced id moves on as the squash's.
    const offline = await ok(dir, [...databases.lastGone.args, 'upgrade', '--sql', 'r4:head'])
    assert.match(offline.stdout, /set [`"]?version_num[`"]? = 'r5' where [`"]?version_num[`"]? = 'r4'/)
    // The replaced files are gone, not changed: only r5 is pending.
    const pending = await mig(dir, [...databases.lastGone.args, 'check'])
    assert.equal(pending.code, 7, pending.stderr)
    await ok(dir, [...databases.lastGone.args, 'status'])
    await at(databases.lastGone, 'head')
    assert.deepEqual(await databases.lastGone.versions(), ['r5'])
    assert.deepEqual(await databases.lastGone.schema(), built)
    await ok(dir, [...databases.lastGone.args, 'check'])

    // With the originals gone there is no stopping inside the squash any more.
    const inside = await mig(dir, [...databases.fresh.args, 'downgrade', 'r3'])
    assert.notEqual(inside.code, 0)
    assert.match(inside.stderr, /target 'r3'.*squash sq1/)
    assert.deepEqual(await databases.fresh.versions(), ['sq1'])

    const refused = await mig(dir, [...databases.middleGone.args, 'upgrade', 'head'])
    assert.equal(refused.code, 6, refused.stderr)
    assert.match(refused.stderr, /'r3'/)
    assert.match(refused.stderr, /sq1/)
    assert.match(refused.stderr, /restore/)
    assert.match(refused.stderr, /upgrade r4/)
    assert.deepEqual(await databases.middleGone.versions(), ['r3'])
  } finally {
    for (const db of Object.values(databases)) await db.drop()
  }
}

for (const kind of DATABASE_KINDS) {
  describe(`mig squash on ${kind.name}`, () => {
    test('a squash in a chain of five, with its originals and without them', () => squashOnce(kind))

    test('.sql revisions squash into a .sql revision', async () => {
      const dir = project()
      const sql = (id: string, revises: string, up: string, down: string) =>
        writeFileSync(
          join(dir, 'migrations', `${id}.sql`),
          `-- ${id}\n--\n-- Revision ID: ${id}\n-- Revises: ${revises}\n\n-- migrate: up\n${up}\n\n-- migrate: down\n${down}\n`,
        )
      sql('s1', '', 'create table one (id integer primary key);', 'drop table one;')
      sql('s2', 's1', 'create table two (id integer primary key);', 'drop table two;')
      sql('s3', 's2', 'create table three (id integer primary key);', 'drop table three;')
      const db = await kind.create(dir)
      try {
        const path = generatedPath(
          (await ok(dir, ['squash', 's1:s3', '-m', 'all three', '--rev-id', 'sqs'])).stdout,
        )
        assert.ok(path.endsWith('.sql'), path)
        const text = readFileSync(path, 'utf8')
        assert.match(text, /^-- Replaces: s1, s2, s3$/m)
        assert.ok(text.indexOf('drop table three') < text.indexOf('drop table one'))
        await ok(dir, [...db.args, 'upgrade', 'head'])
        assert.deepEqual(await db.versions(), ['sqs'])
        const tables = (await db.schema()).join('\n')
        for (const table of ['one', 'two', 'three']) assert.match(tables, new RegExp(`\\b${table}\\b`))
        await ok(dir, [...db.args, 'downgrade', 'base'])
        assert.deepEqual(await db.versions(), [])
        assert.deepEqual(
          (await db.schema()).filter((line) => !line.startsWith('mig_version')),
          [],
        )
      } finally {
        await db.drop()
      }
    })
  })
}

for (const kind of DATABASE_KINDS) {
  test(`a line mixing TypeScript and .sql revisions squashes into op.execute calls (${kind.name})`, async () => {
    const dir = project()
    writeRevision(dir, 'migrations', {
      id: 'm1',
      message: 'one',
      upgrade: [`await op.createTable('one', (t) => t.addColumn('id', 'integer'))`],
      downgrade: [`await op.dropTable('one')`],
    })
    writeFileSync(
      join(dir, 'migrations', 'm2.sql'),
      '-- Revision ID: m2\n-- Revises: m1\n\n-- migrate: up\ninsert into one (id) values (1);\ninsert into one (id) values (2);\n\n-- migrate: down\ndelete from one;\n',
    )
    const db = await kind.create(dir)
    try {
      const path = generatedPath((await ok(dir, ['squash', 'm1:m2', '--rev-id', 'mx'])).stdout)
      assert.ok(path.endsWith('.ts'), path)
      const text = readFileSync(path, 'utf8')
      assert.match(text, /await op\.execute\(sql`insert into one \(id\) values \(2\)`\)/)
      assert.match(text, /^import \{ type Operations, sql \} from 'migraph'$/m)
      await ok(dir, [...db.args, 'upgrade', 'head'])
      assert.deepEqual(await db.versions(), ['mx'])
      await ok(dir, [...db.args, 'downgrade', 'base'])
      assert.deepEqual(await db.versions(), [])
    } finally {
      await db.drop()
    }
  })
}

test('a .sql squash is irreversible if one of its revisions is, and outside a transaction if one is', async () => {
  const dir = project()
  const write = (name: string, text: string) => writeFileSync(join(dir, 'migrations', name), text)
  write(
    't1.sql',
    '-- Revision ID: t1\n-- Revises:\n-- migrate: no-transaction\n\n-- migrate: up\nselect 1;\n\n-- migrate: down\nselect 2;\n',
  )
  write('t2.sql', '-- Revision ID: t2\n-- Revises: t1\n\n-- migrate: up\nselect 3;\n')
  const path = generatedPath((await ok(dir, ['squash', 't1:t2', '--rev-id', 'tq'])).stdout)
  const text = readFileSync(path, 'utf8')
  assert.match(text, /^-- migrate: no-transaction$/m)
  assert.doesNotMatch(text, /migrate: down/)
  assert.match(text, /select 1;[\s\S]*select 3;/)
  assert.match((await ok(dir, ['show', 'tq'])).stdout, /Replaces: t1, t2/)
})

test('new revisions go on from the head whose parent a squash replaced, with the originals and without', async () => {
  const dir = project()
  writeRevision(dir, 'migrations', { id: 'a1', message: 'a' })
  writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'b' })
  writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'c' })
  await ok(dir, ['squash', 'a1:b1', '-m', 'a and b', '--rev-id', 'sq'])
  // c1 still names b1, which the squash now stands for: the new file goes on from c1.
  const d1 = generatedPath((await ok(dir, ['revision', '-m', 'd', '--rev-id', 'd1'])).stdout)
  assert.equal(headerOf(d1).downRevision, "'c1'")
  for (const file of revisionFiles(dir).filter((f) => /^[ab]1_/.test(f)))
    rmSync(join(dir, 'migrations', file))
  await ok(dir, ['revision', '-m', 'e', '--rev-id', 'e1', '--format', 'sql'])
  assert.deepEqual((await ok(dir, ['heads'])).stdout.trim().split(/\s+/)[0], 'e1')
  assert.match((await ok(dir, ['history'])).stdout, /<base> -> sq/)
})

describe('mig squash refuses, writing nothing', () => {
  const refuses = async (dir: string, args: readonly string[], message: RegExp) => {
    const before = revisionFiles(dir)
    const result = await mig(dir, ['squash', ...args, '-m', 'nope'])
    assert.notEqual(result.code, 0, result.stdout)
    assert.match(result.stderr, message)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    assert.deepEqual(revisionFiles(dir), before)
  }

  test('ranges that are not one line, not an ancestor pair, one revision, or unknown', async () => {
    const dir = project()
    writeRevision(dir, 'migrations', { id: 'a1', message: 'a' })
    writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'b' })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'c' })
    writeRevision(dir, 'migrations', { id: 'c2', down: 'b1', message: 'c other' })
    writeRevision(dir, 'migrations', { id: 'd1', down: ['c1', 'c2'], message: 'merge' })
    writeRevision(dir, 'migrations', { id: 'e1', down: 'd1', message: 'e' })
    await refuses(dir, ['a1:c1'], /b1 is a branch point/)
    await refuses(dir, ['c1:e1'], /d1 is a merge point/)
    await refuses(dir, ['c1:c2'], /c1 is not an ancestor of c2/)
    await refuses(dir, ['e1:d1'], /e1 is not an ancestor of d1/)
    await refuses(dir, ['d1:d1'], /range of one revision/)
    await refuses(dir, ['a1:zz9'], /zz9/)
    await refuses(dir, ['a1'], /<from>:<to>/)
  })

  test('a revision that uses op.db, and a range overlapping a squash', async () => {
    const dir = project()
    writeRevision(dir, 'migrations', { id: 'a1', message: 'a' })
    writeRevision(dir, 'migrations', {
      id: 'b1',
      down: 'a1',
      message: 'b',
      upgrade: [`await op.db.schema.createTable('x').addColumn('id', 'integer').execute()`],
    })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'c' })
    writeRevision(dir, 'migrations', { id: 'd1', down: 'c1', message: 'd' })
    await refuses(dir, ['a1:c1'], /revision b1 uses op\.db in its upgrade\(\); squash cannot inline it/)
    await ok(dir, ['squash', 'c1:d1', '-m', 'tail', '--rev-id', 'sq9'])
    await refuses(dir, ['b1:c1'], /c1 is already replaced by squash sq9/)
    await refuses(dir, ['a1:sq9'], /sq9 is itself a squash/)
    assert.ok(existsSync(join(dir, 'migrations')))
  })
})
