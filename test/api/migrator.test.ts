// createMigrator, as an application uses it: through the `migraph` package (the built bundle),
// with a config object or file, migraph's own connections or the application's Kysely or pg Pool.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import Database from 'better-sqlite3'
import { CamelCasePlugin, Kysely, MysqlDialect, SqliteDialect, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import {
  ConfigError,
  createMigrator,
  type MigraphConfig,
  MigraphError,
  type Migrator,
  MultipleHeadsError,
  type Reporter,
} from 'migraph'
import mysql from 'mysql2'
import pg from 'pg'
import { writeRevision } from '../helpers/project-files.ts'
import { createPostgresDatabase, MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.ts'

const root = mkdtempSync(join(tmpdir(), 'mig-fleet-api-'))
after(() => rmSync(root, { recursive: true, force: true }))

let projects = 0
/** A project folder with two revisions (a table, then a column), and its config object. */
function project(): { dir: string; config: MigraphConfig } {
  const dir = join(root, `p${++projects}`)
  writeRevision(dir, 'migrations', {
    id: 'aaa111',
    message: 'create notes',
    upgrade: [`await op.createTable('notes', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
    downgrade: [`await op.dropTable('notes')`],
  })
  writeRevision(dir, 'migrations', {
    id: 'bbb222',
    down: 'aaa111',
    message: 'add body',
    upgrade: [`await op.addColumn('notes', 'body', 'text')`],
    downgrade: [`await op.dropColumn('notes', 'body')`],
  })
  return { dir, config: { migrations: join(dir, 'migrations') } }
}

// Scripts in `root` import 'migraph' as an installed package would be.
mkdirSync(join(root, 'node_modules'))
symlinkSync(join(import.meta.dirname, '../../packages/cli'), join(root, 'node_modules/migraph'), 'dir')

const ids = (revisions: readonly { revision: string }[]) => revisions.map((r) => r.revision)

/** The behaviour every way of connecting must show, on a migrator whose database is empty. */
async function lifecycle(migrator: Migrator): Promise<void> {
  // Read-only calls create nothing, not even the database file: create the version table first.
  await migrator.ensureVersion()
  const before = await migrator.status()
  assert.equal(before.upToDate, false)
  assert.deepEqual(before.pending, ['aaa111', 'bbb222'])
  assert.equal(before.problem?.code, 'pending')
  await assert.rejects(migrator.check(), (e: unknown) => e instanceof MigraphError && e.code === 'pending')
  const first = await migrator.upgrade()
  assert.deepEqual(
    first.steps.map((s) => s.revision),
    ['aaa111', 'bbb222'],
  )
  assert.deepEqual(first.heads, ['bbb222'])
  // Rerun: nothing to do.
  assert.deepEqual((await migrator.upgrade()).steps, [])
  assert.deepEqual(ids(await migrator.current()), ['bbb222'])
  assert.equal((await migrator.status()).upToDate, true)
  assert.deepEqual((await migrator.check()).pending, [])
  assert.deepEqual(ids(await migrator.history({ indicateCurrent: true })), ['bbb222', 'aaa111'])
  const down = await migrator.downgrade('-1')
  assert.deepEqual(
    down.steps.map((s) => [s.direction, s.revision]),
    [['down', 'bbb222']],
  )
  assert.deepEqual(ids(await migrator.current()), ['aaa111'])
  assert.deepEqual((await migrator.stamp('bbb222')).heads, ['bbb222'])
  // The table has no `body` column again: say so, whatever the version table held.
  assert.deepEqual((await migrator.stamp('aaa111', { purge: true })).heads, ['aaa111'])
  assert.deepEqual(ids(await migrator.current()), ['aaa111'])
}

describe('createMigrator with migraph’s own connections', () => {
  test('a config object: every command returns data', async () => {
    const { dir, config } = project()
    const migrator = createMigrator({ ...config, url: `sqlite:${join(dir, 'app.db')}` })
    await lifecycle(migrator)
    assert.deepEqual(ids(await migrator.heads()), ['bbb222'])
    assert.deepEqual(await migrator.branches(), [])
    assert.deepEqual(ids(await migrator.show('aaa')), ['aaa111'])
    const offline = await migrator.upgrade('heads', { sql: true })
    assert.match(offline.sql ?? '', /CREATE TABLE "?notes"?/i)
  })

  test('nothing is printed, and a failure is thrown, not an exit', () => {
    const { dir } = project()
    const script = join(dir, 'start.mjs')
    writeFileSync(
      script,
      `import { createMigrator, MigraphError } from 'migraph'
const migrator = createMigrator({ migrations: 'migrations', url: 'sqlite:app.db' }, { cwd: ${JSON.stringify(dir)} })
const { steps } = await migrator.upgrade()
await migrator.current()
await migrator.check()
let caught
try { await migrator.upgrade('nosuchrev') } catch (error) { caught = error }
process.exitCode = steps.length === 2 && caught instanceof MigraphError ? 42 : 1
`,
    )
    const run = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' })
    assert.equal(run.stderr, '')
    assert.equal(run.stdout, '')
    assert.equal(run.status, 42)
  })

  test('a config file, found by path; url and cwd options', async () => {
    const { dir } = project()
    writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
    const url = `sqlite:${join(dir, 'from-option.db')}`
    await lifecycle(createMigrator(join(dir, 'migrate.config.ts'), { url }))
    // Found from cwd, as `mig` finds it; the same database.
    assert.deepEqual(ids(await createMigrator(undefined, { cwd: dir, url }).current()), ['aaa111'])
  })

  test('a multi-database config: one migrator per database, chosen with the database option', async () => {
    const { dir, config } = project()
    const databases = {
      main: { ...config, url: `sqlite:${join(dir, 'main.db')}` },
      audit: { ...config, url: `sqlite:${join(dir, 'audit.db')}`, versionTable: 'audit_version' },
    }
    await assert.rejects(
      createMigrator({ databases }).heads(),
      (e: unknown) =>
        e instanceof ConfigError &&
        /several databases \(main, audit\): give createMigrator the database option/.test(e.message),
    )
    await assert.rejects(
      createMigrator({ databases }, { database: 'nope' }).heads(),
      (e: unknown) =>
        e instanceof ConfigError && /unknown database 'nope' \(.*names: main, audit\)/.test(e.message),
    )
    const audit = createMigrator({ databases }, { database: 'audit' })
    assert.deepEqual((await audit.upgrade('aaa111')).heads, ['aaa111'])
    assert.deepEqual(ids(await createMigrator({ databases }, { database: 'main' }).history()), [
      'bbb222',
      'aaa111',
    ])
    assert.equal((await audit.project()).config.versionTable, 'audit_version')
  })

  test('a reporter is told the target and each step', async () => {
    const { dir, config } = project()
    const lines: string[] = []
    const reporter: Partial<Reporter> = {
      info: (message) => lines.push(message),
      stepFinished: (step) => lines.push(`done ${step.revision}`),
    }
    await createMigrator({ ...config, url: `sqlite:${join(dir, 'r.db')}` }, { reporter }).upgrade()
    assert.match(lines[0] ?? '', /^Target database: sqlite:/)
    assert.deepEqual(
      lines.filter((l) => l.startsWith('done')),
      ['done aaa111', 'done bbb222'],
    )
  })

  test('bad input throws typed errors and never exits', async () => {
    const { dir, config } = project()
    const url = `sqlite:${join(dir, 'bad.db')}`
    await assert.rejects(
      createMigrator({ ...config, url, colour: 'red' } as MigraphConfig).upgrade(),
      (e: unknown) => e instanceof ConfigError && /unknown config key 'colour'/.test(e.message),
    )
    await assert.rejects(
      createMigrator({ ...config, url }).upgrade('nope'),
      (e: unknown) => e instanceof MigraphError && /nope/.test(e.message),
    )
    await assert.rejects(
      createMigrator(join(dir, 'missing.config.ts')).current(),
      (e: unknown) => e instanceof ConfigError && /config file not found/.test(e.message),
    )
    const empty = mkdtempSync(join(tmpdir(), 'mig-fleet-none-'))
    try {
      await assert.rejects(
        createMigrator(undefined, { cwd: empty }).heads(),
        (e: unknown) => e instanceof ConfigError && /no migrate\.config\.ts found/.test(e.message),
      )
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
    // Two heads: `head` is ambiguous, `heads` (the default) is not.
    writeRevision(dir, 'migrations', { id: 'ccc333', down: 'aaa111', message: 'branch' })
    const branched = createMigrator({ ...config, url })
    await assert.rejects(branched.upgrade('head'), MultipleHeadsError)
    assert.equal((await branched.upgrade()).heads.length, 2)
    // The database is as it was before the bad calls: only the good upgrade ran.
    assert.deepEqual(ids(await branched.current()).sort(), ['bbb222', 'ccc333'])
  })
})

describe('createMigrator sharing the application’s connections', () => {
  test('a Kysely over SQLite with plugins: migrated, then still the application’s to use', async () => {
    const { dir, config } = project()
    const database = new Database(join(dir, 'shared.db'))
    const db = new Kysely<Record<string, never>>({
      dialect: new SqliteDialect({ database }),
      plugins: [new CamelCasePlugin()],
    })
    try {
      await lifecycle(createMigrator(db, { config }))
      const tables = await sql<{
        name: string
      }>`select name from sqlite_master where type = 'table' order by name`.execute(db)
      assert.ok(tables.rows.some((r) => r.name === 'notes'))
      assert.ok(database.open, 'the application’s connection stays open')
    } finally {
      await db.destroy()
    }
  })

  test('a Kysely over PGlite: the advisory lock is taken and given back on its one session', async () => {
    const { config } = project()
    const pglite = new PGlite()
    const db = new Kysely<Record<string, never>>({ dialect: new PGliteDialect(pglite) })
    try {
      const migrator = createMigrator(db, { config })
      await lifecycle(migrator)
      const locks = await sql<{
        n: number
      }>`select count(*)::int as n from pg_locks where locktype = 'advisory'`.execute(db)
      assert.equal(locks.rows[0]?.n, 0)
      assert.match((await migrator.project()).target().display, /shared Kysely instance \(postgres\)/)
    } finally {
      await db.destroy()
    }
  })

  test('a Kysely whose adapter is unknown needs the dialect option', async () => {
    const { config } = project()
    const odd = {
      getExecutor: () => ({ adapter: new (class OddAdapter {})() }),
      connection() {},
      withoutPlugins() {},
    }
    await assert.rejects(
      createMigrator(odd as never, { config }).current(),
      (e: unknown) => e instanceof ConfigError && /OddAdapter.*dialect option/.test(e.message),
    )
  })

  test('a shared connection and a url are refused together', async () => {
    const { config } = project()
    const db = new Kysely<Record<string, never>>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    })
    try {
      await assert.rejects(
        createMigrator(db, { config, url: 'sqlite::memory:' }).current(),
        /either a shared connection or a url/,
      )
    } finally {
      await db.destroy()
    }
  })
})

describe('createMigrator on PostgreSQL with the application’s pg Pool', {
  skip: POSTGRES_URL === undefined,
}, () => {
  test('migrates, serialises concurrent callers, and leaves the pool open with no lock held', async () => {
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'fleet_api')
    const pool = new pg.Pool({ connectionString: database.url, max: 4 })
    try {
      const { config } = project()
      const migrator = createMigrator(pool, { config })
      await lifecycle(migrator)
      assert.match((await migrator.project()).target().display, /\(shared pool\)$/)
      // Four callers at once (app replicas sharing a pool): one applies, the others find nothing.
      const runs = await Promise.all([1, 2, 3, 4].map(() => createMigrator(pool, { config }).upgrade()))
      assert.deepEqual(
        runs.flatMap((r) => r.steps.map((s) => s.revision)),
        ['bbb222'],
      )
      const locks = await pool.query(`select count(*)::int as n from pg_locks where locktype = 'advisory'`)
      assert.equal(locks.rows[0].n, 0)
      assert.equal((await pool.query('select 1 as one')).rows[0].one, 1)
    } finally {
      await pool.end()
      await database.drop()
    }
  })

  test('a pg Pool given as options.connection, with a config file', async () => {
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'fleet_api')
    const pool = new pg.Pool({ connectionString: database.url, max: 2 })
    try {
      const { dir } = project()
      writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      const migrator = createMigrator(join(dir, 'migrate.config.ts'), { connection: pool })
      assert.deepEqual((await migrator.upgrade()).heads, ['bbb222'])
      assert.deepEqual(ids(await migrator.current()), ['bbb222'])
    } finally {
      await pool.end()
      await database.drop()
    }
  })
})

describe('createMigrator on MariaDB with the application’s Kysely', { skip: MYSQL_URL === undefined }, () => {
  test('migrates on one pinned connection and releases the named lock', async () => {
    const name = `fleet_api_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = mysql.createConnection(MYSQL_URL as string).promise()
    await admin.query(`CREATE DATABASE \`${name}\``)
    const pool = mysql.createPool({ uri: withDatabase(MYSQL_URL as string, name), connectionLimit: 2 })
    const db = new Kysely<Record<string, never>>({ dialect: new MysqlDialect({ pool }) })
    try {
      const { config } = project()
      await lifecycle(createMigrator(db, { config }))
      // The lock was given back: a run of its own, not willing to wait, takes it at once.
      const own = createMigrator(
        { ...config, url: withDatabase(MYSQL_URL as string, name) },
        { lockTimeoutMs: 0 },
      )
      assert.deepEqual((await own.upgrade()).heads, ['bbb222'])
    } finally {
      await db.destroy()
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await admin.end()
    }
  })
})
