// Several databases in one config (`databases`), chosen with --db: each with its own URL,
// versions folder and version table; without --db, commands act on each in order and say which.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.ts'

const project = tempProject('mig-fleet-multidb-')
after(() => project.cleanup())
const { dir } = project

function writeConfig(databases: string, extra = ''): void {
  writeFileSync(join(dir, 'migrate.config.ts'), `export default { ${extra}databases: ${databases} }\n`)
}
const TWO = `{
  main: { url: 'sqlite:main.db', migrations: 'db/main' },
  analytics: { url: 'sqlite:analytics.db', migrations: 'db/analytics', versionTable: 'analytics_version' },
}`
writeConfig(TWO)
writeRevision(dir, 'db/main', {
  id: 'a1a1a1a1a1a1',
  message: 'users',
  upgrade: [`await op.createTable('users', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
  downgrade: [`await op.dropTable('users')`],
})
writeRevision(dir, 'db/analytics', {
  id: 'b2b2b2b2b2b2',
  message: 'events',
  upgrade: [`await op.createTable('events', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
  downgrade: [`await op.dropTable('events')`],
})

const rows = (file: string, table: string) => {
  const db = new Database(join(dir, file), { readonly: true })
  try {
    return db
      .prepare(`select version_num from ${table}`)
      .all()
      .map((r) => (r as { version_num: string }).version_num)
  } finally {
    db.close()
  }
}
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('error:'))

describe('databases: { ... } and --db', () => {
  test('without --db, upgrade acts on each database in order and says which', async () => {
    const run = await mig(dir, ['upgrade', 'head'])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, 'Database main:\nDatabase analytics:\n')
    const targets = run.stderr.split('\n').filter((line) => line.startsWith('Target database:'))
    assert.deepEqual(targets, [
      "Target database: sqlite:main.db (database 'main')",
      "Target database: sqlite:analytics.db (database 'analytics')",
    ])
    assert.match(run.stderr.split('\n')[0] ?? '', /^Target database: sqlite:main\.db/)
    assert.deepEqual(rows('main.db', 'mig_version'), ['a1a1a1a1a1a1'])
    // Each database keeps its own version table: analytics' is named in its entry.
    assert.deepEqual(rows('analytics.db', 'analytics_version'), ['b2b2b2b2b2b2'])
  })

  test('--db selects one, and repeats; --json is one document keyed by database', async () => {
    const one = await mig(dir, ['--db', 'analytics', 'current'])
    assert.equal(one.code, 0, one.stderr)
    assert.equal(one.stdout, 'b2b2b2b2b2b2 (head)\n')
    const both = await mig(dir, ['--db', 'analytics', '--db', 'main', 'current', '--json'])
    assert.equal(both.code, 0, both.stderr)
    const doc = JSON.parse(both.stdout) as Record<string, { revision: string }[]>
    assert.deepEqual(Object.keys(doc), ['analytics', 'main'])
    assert.deepEqual(
      doc.main?.map((r) => r.revision),
      ['a1a1a1a1a1a1'],
    )
    assert.deepEqual(
      doc.analytics?.map((r) => r.revision),
      ['b2b2b2b2b2b2'],
    )
  })

  test('mig revision writes into the folder of the one database --db names', async () => {
    const refused = await mig(dir, ['revision', '-m', 'nowhere'])
    assert.equal(refused.code, 1)
    assert.deepEqual(errorLines(refused.stderr), [
      'error: mig revision works on one database: pass --db NAME (databases: main, analytics)',
    ])
    const made = await mig(dir, ['--db', 'main', 'revision', '-m', 'orders', '--rev-id', 'c3c3c3c3c3c3'])
    assert.equal(made.code, 0, made.stderr)
    assert.ok(existsSync(join(dir, 'db/main/c3c3c3c3c3c3_orders.ts')))
    // Pending in one database only: check fails (exit 7), and --json says which.
    const check = await mig(dir, ['check', '--json'])
    assert.equal(check.code, 7, check.stderr)
    const report = JSON.parse(check.stdout) as Record<string, { ok: boolean; pending: string[] }>
    assert.deepEqual(report.main?.pending, ['c3c3c3c3c3c3'])
    assert.equal(report.analytics?.ok, true)
  })

  test('a database that fails stops the run there, named in the error', async () => {
    writeRevision(dir, 'db/analytics', {
      id: 'd4d4d4d4d4d4',
      down: 'b2b2b2b2b2b2',
      message: 'broken',
      upgrade: [`await op.execute('select * from no_such_table')`],
    })
    const run = await mig(dir, ['upgrade', 'head'])
    assert.equal(run.code, 1)
    const [error] = errorLines(run.stderr)
    assert.match(error ?? '', /^error: database 'analytics': revision d4d4d4d4d4d4 upgrade\(\) failed/)
    // main, first in order, was upgraded; analytics is left as it was.
    assert.deepEqual(rows('main.db', 'mig_version'), ['c3c3c3c3c3c3'])
    assert.deepEqual(rows('analytics.db', 'analytics_version'), ['b2b2b2b2b2b2'])
  })

  test('bad input: one clear line, nothing touched', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['--db', 'nope', 'current'],
        {},
        /^error: unknown database 'nope' \(.*migrate\.config\.ts names: main, analytics\)$/,
      ],
      [
        ['--url', 'sqlite:other.db', 'upgrade', 'head'],
        {},
        /^error: --url names one database: pass --db NAME/,
      ],
      [
        ['upgrade', 'head'],
        { MIG_DATABASE_URL: 'sqlite:other.db' },
        /^error: MIG_DATABASE_URL would replace the URL of every database: unset it, or pass --db NAME/,
      ],
    ]
    for (const [args, env, message] of cases) {
      const run = await mig(dir, args, { env })
      assert.equal(run.code, 1, run.stderr)
      const lines = errorLines(run.stderr)
      assert.equal(lines.length, 1, run.stderr)
      assert.match(lines[0] ?? '', message)
      assert.doesNotMatch(run.stderr, /Target database/)
    }
    assert.ok(!existsSync(join(dir, 'other.db')))
  })

  test('bad config: empty databases, a nested one, a bad name; --db without databases', async () => {
    const before = readFileSync(join(dir, 'migrate.config.ts'), 'utf8')
    try {
      const cases: [string, string, RegExp][] = [
        ['{}', '', /config key 'databases' must be an object naming at least one database/],
        ['{ main: { databases: {} } }', '', /databases\.main cannot hold 'databases' of its own/],
        ["{ 'a b': { url: 'sqlite:x.db' } }", '', /database name 'a b' must be letters, digits/],
        [
          "{ main: { url: 'sqlite:x.db', lock: 'tables' } }",
          '',
          /\(databases\.main\): config key 'lock' must be/,
        ],
      ]
      for (const [databases, extra, message] of cases) {
        writeConfig(databases, extra)
        const run = await mig(dir, ['heads'])
        assert.equal(run.code, 1, run.stderr)
        assert.match(errorLines(run.stderr)[0] ?? '', message)
      }
      writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'db/main' }\n")
      const single = await mig(dir, ['--db', 'main', 'heads'])
      assert.equal(single.code, 1)
      assert.match(
        errorLines(single.stderr)[0] ?? '',
        /--db selects one of the config's 'databases', and .* has none/,
      )
    } finally {
      writeFileSync(join(dir, 'migrate.config.ts'), before)
    }
  })

  test('mig init -t multidb writes a config with two databases and their folders', async () => {
    const fresh = tempProject('mig-fleet-init-')
    try {
      const run = await mig(fresh.dir, ['init', '-t', 'multidb'])
      assert.equal(run.code, 0, run.stderr)
      assert.ok(existsSync(join(fresh.dir, 'migrations/main')))
      assert.ok(existsSync(join(fresh.dir, 'migrations/analytics')))
      const heads = await mig(fresh.dir, ['heads'])
      assert.equal(heads.code, 0, heads.stderr)
      assert.equal(heads.stdout, 'Database main:\nDatabase analytics:\n')
      const listed = await mig(fresh.dir, ['list-templates'])
      assert.match(listed.stdout, /multidb/)
    } finally {
      fresh.cleanup()
    }
  })
})
