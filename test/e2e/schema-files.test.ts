// `mig schema dump`, `mig schema types` and the config's `typesOut`, through the real binary, on
// the embedded database and SQLite (PostgreSQL and MariaDB when their URL variables are set).
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'
import { MYSQL_URL, POSTGRES_URL } from '../helpers/servers.js'

const A = 'aaaaaaaaaaaa'
const B = 'bbbbbbbbbbbb'

interface Kind {
  readonly name: string
  /** The config's `url` line, or none for the embedded default. */
  readonly url?: string
  readonly dialect: string
}

const KINDS: Kind[] = [
  { name: 'pglite', dialect: 'postgres' },
  { name: 'sqlite', url: 'sqlite:app.db', dialect: 'sqlite' },
]
if (POSTGRES_URL !== undefined) KINDS.push({ name: 'postgres', url: POSTGRES_URL, dialect: 'postgres' })
if (MYSQL_URL !== undefined) KINDS.push({ name: 'mariadb', url: MYSQL_URL, dialect: 'mysql' })

function project(kind: Kind, extra = '') {
  const made = tempProject(`mig-schema-files-${kind.name}-`)
  const url = kind.url === undefined ? '' : `url: ${JSON.stringify(kind.url)}, `
  writeFileSync(
    join(made.dir, 'migrate.config.ts'),
    `export default { ${url}migrations: 'migrations', versionTable: 'v_${kind.name}_${process.pid}'${extra} }\n`,
  )
  writeRevision(made.dir, 'migrations', {
    id: A,
    message: 'account',
    upgrade: [
      "await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('email', 'varchar(200)', (c) => c.notNull()))",
    ],
    downgrade: ["await op.dropTable('account')"],
  })
  writeRevision(made.dir, 'migrations', {
    id: B,
    down: A,
    message: 'name',
    upgrade: ["await op.addColumn('account', 'full_name', 'varchar(100)')"],
    downgrade: ["await op.dropColumn('account', 'full_name')"],
  })
  return made
}

for (const kind of KINDS) {
  describe(`schema files on ${kind.name}`, () => {
    const cleanups: (() => Promise<void> | void)[] = []
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup()
    })

    test('mig schema dump writes the schema the revisions produce, headed by the heads, touching no database', async () => {
      const made = project(kind)
      cleanups.push(made.cleanup)
      const result = await mig(made.dir, ['schema', 'dump', 'db/schema.sql'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`^Wrote db/schema.sql \\(schema at ${B}\\)\\n$`))
      const text = readFileSync(join(made.dir, 'db/schema.sql'), 'utf8')
      assert.match(
        text,
        new RegExp(`^-- migraph schema dump: .*\\n-- Heads: ${B}\\n-- Dialect: ${kind.dialect}\\n`),
      )
      assert.match(text, /create table [`"]account[`"]/)
      assert.match(text, /[`"]full_name[`"] (varchar|character varying)\(100\)/i)
      assert.doesNotMatch(text, new RegExp(`v_${kind.name}`), 'the version table is not part of the schema')
      // The configured database was not created, nor written.
      assert.equal(existsSync(join(made.dir, '.migraph')), false)
      assert.equal(existsSync(join(made.dir, 'app.db')), false)
      const again = await mig(made.dir, ['schema', 'dump'])
      assert.equal(again.code, 0, again.stderr)
      assert.equal(`${again.stdout}`, text, 'the same text on stdout, every time')
    })

    test('mig schema types --from-database needs the database at the heads; typesOut follows upgrade and downgrade', async () => {
      const made = project(kind, ", typesOut: 'src/db.ts'")
      cleanups.push(made.cleanup)
      const refused = await mig(made.dir, ['schema', 'types', '--from-database'])
      assert.equal(refused.code, 1)
      assert.match(
        refused.stderr,
        /^error: Target database is not up to date: it is at base, the revisions' heads are bbbbbbbbbbbb/m,
      )
      const up = await mig(made.dir, ['upgrade', 'head'])
      assert.equal(up.code, 0, up.stderr)
      cleanups.push(async () => {
        await mig(made.dir, ['downgrade', 'base'])
      })
      const types = readFileSync(join(made.dir, 'src/db.ts'), 'utf8')
      assert.match(types, new RegExp(`// Schema at ${B}\\.`))
      assert.match(
        types,
        /export interface Account \{\n {2}id: (number|Generated<number>)\n {2}email: string\n {2}full_name: string \| null\n\}/,
      )
      const down = await mig(made.dir, ['downgrade', '-1'])
      assert.equal(down.code, 0, down.stderr)
      const after = readFileSync(join(made.dir, 'src/db.ts'), 'utf8')
      assert.match(after, new RegExp(`// Schema at ${A}\\.`))
      assert.doesNotMatch(after, /full_name/)
      const fromDb = await mig(made.dir, ['upgrade', 'head'])
      assert.equal(fromDb.code, 0, fromDb.stderr)
      const written = await mig(made.dir, ['schema', 'types', '--from-database', 'other.ts'])
      assert.equal(written.code, 0, written.stderr)
      assert.equal(
        readFileSync(join(made.dir, 'other.ts'), 'utf8'),
        readFileSync(join(made.dir, 'src/db.ts'), 'utf8'),
      )
    })
  })
}

describe('schema files: bad input', () => {
  test('an unknown action is refused by name', async () => {
    const made = project(KINDS[1] as Kind)
    try {
      const result = await mig(made.dir, ['schema', 'dumb'])
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, /dumb/)
    } finally {
      made.cleanup()
    }
  })
})

for (const kind of DATABASE_KINDS) {
  describe(`mig setup on ${kind.name}`, () => {
    test('an empty database is set up from the dump at the heads; mig check then passes', async () => {
      const made = project({ name: 'setup', dialect: '' })
      writeFileSync(join(made.dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      const db = await kind.create(made.dir)
      try {
        const dump = await mig(made.dir, [...db.args, 'schema', 'dump', 'schema.sql'])
        assert.equal(dump.code, 0, dump.stderr)
        const result = await mig(made.dir, [...db.args, 'setup', 'schema.sql'])
        assert.equal(result.code, 0, result.stderr)
        assert.match(result.stderr, /^Target database: /)
        assert.match(result.stderr, new RegExp(`Set up .* at ${B}: 1 statements from schema.sql`))
        assert.deepEqual(await db.versions(), [B])
        const check = await mig(made.dir, [...db.args, 'check'])
        assert.equal(check.code, 0, check.stderr)
        // The schema is the one the revisions build: downgrading through them works.
        const down = await mig(made.dir, [...db.args, 'downgrade', 'base'])
        assert.equal(down.code, 0, down.stderr)
        assert.deepEqual(await db.versions(), [])
      } finally {
        await db.drop()
        made.cleanup()
      }
    })

    test('refused, with the database untouched: a database not empty, a stale dump, a file that is not a dump', async () => {
      const made = project({ name: 'setup-bad', dialect: '' })
      writeFileSync(join(made.dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      const db = await kind.create(made.dir)
      try {
        assert.equal((await mig(made.dir, [...db.args, 'schema', 'dump', 'schema.sql'])).code, 0)
        writeFileSync(join(made.dir, 'notes.sql'), 'create table x (id integer);\n')
        const notDump = await mig(made.dir, [...db.args, 'setup', 'notes.sql'])
        assert.equal(notDump.code, 1)
        assert.match(notDump.stderr, /^error: notes\.sql: not a migraph schema dump/m)
        const missing = await mig(made.dir, [...db.args, 'setup'])
        assert.equal(missing.code, 1)
        assert.match(
          missing.stderr,
          /^error: mig setup needs the schema dump to load: name the file, or set 'schemaDump'/m,
        )
        await db.applyScript('create table stray (id integer);')
        const busy = await mig(made.dir, [...db.args, 'setup', 'schema.sql'])
        assert.equal(busy.code, 1)
        assert.match(busy.stderr, /^error: mig setup needs an empty database: this one holds table stray$/m)
        assert.equal(await db.versions(), null)
        await db.applyScript('drop table stray;')
        writeRevision(made.dir, 'migrations', { id: 'cccccccccccc', down: B, message: 'later' })
        const stale = await mig(made.dir, [...db.args, 'setup', 'schema.sql'])
        assert.equal(stale.code, 1)
        assert.match(
          stale.stderr,
          new RegExp(
            `^error: schema\\.sql: the dump is of ${B}, but the revisions' heads are cccccccccccc; write it again with 'mig schema dump'$`,
            'm',
          ),
        )
        assert.equal(await db.versions(), null)
        assert.deepEqual(await db.schema(), [], 'nothing was created')
      } finally {
        await db.drop()
        made.cleanup()
      }
    })
  })
}
