// `upgrade --dry-run` through the real `mig` on every database: each transactional revision runs
// inside a transaction that is rolled back, a non-transactional one is listed and not run, a
// failing one is reported; the catalog and the version table are byte-identical afterwards.
// MySQL/MariaDB, whose DDL commits implicitly, refuse it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

for (const kind of DATABASE_KINDS) {
  describe(`dry run on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const run = (...args: string[]) => mig(dir, [...db.args, ...args])
    const snapshot = async () => JSON.stringify({ schema: await db.schema(), versions: await db.versions() })

    before(async () => {
      writeConfig(dir)
      writeRevision(dir, 'migrations', {
        id: 'a1',
        message: 'dry account',
        upgrade: [
          "await op.createTable('dry_account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))",
          "await op.bulkInsert('dry_account', [{ id: 1 }])",
        ],
        downgrade: ["await op.dropTable('dry_account')"],
      })
      writeRevision(dir, 'migrations', {
        id: 'b1',
        down: 'a1',
        message: 'outside a transaction',
        preamble: 'export const transactional = false',
        upgrade: ["await op.createTable('dry_outside', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('dry_outside')"],
      })
      writeRevision(dir, 'migrations', {
        id: 'c1',
        down: 'b1',
        message: 'dry index',
        upgrade: ["await op.createIndex('dry_account_id', 'dry_account', ['id'])"],
        downgrade: ["await op.dropIndex('dry_account_id', { table: 'dry_account' })"],
      })
      writeRevision(dir, 'migrations', {
        id: 'd1',
        down: 'c1',
        message: 'broken',
        upgrade: ["await op.addColumn('no_such_table', 'x', 'integer')"],
      })
      db = await kind.create(dir)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('--dry-run together with --sql is an error', async () => {
      const result = await run('upgrade', 'head', '--dry-run', '--sql')
      assert.equal(result.code, 1)
      assert.match(result.stderr, /^error: --dry-run and --sql cannot be combined/)
      assert.equal(result.stdout, '')
    })

    if (!kind.transactionalDDL) {
      test('refused where DDL commits implicitly, suggesting --sql; nothing changed', async () => {
        const before = await snapshot()
        const result = await run('upgrade', 'c1', '--dry-run')
        assert.equal(result.code, 1)
        assert.match(
          result.stderr,
          /--dry-run cannot rehearse on MySQL\/MariaDB: its DDL commits implicitly.*use --sql/,
        )
        assert.equal(await snapshot(), before)
      })
      return
    }

    test('from base: each step reported, the non-transactional one listed; nothing changed', async () => {
      const before = await snapshot()
      const result = await run('upgrade', 'c1', '--dry-run')
      assert.equal(result.code, 0, result.stderr)
      const lines = result.stdout.split('\n')
      assert.equal(lines[0], 'Dry run: 3 steps, all rolled back')
      assert.match(lines[1] as string, /^ {2}ok {7}upgrade {2}-> a1, dry account \(.+\)$/)
      assert.equal(
        lines[2],
        '  skipped  upgrade a1 -> b1, outside a transaction: transactional = false, listed but not run',
      )
      assert.match(lines[3] as string, /^ {2}ok {7}upgrade b1 -> c1, dry index \(.+\)$/)
      assert.equal(await snapshot(), before)
      assert.equal(await db.versions(), null, 'the version table was not even created')
    })

    test('a failing revision is named with its error, exit 1; nothing changed', async () => {
      assert.equal((await run('upgrade', 'a1')).code, 0)
      const before = await snapshot()
      const result = await run('upgrade', 'head', '--dry-run', '--json')
      assert.equal(result.code, 1)
      const [document] = result.stdout.split('\n{')
      const report = JSON.parse(document as string)
      assert.deepEqual(
        report.dryRun.map((s: { revision: string; outcome: string }) => [s.revision, s.outcome]),
        [
          ['b1', 'skipped'],
          ['c1', 'ok'],
          ['d1', 'failed'],
        ],
      )
      assert.match(report.dryRun[2].error, /revision d1 upgrade\(\) failed/)
      assert.match(
        result.stderr,
        /^error: dry run: revision d1 would fail \(.*\); everything was rolled back\n$/,
      )
      assert.equal(await snapshot(), before)
      assert.deepEqual(await db.versions(), ['a1'])
    })
  })
}
