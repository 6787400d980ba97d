// `mig import knex` with the real binary and the real `knex` package: a Knex migrations folder
// (CommonJS and TypeScript files), a database Knex left half-migrated (its `knex_migrations`
// table written with SQL here), `--stamp`, then `mig upgrade head` running the pending migration
// through Knex's query builder on migraph's connection and transaction, and back down.
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS } from '../helpers/e2e-databases.js'
import { mig, ROOT, tempProject } from '../helpers/mig.js'
import { writeConfig } from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

/** A project with `knex` installed and Knex's folder `db/migrations` holding `files`. */
function project(files: Record<string, string>): string {
  const { dir, cleanup } = tempProject('mig-import-knex-')
  cleanups.push(cleanup)
  writeConfig(dir)
  symlinkSync(join(ROOT, 'node_modules/knex'), join(dir, 'node_modules/knex'), 'dir')
  mkdirSync(join(dir, 'db/migrations'), { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'db/migrations', name), text)
  return dir
}

// As `knex migrate:make` writes them: CommonJS, then TypeScript.
const CREATE_USERS = `exports.up = function (knex) {
  return knex.schema.createTable('users', (t) => {
    t.integer('id').primary()
    t.string('name').notNullable()
  })
}

exports.down = function (knex) {
  return knex.schema.dropTable('users')
}
`

const ADD_EMAIL = `import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('email')
  })
  await knex('users').insert({ id: 1, name: 'ada', email: 'ada@example.com' })
  const rows = await knex('users').select('name').where({ email: 'ada@example.com' })
  if (rows.length !== 1 || rows[0].name !== 'ada') throw new Error(\`select read \${JSON.stringify(rows)}\`)
  const updated = await knex('users').update({ email: 'a@x' }).where({ id: 1 })
  if (updated !== 1) throw new Error(\`update counted \${updated}\`)
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email')
  })
}
`

const KNEX_STATE = `CREATE TABLE users (id integer PRIMARY KEY, name varchar(255) NOT NULL);
CREATE TABLE knex_migrations (id integer PRIMARY KEY, name varchar(255), batch integer, migration_time timestamp);
CREATE TABLE knex_migrations_lock (id integer PRIMARY KEY, is_locked integer);
INSERT INTO knex_migrations (id, name, batch, migration_time) VALUES (1, '20240101120000_create_users.js', 1, CURRENT_TIMESTAMP);`

describe('mig import knex', () => {
  for (const kind of DATABASE_KINDS) {
    test(`${kind.name}: --stamp from knex_migrations, then the pending migration runs through Knex`, async () => {
      const dir = project({
        '20240101120000_create_users.js': CREATE_USERS,
        '20240201120000_add_email.ts': ADD_EMAIL,
      })
      const db = await kind.create(dir)
      try {
        await db.applyScript(KNEX_STATE)
        const imported = await mig(dir, [...db.args, 'import', 'knex', 'db/migrations', '--stamp'])
        assert.equal(imported.code, 0, imported.stderr)
        assert.match(
          imported.stdout,
          /Imported 2 knex migrations\nStamped [0-9a-f]{12}: the 1 migration\(s\) knex recorded as applied\n$/,
        )
        const names = readdirSync(join(dir, 'migrations')).sort()
        assert.equal(names.length, 2)
        const added = readFileSync(
          join(dir, 'migrations', names.find((n) => n.endsWith('_add_email.ts')) ?? ''),
          'utf8',
        )
        assert.match(
          added,
          /import \* as migration from '\.\.\/db\/migrations\/20240201120000_add_email\.ts'/,
        )

        // The first migration, already applied by Knex, would fail if run again.
        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 0, up.stderr)
        assert.match(up.stderr, /\[1\/1\] Running upgrade [0-9a-f]{12} -> [0-9a-f]{12}, add_email/)
        await db.applyScript("INSERT INTO users (id, name, email) VALUES (2, 'b', 'b@x');")
        // Down (on SQLite, Knex rebuilds the table inside a savepoint of migraph's transaction) and up again.
        const down = await mig(dir, [...db.args, 'downgrade', '-1'])
        assert.equal(down.code, 0, down.stderr)
        await db.applyScript('DELETE FROM users;')
        const again = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(again.code, 0, again.stderr)
        assert.equal((await db.versions())?.length, 1)
      } finally {
        await db.drop()
      }
    })
  }

  const transactional = DATABASE_KINDS.filter((kind) => kind.transactionalDDL)
  for (const kind of transactional) {
    test(`${kind.name}: a failing Knex migration is rolled back with migraph's transaction`, async () => {
      const dir = project({
        '20240101120000_create_users.js': CREATE_USERS,
        '20240301120000_broken.js': `exports.up = async (knex) => {
  await knex.schema.createTable('half', (t) => t.integer('id'))
  await knex.raw('SELECT * FROM no_such_table')
}
`,
      })
      const db = await kind.create(dir)
      try {
        assert.equal((await mig(dir, [...db.args, 'import', 'knex', 'db/migrations'])).code, 0)
        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 1)
        assert.match(up.stderr, /no_such_table/)
        // The first revision committed on its own; of the failing one nothing stayed.
        assert.equal((await db.versions())?.length, 1)
        await db.applyScript('CREATE TABLE half (id integer);')
      } finally {
        await db.drop()
      }
    })
  }

  test('bad input: a file without up(knex), a recorded migration the folder lacks; nothing written', async () => {
    const dir = project({
      '20240101120000_create_users.js': CREATE_USERS,
      'helpers.js': 'exports.slug = 1\n',
    })
    const noUp = await mig(dir, ['import', 'knex', 'db/migrations'])
    assert.equal(noUp.code, 1)
    assert.match(
      noUp.stderr,
      /^error: .*db\/migrations\/helpers\.js: exports no up\(knex\) \(as 'export async function up' or 'exports\.up'\), so it is not a Knex migration; move it out of the folder\n$/m,
    )
    const other = project({ '20240101120000_create_users.js': CREATE_USERS })
    const { default: Database } = await import('better-sqlite3')
    const sqlite = new Database(join(other, 'knex.sqlite'))
    sqlite.exec(`${KNEX_STATE} INSERT INTO knex_migrations (id, name) VALUES (2, '20240401000000_gone.js');`)
    sqlite.close()
    const gone = await mig(other, [
      '--url',
      'sqlite:knex.sqlite',
      'import',
      'knex',
      'db/migrations',
      '--stamp',
    ])
    assert.equal(gone.code, 1)
    assert.match(
      gone.stderr,
      /error: mig import knex: knex_migrations records '20240401000000_gone\.js' as applied, but db\/migrations has no such migration; nothing was written\n$/,
    )
    for (const d of [dir, other]) assert.deepEqual(readdirSync(join(d, 'migrations')), [])
  })
})
