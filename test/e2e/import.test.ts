// `mig import` with the real binary: each tool's folder as that tool writes it, a database left
// half-migrated by it (its tracking table written with SQL here), then `--stamp` and
// `mig upgrade head`, with nothing run twice; and the bad input the command refuses.
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS, type DatabaseKind } from '../helpers/e2e-databases.js'
import { mig, ROOT, tempProject } from '../helpers/mig.js'
import { writeConfig } from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

function project(): string {
  const { dir, cleanup } = tempProject('mig-sqlfirst-import-')
  cleanups.push(cleanup)
  writeFileSync(join(dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
  return dir
}

function files(dir: string, tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

const revisionFiles = (dir: string) => readdirSync(join(dir, 'migrations')).sort()

/** Applies a tool's half-migrated state, upgrades through migraph, and checks nothing ran twice. */
async function adopt(
  kind: DatabaseKind,
  dir: string,
  tool: string,
  folder: string,
  state: string,
  check: string,
  reversible = true,
): Promise<void> {
  const db = await kind.create(dir)
  try {
    await db.applyScript(state)
    const imported = await mig(dir, [...db.args, 'import', tool, folder, '--stamp'])
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(imported.stdout, /Stamped [0-9a-f]{12}: the 1 migration\(s\) .* recorded as applied\n$/)
    const status = await mig(dir, [...db.args, 'status'])
    assert.match(status.stdout, /applied 1, pending 1\n$/)
    // The first migration, already applied by the old tool, would fail if run again.
    const up = await mig(dir, [...db.args, 'upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stderr, /\[1\/1\] Running upgrade/)
    await db.applyScript(check)
    const done = await mig(dir, [...db.args, 'status'])
    assert.match(done.stdout, /applied 2, pending 0\n$/)
    // The first revision's downgrade, as the old tool wrote it, runs through migraph.
    const down = await mig(dir, [...db.args, 'downgrade', '-1'])
    if (reversible) assert.equal(down.code, 0, down.stderr)
    else
      assert.match(
        down.stderr,
        /error: cannot downgrade through revision [0-9a-f]{12}: .* so it cannot be undone; nothing was run\n$/,
      )
  } finally {
    await db.drop()
  }
}

const postgresLike = DATABASE_KINDS.filter(
  (kind) => kind.name === 'embedded PGlite' || kind.name === 'PostgreSQL',
)
const sqlite = DATABASE_KINDS.find((kind) => kind.name === 'SQLite') as DatabaseKind

describe('mig import', () => {
  test('kysely: modules that call up(db)/down(db) with op.db; --stamp from kysely_migration', async () => {
    const dir = project()
    symlinkSync(join(ROOT, 'node_modules/kysely'), join(dir, 'node_modules/kysely'), 'dir')
    files(dir, {
      'src/migrations/2024_01_01_person.ts': `import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('person')
    .addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('created_at', 'timestamp', (col) => col.defaultTo(sql\`CURRENT_TIMESTAMP\`).notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('person').execute()
}
`,
      'src/migrations/2024_02_01_pet.ts': `import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('pet').addColumn('id', 'integer', (c) => c.primaryKey()).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pet').execute()
}
`,
    })
    await adopt(
      sqlite,
      dir,
      'kysely',
      'src/migrations',
      `CREATE TABLE person (id integer primary key, created_at timestamp default CURRENT_TIMESTAMP not null);
CREATE TABLE kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null);
INSERT INTO kysely_migration VALUES ('2024_01_01_person', '2024-01-01T00:00:00.000Z');`,
      'INSERT INTO pet (id) VALUES (1);',
    )
    assert.equal(revisionFiles(dir).length, 2)
    assert.ok(revisionFiles(dir).every((name) => name.endsWith('.ts')))
  })

  for (const kind of postgresLike) {
    test(`${kind.name}: pycopg's folder, --stamp from schema_migrations`, async () => {
      const dir = project()
      files(dir, {
        'db/001_create_users.sql':
          '-- UP\nCREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL);\n\n-- DOWN\nDROP TABLE users;\n',
        'db/002_add_email.sql':
          '-- UP\nALTER TABLE users ADD COLUMN email TEXT;\n-- DOWN\nALTER TABLE users DROP COLUMN email;\n',
      })
      await adopt(
        kind,
        dir,
        'pycopg',
        'db',
        `CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
INSERT INTO schema_migrations (version, name) VALUES (1, 'create_users');`,
        "INSERT INTO users (name, email) VALUES ('a', 'a@x');",
      )
    })

    test(`${kind.name}: Septentrion's quickstart from its version folders`, async () => {
      const dir = project()
      files(dir, {
        'migrations-old/1.0/00-author.ddl.sql':
          'CREATE TABLE "author" (\n    "id" serial NOT NULL PRIMARY KEY,\n    "name" varchar(100) NOT NULL,\n    "birth_date" varchar(10) NOT NULL\n);\n',
        'migrations-old/2.0/00-change_birth_date_type.ddl.sql':
          'ALTER TABLE "author"\n    ALTER COLUMN birth_date\n    TYPE DATE USING to_date(birth_date, \'YYYY-MM-DD\');\n',
      })
      await adopt(
        kind,
        dir,
        'septentrion',
        'migrations-old',
        `CREATE TABLE "author" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(100) NOT NULL, "birth_date" varchar(10) NOT NULL);
INSERT INTO author (name, birth_date) VALUES ('Victor Hugo', '1802-02-26');
CREATE TABLE septentrion_migrations (id serial PRIMARY KEY, version text, name text, applied_at timestamp DEFAULT now());
INSERT INTO septentrion_migrations (version, name) VALUES ('1.0', '00-author.ddl.sql');`,
        "DO $$ BEGIN IF (SELECT birth_date FROM author) <> DATE '1802-02-26' THEN RAISE EXCEPTION 'not a date'; END IF; END $$;",
        false,
      )
      const names = revisionFiles(dir)
      assert.match(names[0] ?? '', /_1_0_author\.sql$|_2_0_change_birth_date_type\.sql$/)
    })

    test(`${kind.name}: Migretti's files, with no-transaction, --stamp from _migrations`, async () => {
      const dir = project()
      files(dir, {
        'mg/01HAAAAAAAAAAAAAAAAAAAAAAA_add_users_table.sql':
          '-- migration: Add Users Table\n-- id: 01HAAAAAAAAAAAAAAAAAAAAAAA\n-- migrate: up\nCREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT);\n-- migrate: down\nDROP TABLE users;\n',
        'mg/01HBBBBBBBBBBBBBBBBBBBBBBB_index_users.sql':
          '-- migration: Index Users\n-- id: 01HBBBBBBBBBBBBBBBBBBBBBBB\n-- migrate: no-transaction\n-- migrate: up\nCREATE INDEX CONCURRENTLY idx_users ON users(name);\n',
      })
      await adopt(
        kind,
        dir,
        'migretti',
        'mg',
        `CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT);
CREATE TABLE _migrations (id text PRIMARY KEY, name text, checksum text, applied_at timestamptz DEFAULT now());
INSERT INTO _migrations (id, name) VALUES ('01HAAAAAAAAAAAAAAAAAAAAAAA', 'Add Users Table');`,
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'idx_users') THEN RAISE EXCEPTION 'no index'; END IF; END $$;",
        false,
      )
    })

    test(`${kind.name}: node-pg-migrate's .sql migrations, --stamp from pgmigrations`, async () => {
      const dir = project()
      files(dir, {
        'pgm/1700000000000_init.sql':
          '-- Up Migration\nCREATE TABLE items (id serial PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE items;\n',
        'pgm/1700000000001_price.sql':
          '-- Up Migration\nALTER TABLE items ADD price int;\n-- Down Migration\nALTER TABLE items DROP price;\n',
      })
      await adopt(
        kind,
        dir,
        'node-pg-migrate',
        'pgm',
        `CREATE TABLE items (id serial PRIMARY KEY);
CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
INSERT INTO pgmigrations (name, run_on) VALUES ('1700000000000_init', now());`,
        'INSERT INTO items (price) VALUES (3);',
      )
      const down = await mig(dir, ['--url', 'pglite:memory:', 'downgrade', 'head:base', '--sql'])
      assert.equal(down.code, 0, down.stderr)
      assert.match(down.stdout, /ALTER TABLE items DROP price;[\s\S]*DROP TABLE items;/)
    })

    test(`${kind.name}: node-pg-migrate's JavaScript and TypeScript migrations run through its own builder`, async () => {
      const dir = project()
      symlinkSync(
        join(ROOT, 'node_modules/node-pg-migrate'),
        join(dir, 'node_modules/node-pg-migrate'),
        'dir',
      )
      files(dir, {
        'pgm/1700000000000_init.sql':
          '-- Up Migration\nCREATE TABLE items (id serial PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE items;\n',
        'pgm/1700000000001_price.js': `exports.up = (pgm) => {
  pgm.addColumns('items', { price: { type: 'integer', notNull: true, default: 0 } })
  pgm.sql('INSERT INTO items (price) VALUES (3)')
}

exports.down = (pgm) => {
  pgm.sql('DELETE FROM items')
  pgm.dropColumns('items', ['price'])
}
`,
        // No down: node-pg-migrate reverses up.
        'pgm/1700000000002_by_price.ts': `import type { MigrationBuilder } from 'node-pg-migrate'

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.createIndex('items', 'price', { name: 'items_by_price' })
}
`,
      })
      const db = await kind.create(dir)
      try {
        await db.applyScript(`CREATE TABLE items (id serial PRIMARY KEY);
CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
INSERT INTO pgmigrations (name, run_on) VALUES ('1700000000000_init', now());`)
        const imported = await mig(dir, [...db.args, 'import', 'node-pg-migrate', 'pgm', '--stamp'])
        assert.equal(imported.code, 0, imported.stderr)
        assert.deepEqual(
          revisionFiles(dir)
            .map((name) => name.slice(name.indexOf('_') + 1))
            .sort(),
          ['by_price.ts', 'init.sql', 'price.ts'],
        )
        const offline = await mig(dir, ['--url', 'pglite:memory:', 'upgrade', 'head', '--sql'])
        assert.equal(offline.code, 0, offline.stderr)
        assert.match(
          offline.stdout,
          /ALTER TABLE "items"\s+ADD "price" integer DEFAULT 0 NOT NULL;[\s\S]*CREATE INDEX "items_by_price" ON "items" \("price"\);/,
        )
        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 0, up.stderr)
        assert.match(up.stderr, /\[2\/2\] Running upgrade .*, by_price/)
        await db.applyScript(
          "DO $$ BEGIN IF (SELECT price FROM items) <> 3 OR NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'items_by_price') THEN RAISE EXCEPTION 'not migrated'; END IF; END $$;",
        )
        const down = await mig(dir, [...db.args, 'downgrade', 'base'])
        assert.equal(down.code, 0, down.stderr)
        // Every revision undone, the index by reversing up: the table can be made again.
        await db.applyScript('CREATE TABLE items (id int);')
      } finally {
        await db.drop()
      }
    })
  }

  test("alembic: a database Alembic manages keeps alembic_version as migraph's version table", async () => {
    const { dir, cleanup } = tempProject('mig-sqlfirst-import-')
    cleanups.push(cleanup)
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', url: 'sqlite:app.db', versionTable: 'alembic_version' }\n",
    )
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(dir, 'app.db'))
    // As Alembic's tutorial leaves it: its first revision applied.
    db.exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL);
INSERT INTO alembic_version VALUES ('1975ea83b712');`)
    db.close()
    files(dir, {
      'migrations/1975ea83b712_create_account_table.sql':
        '-- create account table\n-- Revision ID: 1975ea83b712\n-- Revises:\n-- UP\nCREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL);\n-- DOWN\nDROP TABLE account;\n',
      'migrations/ae1027a6acf_add_a_column.sql':
        '-- add a column\n-- Revision ID: ae1027a6acf\n-- Revises: 1975ea83b712\n-- UP\nALTER TABLE account ADD COLUMN last_transaction_date DATETIME;\n-- DOWN\nALTER TABLE account DROP COLUMN last_transaction_date;\n',
    })
    const current = await mig(dir, ['current'])
    assert.equal(current.stdout, '1975ea83b712\n')
    const up = await mig(dir, ['upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stderr, /\[1\/1\] Running upgrade 1975ea83b712 -> ae1027a6acf, add a column/)
    const after = new Database(join(dir, 'app.db'), { readonly: true })
    assert.deepEqual(after.prepare('SELECT version_num FROM alembic_version').all(), [
      { version_num: 'ae1027a6acf' },
    ])
    after.close()
  })

  describe('bad input: one line, nothing written', () => {
    const refuse = async (dir: string, args: string[], message: RegExp) => {
      const run = await mig(dir, args)
      assert.equal(run.code, 1, run.stderr)
      const lines = run.stderr.trim().split('\n')
      assert.match(lines.at(-1) ?? '', /^error: /)
      assert.match(lines.at(-1) ?? '', message)
    }

    test('an unknown tool, a missing folder, an empty folder', async () => {
      const dir = project()
      mkdirSync(join(dir, 'empty'))
      await refuse(
        dir,
        ['import', 'flyway', 'empty'],
        /unknown tool 'flyway' for mig import; known tools: kysely, pycopg, migretti, node-pg-migrate, septentrion, knex, alembic$/,
      )
      await refuse(dir, ['import', 'pycopg', 'nowhere'], /mig import pycopg: folder not found: .*nowhere/)
      await refuse(
        dir,
        ['import', 'pycopg', 'empty'],
        /mig import pycopg: .*empty holds no pycopg migrations/,
      )
      assert.equal(readdirSync(dir).includes('migrations'), false)
    })

    test('a tracking table that lists a file the folder lacks, or skips one', async () => {
      const dir = project()
      writeConfig(dir)
      files(dir, {
        'db/001_a.sql': 'CREATE TABLE a (id int);\n',
        'db/002_b.sql': 'CREATE TABLE b (id int);\n',
      })
      const url = 'sqlite:old.sqlite'
      const db = join(dir, 'old.sqlite')
      const { default: Database } = await import('better-sqlite3')
      const sqliteDb = new Database(db)
      sqliteDb.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT); INSERT INTO schema_migrations VALUES (1, 'a'), (7, 'gone');",
      )
      sqliteDb.close()
      await refuse(
        dir,
        ['--url', url, 'import', 'pycopg', 'db', '--stamp'],
        /schema_migrations records '7' as applied, but db has no such migration; nothing was written/,
      )
      const again = new Database(db)
      again.exec("DELETE FROM schema_migrations; INSERT INTO schema_migrations VALUES (2, 'b');")
      again.close()
      await refuse(
        dir,
        ['--url', url, 'import', 'pycopg', 'db', '--stamp'],
        /schema_migrations records later migrations as applied but not 001_a\.sql/,
      )
      await refuse(
        dir,
        ['--url', url, 'import', 'pycopg', 'db', '--stamp', '--table', 'pycopg_log'],
        /the database has no table pycopg_log, where pycopg records what it applied/,
      )
      assert.deepEqual(revisionFiles(dir), [])
    })
  })
})
