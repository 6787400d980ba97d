// `mig revision --autogenerate`, `mig diff` and `mig check --schema` as a user runs them, on the
// embedded PGlite and on SQLite: the declared schema in schema.sql, the real `mig` binary.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { mig, tempProject } from '../helpers/mig.ts'
import { createPostgresDatabase, MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.ts'

interface Kind {
  readonly name: string
  /** The project's database URL; server kinds create a database for it. */
  url(): Promise<string>
  /** Runs SQL on the project's database with the database's own library (mig not running). */
  exec(dir: string, sql: string, url: string): Promise<void>
}

const dropped: (() => Promise<void>)[] = []

const SERVER_KINDS: Kind[] = []
if (POSTGRES_URL !== undefined) {
  const server = POSTGRES_URL
  SERVER_KINDS.push({
    name: 'PostgreSQL',
    url: async () => {
      const db = await createPostgresDatabase(server, 'mig_schema_e2e')
      dropped.push(db.drop)
      return db.url
    },
    exec: async (_dir, sql, url) => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(sql)
      } finally {
        await client.end()
      }
    },
  })
}
if (MYSQL_URL !== undefined) {
  const server = MYSQL_URL
  SERVER_KINDS.push({
    name: 'MariaDB',
    url: async () => {
      const name = `mig_schema_e2e_${randomBytes(4).toString('hex')}`
      const admin = await mysql.createConnection(server)
      await admin.query(`create database ${name}`)
      await admin.end()
      dropped.push(async () => {
        const again = await mysql.createConnection(server)
        await again.query(`drop database if exists ${name}`)
        await again.end()
      })
      return withDatabase(server, name)
    },
    exec: async (_dir, sql, url) => {
      const client = await mysql.createConnection(url)
      try {
        await client.query(sql)
      } finally {
        await client.end()
      }
    },
  })
}

const KINDS: readonly Kind[] = [
  ...SERVER_KINDS,
  {
    name: 'SQLite',
    url: async () => 'sqlite:app.db',
    exec: async (dir, sql) => {
      const db = new Database(join(dir, 'app.db'))
      try {
        db.exec(sql)
      } finally {
        db.close()
      }
    },
  },
  {
    name: 'embedded PGlite',
    url: async () => 'pglite:pgdata',
    exec: async (dir, sql) => {
      const db = new PGlite(join(dir, 'pgdata'))
      try {
        await db.exec(sql)
      } finally {
        await db.close()
      }
    },
  },
]

const SCHEMA_V1 = `-- the application's tables
create table account (
  id integer primary key,
  email varchar(200) not null,
  constraint account_email_key unique (email)
);
create index account_email_idx on account (email);
`

const SCHEMA_V2 = `${SCHEMA_V1}
create table invoice (
  id integer primary key,
  account_id integer not null,
  total numeric(10, 2) not null default 0,
  constraint invoice_account_id_fkey foreign key (account_id) references account (id) on delete cascade
);
`

const projects: (() => void)[] = []
after(async () => {
  for (const cleanup of projects) cleanup()
  for (const drop of dropped) await drop()
})

async function project(kind: Kind, schema: string): Promise<{ dir: string; url: string }> {
  const { dir, cleanup } = tempProject('mig-autogen-')
  projects.push(cleanup)
  const url = await kind.url()
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    `export default { url: ${JSON.stringify(url)}, migrations: 'migrations', schema: 'schema.sql' }\n`,
  )
  writeFileSync(join(dir, 'schema.sql'), schema)
  mkdirSync(join(dir, 'migrations'))
  return { dir, url }
}

const revisions = (dir: string) => readdirSync(join(dir, 'migrations')).filter((f) => f.endsWith('.ts'))

for (const kind of KINDS) {
  describe(`schema commands on ${kind.name}`, () => {
    test('autogenerate, upgrade, check --schema, then nothing left; a second change and its downgrade', async () => {
      const { dir } = await project(kind, SCHEMA_V1)
      const first = await mig(dir, ['revision', '--autogenerate', '-m', 'initial tables'])
      assert.equal(first.code, 0, first.stderr)
      assert.match(first.stdout, /Generating .*initial_tables\.ts \.\.\. {2}done/)
      const source = readFileSync(join(dir, 'migrations', revisions(dir)[0] as string), 'utf8')
      assert.match(source, /await op\.createTable\('account'/)
      assert.match(source, /await op\.createIndex\('account_email_idx', 'account', \['email'\]\)/)
      assert.match(source, /destructive: drops table account/)

      const up = await mig(dir, ['upgrade', 'head'])
      assert.equal(up.code, 0, up.stderr)
      const checked = await mig(dir, ['check', '--schema'])
      assert.equal(checked.code, 0, checked.stderr)
      assert.match(checked.stdout, /schema as declared/)
      const types = await mig(dir, ['schema', 'types', 'db-types.ts'])
      assert.equal(types.code, 0, types.stderr)
      const typesSource = readFileSync(join(dir, 'db-types.ts'), 'utf8')
      assert.match(typesSource, /export interface Database \{\n {2}account: Account\n\}/)
      assert.match(typesSource, / {2}email: string\n/)

      const again = await mig(dir, ['revision', '--autogenerate', '-m', 'nothing'])
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stdout, /^No changes in schema detected\.$/m)
      assert.equal(revisions(dir).length, 1, 'no file written')

      writeFileSync(join(dir, 'schema.sql'), SCHEMA_V2)
      const diff = await mig(dir, ['diff'])
      assert.equal(diff.code, 0, diff.stderr)
      assert.match(diff.stdout, /^\+ table invoice$/m)
      const sqlText = await mig(dir, ['diff', '--sql'])
      assert.equal(sqlText.code, 0, sqlText.stderr)
      assert.match(sqlText.stdout, /create table ["`]invoice["`]/)

      const second = await mig(dir, ['revision', '--autogenerate', '-m', 'invoices'])
      assert.equal(second.code, 0, second.stderr)
      assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
      assert.equal((await mig(dir, ['check', '--schema'])).code, 0)

      const down = await mig(dir, ['downgrade', '-1'])
      assert.equal(down.code, 0, down.stderr)
      writeFileSync(join(dir, 'schema.sql'), SCHEMA_V1)
      const back = await mig(dir, ['check', '--schema'])
      assert.equal(back.code, 7, 'the second revision is pending again')
      const atFirst = await mig(dir, ['diff', '--rename', 'x:y'])
      assert.equal(atFirst.code, 1)
      assert.match(atFirst.stderr, /Target database is not up to date/)
    })

    test('--shadow starts from the schema the revisions produce; the database stays as it is', async () => {
      const { dir, url } = await project(kind, SCHEMA_V1)
      const first = await mig(dir, ['revision', '--autogenerate', '-m', 'initial tables'])
      assert.equal(first.code, 0, first.stderr)
      if (!url.includes('://')) {
        // An embedded database not created yet: compared with what the revisions produce, and said.
        const fresh = await mig(dir, ['diff'])
        assert.equal(fresh.code, 0, fresh.stderr)
        assert.match(fresh.stderr, /does not exist yet: comparing with the schema the revisions produce/)
        assert.match(fresh.stdout, /No changes in schema detected/)
      }
      assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
      assert.equal((await mig(dir, ['downgrade', 'base'])).code, 0)
      writeFileSync(join(dir, 'schema.sql'), SCHEMA_V2)
      // The database is at base: without --shadow, refused as Alembic does.
      const refused = await mig(dir, ['diff'])
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /Target database is not up to date/)
      const diff = await mig(dir, ['diff', '--shadow'])
      assert.equal(diff.code, 0, diff.stderr)
      assert.match(diff.stdout, /^\+ table invoice$/m)
      assert.doesNotMatch(diff.stdout, /table account/)
      const second = await mig(dir, ['revision', '--autogenerate', '--shadow', '-m', 'invoices'])
      assert.equal(second.code, 0, second.stderr)
      assert.equal(revisions(dir).length, 2)
      const source = readFileSync(
        join(dir, 'migrations', revisions(dir).find((f) => f.includes('invoices')) as string),
        'utf8',
      )
      assert.match(source, /await op\.createTable\('invoice'/)
      assert.doesNotMatch(source, /createTable\('account'/)
      // Nothing was written to the database: it is still empty, and both revisions apply.
      const up = await mig(dir, ['upgrade', 'head'])
      assert.equal(up.code, 0, up.stderr)
      assert.equal((await mig(dir, ['check', '--schema'])).code, 0)
    })

    test('check --schema catches a column added by hand, and diff names it', async () => {
      const { dir, url } = await project(kind, SCHEMA_V1)
      assert.equal((await mig(dir, ['revision', '--autogenerate', '-m', 'initial'])).code, 0)
      assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
      await kind.exec(dir, 'alter table account add column hotfix text', url)
      const checked = await mig(dir, ['check', '--schema'])
      assert.equal(checked.code, 9, checked.stderr)
      assert.match(checked.stdout, /^- column account\.hotfix \(destructive: drops its values\)$/m)
      assert.match(checked.stderr, /differs from the declared schema/)
      const json = await mig(dir, ['check', '--schema', '--json'])
      assert.equal(json.code, 9)
      assert.equal(JSON.parse(json.stdout).ok, false)
    })

    test('without a declared schema, check --schema compares the database with what its revisions build', async () => {
      const { dir, url } = await project(kind, SCHEMA_V1)
      writeFileSync(
        join(dir, 'migrate.config.ts'),
        `export default { url: ${JSON.stringify(url)}, migrations: 'migrations' }\n`,
      )
      writeFileSync(
        join(dir, 'migrations', 'aaaaaaaaaaaa_account.ts'),
        `export const revision = 'aaaaaaaaaaaa'
export const downRevision = null
export async function upgrade(op) {
  await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('email', 'varchar(200)'))
}
export async function downgrade(op) {
  await op.dropTable('account')
}
`,
      )
      assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
      const clean = await mig(dir, ['check', '--schema'])
      assert.equal(clean.code, 0, clean.stderr)
      assert.match(clean.stdout, /schema as its revisions build it/)
      await kind.exec(dir, 'alter table account add column hotfix integer', url)
      const drifted = await mig(dir, ['check', '--schema'])
      assert.equal(drifted.code, 9, drifted.stderr)
      assert.match(drifted.stdout, /^\+ column account\.hotfix/m)
      assert.match(
        drifted.stderr,
        /^error: the database schema differs from what its revisions produce in 1 place\(s\)/m,
      )
    })

    test('refusals write nothing: pending revisions, a declared schema that does not load', async () => {
      const { dir } = await project(kind, SCHEMA_V1)
      assert.equal((await mig(dir, ['revision', '--autogenerate', '-m', 'initial'])).code, 0)
      // The database exists, at base (one that does not exist is compared as the revisions build it).
      assert.equal((await mig(dir, ['ensure-version'])).code, 0)
      const pending = await mig(dir, ['revision', '--autogenerate', '-m', 'more'])
      assert.equal(pending.code, 1)
      assert.match(pending.stderr, /Target database is not up to date: it is at base/)
      assert.equal(revisions(dir).length, 1)

      assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
      writeFileSync(join(dir, 'schema.sql'), `${SCHEMA_V1}\ncreate tabel oops (id integer);\n`)
      const broken = await mig(dir, ['revision', '--autogenerate', '-m', 'broken'])
      assert.equal(broken.code, 1)
      assert.match(broken.stderr, /schema\.sql:9: the declared schema does not load: .*/)
      assert.equal(broken.stderr.trim().split('\n').length, 1, 'one line')
      assert.equal(revisions(dir).length, 1)
    })
  })
}
