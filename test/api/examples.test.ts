// The README's programmatic examples run as written (they are type-checked with the tests).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import Database from 'better-sqlite3'
import { migrateFleet } from '../../examples/api/fleet-loop.ts'
import setup from '../../examples/api/test-setup.ts'
import { writeRevision } from '../helpers/project-files.ts'

const dir = mkdtempSync(join(tmpdir(), 'mig-fleet-examples-'))
after(() => rmSync(dir, { recursive: true, force: true }))
writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
writeRevision(dir, 'migrations', {
  id: 'aaa111',
  message: 'create notes',
  upgrade: [`await op.createTable('notes', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
  downgrade: [`await op.dropTable('notes')`],
})
writeRevision(dir, 'migrations', {
  id: 'bbb222',
  down: 'aaa111',
  message: 'create tags',
  upgrade: [`await op.createTable('tags', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
  downgrade: [`await op.dropTable('tags')`],
})

test('the fleet loop migrates every tenant, reports the failures, and resumes', async () => {
  const tenant = (name: string) => {
    const file = join(dir, `${name}.db`)
    new Database(file).close()
    return `sqlite:${file}`
  }
  const tenants = {
    acme: tenant('acme'),
    globex: tenant('globex'),
    initech: tenant('initech'),
    // Its second revision fails: someone created `tags` by hand.
    umbrella: tenant('umbrella'),
    // Its database file is missing.
    vandelay: `sqlite:${join(dir, 'missing', 'vandelay.db')}`,
  }
  const umbrella = new Database(join(dir, 'umbrella.db'))
  umbrella.exec('create table tags (id integer)')
  umbrella.close()
  const config = join(dir, 'migrate.config.ts')
  const first = await migrateFleet(tenants, { parallel: 2, config })
  assert.deepEqual(
    first.map((r) => [r.tenant, r.from, r.to, r.result]),
    [
      ['acme', 'base', 'bbb222', 'ok'],
      ['globex', 'base', 'bbb222', 'ok'],
      ['initech', 'base', 'bbb222', 'ok'],
      ['umbrella', 'base', '?', 'migration-failed'],
      ['vandelay', '?', '?', 'database-not-found'],
    ],
  )
  // Rerun: the tenants that finished have nothing to do; umbrella resumes after its first revision.
  const second = await migrateFleet(tenants, { parallel: 2, config })
  assert.deepEqual(
    second.map((r) => [r.tenant, r.from, r.result]),
    [
      ['acme', 'bbb222', 'ok'],
      ['globex', 'bbb222', 'ok'],
      ['initech', 'bbb222', 'ok'],
      ['umbrella', 'aaa111', 'migration-failed'],
      ['vandelay', '?', 'database-not-found'],
    ],
  )
})

test('the test-suite set-up migrates, and its teardown reverts', async () => {
  const previous = process.cwd()
  process.chdir(dir)
  try {
    const url = `sqlite:${join(dir, 'suite.db')}`
    const teardown = await setup(url)
    const db = new Database(join(dir, 'suite.db'))
    const tables = () =>
      db
        .prepare(
          "select name from sqlite_master where type = 'table' and name in ('notes', 'tags') order by name",
        )
        .all()
        .map((row) => (row as { name: string }).name)
    assert.deepEqual(tables(), ['notes', 'tags'])
    await teardown()
    assert.deepEqual(tables(), [])
    db.close()
  } finally {
    process.chdir(previous)
  }
})

test('the README quotes each example as it is', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8')
  for (const file of ['app-startup.ts', 'test-setup.ts', 'fleet-loop.ts']) {
    const source = readFileSync(join(import.meta.dirname, '../../examples/api', file), 'utf8')
    assert.ok(readme.includes(`\`\`\`ts\n${source}\`\`\``), `README.md quotes examples/api/${file}`)
  }
})
