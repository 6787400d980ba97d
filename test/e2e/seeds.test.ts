// `mig seed` through the real `mig` on every database: seed files (TS modules exporting
// `seed(db)`, and `.sql`) run in name order, each in a transaction; a throwing seed is rolled back
// and stops the run; `seeds` can differ per environment; the version table is never touched.
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'

const tsSeed = (ids: readonly number[], fail = false) => `import type { Kysely } from 'migraph'
export async function seed(db: Kysely<any>): Promise<void> {
  await db.insertInto('seed_t').values(${JSON.stringify(ids.map((id) => ({ id })))}).execute()
  ${fail ? "throw new Error('seed data is wrong')" : ''}
}
`

for (const kind of DATABASE_KINDS) {
  describe(`seeds on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const run = (...args: string[]) => mig(dir, [...db.args, ...args])
    /** The ids in seed_t, sorted, read through a one-off revision-free query. */
    const ids = async () => {
      const result = await run('seed', '-c', 'count.config.ts', '--json')
      assert.equal(result.code, 0, result.stderr)
      const file = join(dir, 'ids.json')
      const { readFileSync } = await import('node:fs')
      return JSON.parse(readFileSync(file, 'utf8')) as number[]
    }

    before(async () => {
      writeFileSync(
        join(dir, 'migrate.config.ts'),
        "export default { environments: { staging: { seeds: ['seeds', 'seeds-staging'] } } }\n",
      )
      // A second config whose one seed writes the table's ids to ids.json (and changes nothing).
      writeFileSync(join(dir, 'count.config.ts'), "export default { seeds: 'count-seeds' }\n")
      mkdirSync(join(dir, 'count-seeds'))
      writeFileSync(
        join(dir, 'count-seeds', 'count.ts'),
        `import { writeFileSync } from 'node:fs'
export async function seed(db: any) {
  const rows = await db.selectFrom('seed_t').select('id').orderBy('id').execute()
  writeFileSync(${JSON.stringify(join(dir, 'ids.json'))}, JSON.stringify(rows.map((r: any) => Number(r.id))))
}
`,
      )
      writeRevision(dir, 'migrations', {
        id: 'a1',
        message: 'seed table',
        upgrade: [
          "await op.createTable('seed_t', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))",
        ],
        downgrade: ["await op.dropTable('seed_t')"],
      })
      db = await kind.create(dir)
      assert.equal((await run('upgrade', 'head')).code, 0)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('seed create writes a TS seed and a .sql seed', async () => {
      const ts = await run('seed', 'create', 'first rows')
      assert.equal(ts.code, 0, ts.stderr)
      assert.match(ts.stdout, /^Generating .*[/\\]seeds[/\\]\d{14}_first_rows\.ts \.\.\. {2}done\n$/)
      const sql = await run('seed', 'create', 'more rows', '--sql')
      assert.match(sql.stdout, /_more_rows\.sql \.\.\. {2}done\n$/)
      assert.equal(readdirSync(join(dir, 'seeds')).length, 2)
      // The generated seeds run as written (they insert nothing).
      const result = await run('seed')
      assert.equal(result.code, 0, result.stderr)
      for (const file of readdirSync(join(dir, 'seeds'))) {
        const { rmSync } = await import('node:fs')
        rmSync(join(dir, 'seeds', file))
      }
    })

    test('seeds run in name order, TS and SQL, and never touch the version table', async () => {
      writeFileSync(join(dir, 'seeds', '01_first.ts'), tsSeed([1, 2]))
      writeFileSync(
        join(dir, 'seeds', '02_second.sql'),
        '-- two rows\nINSERT INTO seed_t (id) VALUES (3);\nINSERT INTO seed_t (id) VALUES (4);\n',
      )
      const result = await run('seed', '--json')
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(
        JSON.parse(result.stdout).seeds.map((s: { file: string }) => s.file.replaceAll('\\', '/')),
        ['seeds/01_first.ts', 'seeds/02_second.sql'],
      )
      assert.deepEqual(await ids(), [1, 2, 3, 4])
      assert.deepEqual(await db.versions(), ['a1'])
    })

    test('a seed that throws is rolled back and stops the run; exit 1', async () => {
      writeFileSync(join(dir, 'seeds', '01_first.ts'), tsSeed([10]))
      writeFileSync(join(dir, 'seeds', '02_second.sql'), 'INSERT INTO seed_t (id) VALUES (11);\n')
      writeFileSync(join(dir, 'seeds', '03_broken.ts'), tsSeed([12], true))
      writeFileSync(join(dir, 'seeds', '04_never.sql'), 'INSERT INTO seed_t (id) VALUES (13);\n')
      const result = await run('seed')
      assert.equal(result.code, 1)
      assert.match(
        result.stderr,
        /error: seed seeds[/\\]03_broken\.ts failed: seed data is wrong; its transaction was rolled back and the run stopped \(seeds applied before it: seeds[/\\]01_first\.ts, seeds[/\\]02_second\.sql\)\n$/,
      )
      assert.deepEqual(await ids(), [1, 2, 3, 4, 10, 11])
      assert.deepEqual(await db.versions(), ['a1'])
    })

    test('an environment profile adds its own seed folder', async () => {
      const { rmSync } = await import('node:fs')
      for (const file of readdirSync(join(dir, 'seeds'))) rmSync(join(dir, 'seeds', file))
      mkdirSync(join(dir, 'seeds-staging'))
      // Re-runnable, as seeds usually are: it runs in both runs below.
      writeFileSync(
        join(dir, 'seeds', '01_everywhere.sql'),
        'DELETE FROM seed_t WHERE id = 20;\nINSERT INTO seed_t (id) VALUES (20);\n',
      )
      writeFileSync(
        join(dir, 'seeds-staging', '02_staging_only.sql'),
        'INSERT INTO seed_t (id) VALUES (21);\n',
      )
      assert.equal((await run('seed')).code, 0)
      assert.deepEqual((await ids()).slice(-1), [20])
      const staging = await run('--env', 'staging', 'seed')
      assert.equal(staging.code, 0, staging.stderr)
      assert.match(staging.stderr, /Running seed seeds-staging[/\\]02_staging_only\.sql/)
      assert.deepEqual((await ids()).slice(-2), [20, 21])
      assert.deepEqual(await db.versions(), ['a1'])
    })
  })
}
