// The Alembic tutorial, followed with the real `mig` binary in a fresh project: init, revision,
// edit, upgrade head, current, a second revision, history, downgrade -1, downgrade base and
// upgrade head again, checking the schema through the database itself at each step.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { mig, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'
import { createPostgresDatabase, POSTGRES_URL } from '../helpers/servers.js'

interface Target {
  readonly name: string
  /** Extra environment for every `mig` call. */
  env(): Record<string, string>
  prepare(dir: string): Promise<void>
  columns(dir: string, table: string): Promise<string[]>
  dispose(): Promise<void>
}

const ACCOUNT_UPGRADE = `await op.createTable('account', (t) =>
    t
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(50)', (c) => c.notNull())
      .addColumn('description', 'varchar(200)'),
  )`

function pgliteTarget(): Target {
  return {
    name: 'embedded PGlite',
    env: () => ({}),
    prepare: (dir) => freshPgliteDir(join(dir, '.migraph/pglite')),
    columns: async (dir, table) => {
      const db = new PGlite(join(dir, '.migraph/pglite'))
      try {
        const result = await db.query<{ column_name: string }>(
          'select column_name from information_schema.columns where table_name = $1 order by ordinal_position',
          [table],
        )
        return result.rows.map((r) => r.column_name)
      } finally {
        await db.close()
      }
    },
    dispose: async () => {},
  }
}

function postgresTarget(serverUrl: string): Target {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined
  return {
    name: 'PostgreSQL',
    env: () => ({ MIG_DATABASE_URL: database?.url ?? '' }),
    prepare: async () => {
      database = await createPostgresDatabase(serverUrl, 'mig_tutorial')
    },
    columns: async (_dir, table) => {
      const client = new pg.Client({ connectionString: database?.url })
      await client.connect()
      try {
        const result = await client.query<{ column_name: string }>(
          'select column_name from information_schema.columns where table_name = $1 order by ordinal_position',
          [table],
        )
        return result.rows.map((r) => r.column_name)
      } finally {
        await client.end()
      }
    },
    dispose: async () => {
      await database?.drop()
    },
  }
}

const targets: Target[] = [pgliteTarget()]
if (POSTGRES_URL !== undefined) targets.push(postgresTarget(POSTGRES_URL))

for (const target of targets) {
  describe(`the tutorial on ${target.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    const run = (...args: string[]) => mig(dir, args, { env: target.env() })

    before(() => target.prepare(dir))
    after(async () => {
      await target.dispose()
      project.cleanup()
    })

    let first = ''
    let second = ''

    test('init writes migrate.config.ts and an empty migrations folder', async () => {
      const result = await run('init')
      assert.equal(result.code, 0, result.stderr)
      assert.match(readFileSync(join(dir, 'migrate.config.ts'), 'utf8'), /defineConfig/)
      const again = await run('init')
      assert.notEqual(again.code, 0)
      assert.match(again.stderr, /^error: .*migrate\.config\.ts already exists/m)
    })

    test('revision -m writes <12 hex>_create_account_table.ts after no head', async () => {
      const result = await run('revision', '-m', 'create account table')
      assert.equal(result.code, 0, result.stderr)
      const path = /Generating (\S+)/.exec(result.stdout)?.[1] ?? ''
      assert.match(basename(path), /^[0-9a-f]{12}_create_account_table\.ts$/)
      first = basename(path).slice(0, 12)
      const source = readFileSync(path, 'utf8')
      assert.match(source, new RegExp(`export const revision = '${first}'`))
      assert.match(source, /export const downRevision: string \| readonly string\[\] \| null = null/)
      writeFileSync(
        path,
        source
          .replace(/\/\/ your upgrade steps.*/, ACCOUNT_UPGRADE)
          .replace(/\/\/ undo upgrade.*/, "await op.dropTable('account')"),
      )
    })

    test('upgrade head creates the table and reports the step on stderr', async () => {
      const result = await run('upgrade', 'head')
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, '')
      assert.match(result.stderr, new RegExp(`Running upgrade  -> ${first}, create account table \\(\\d`))
      assert.deepEqual(await target.columns(dir, 'account'), ['id', 'name', 'description'])
    })

    test('current shows the head', async () => {
      const result = await run('current')
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, `${first} (head)\n`)
    })

    test('a second revision follows the first', async () => {
      const result = await run('revision', '-m', 'Add a column')
      assert.equal(result.code, 0, result.stderr)
      const path = /Generating (\S+)/.exec(result.stdout)?.[1] ?? ''
      assert.match(basename(path), /^[0-9a-f]{12}_add_a_column\.ts$/)
      second = basename(path).slice(0, 12)
      const source = readFileSync(path, 'utf8')
      assert.match(source, new RegExp(`downRevision: string \\| readonly string\\[\\] \\| null = '${first}'`))
      writeFileSync(
        path,
        source
          .replace(
            /\/\/ your upgrade steps.*/,
            "await op.addColumn('account', 'last_transaction_date', 'timestamp')",
          )
          .replace(/\/\/ undo upgrade.*/, "await op.dropColumn('account', 'last_transaction_date')"),
      )
      const upgrade = await run('upgrade', 'head')
      assert.equal(upgrade.code, 0, upgrade.stderr)
      assert.match(upgrade.stderr, new RegExp(`Running upgrade ${first} -> ${second}, Add a column`))
      assert.deepEqual(await target.columns(dir, 'account'), [
        'id',
        'name',
        'description',
        'last_transaction_date',
      ])
    })

    test('history lists newest first in Alembic format', async () => {
      const result = await run('history')
      assert.equal(result.code, 0, result.stderr)
      assert.equal(
        result.stdout,
        `${first} -> ${second} (head), Add a column\n<base> -> ${first}, create account table\n`,
      )
      const ranged = await run('history', '-r-1:current')
      assert.equal(ranged.code, 0, ranged.stderr)
      assert.equal(
        ranged.stdout,
        `${first} -> ${second} (head), Add a column\n<base> -> ${first}, create account table\n`,
      )
    })

    test('downgrade -1 drops the column, downgrade base drops the table', async () => {
      const down = await run('downgrade', '-1')
      assert.equal(down.code, 0, down.stderr)
      assert.match(down.stderr, new RegExp(`Running downgrade ${second} -> ${first}, Add a column`))
      assert.deepEqual(await target.columns(dir, 'account'), ['id', 'name', 'description'])
      assert.equal((await run('current')).stdout, `${first}\n`)
      const base = await run('downgrade', 'base')
      assert.equal(base.code, 0, base.stderr)
      assert.deepEqual(await target.columns(dir, 'account'), [])
      assert.equal((await run('current')).stdout, '')
    })

    test('upgrade by partial id, then +1, reaches the head again', async () => {
      const partial = await run('upgrade', first.slice(0, 4))
      assert.equal(partial.code, 0, partial.stderr)
      assert.equal((await run('current')).stdout, `${first}\n`)
      const relative = await run('upgrade', '+1')
      assert.equal(relative.code, 0, relative.stderr)
      assert.equal((await run('current')).stdout, `${second} (head)\n`)
    })

    test('an unknown revision is one clear line, a non-zero exit, and changes nothing', async () => {
      const result = await run('upgrade', 'deadbeef0000')
      assert.equal(result.code, 1)
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
      assert.match(result.stderr, /^error: .*deadbeef0000/)
      assert.equal((await run('current')).stdout, `${second} (head)\n`)
    })
  })
}
