// A declared schema written in TypeScript (`defineSchema`), `mig diff --from/--to` between any two
// schemas, and `mig check --schema` comparing the revisions too, through the real `mig` binary on
// the embedded database and SQLite (PostgreSQL and MariaDB when their URL variables are set).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { MIG_BIN, mig, runProcess, tempProject } from '../helpers/mig.js'

const ACCOUNT = `  await op.createTable('account', (t) =>
    t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('email', 'varchar(200)', (c) => c.notNull()),
  )
  await op.createIndex('account_email_idx', 'account', ['email'])
`
const INVOICE = `  await op.createTable('invoice', (t) =>
    t
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('account_id', 'integer', (c) => c.notNull().references('account', 'id')),
  )
`

/** A `schema.ts` declaring `body`'s ops, as a user writes it. */
const schemaModule = (body: string) =>
  `import { defineSchema } from 'migraph'\n\nexport default defineSchema(async (op) => {\n${body}})\n`

function project(prefix: string): { dir: string; cleanup: () => void } {
  const made = tempProject(prefix)
  writeFileSync(
    join(made.dir, 'migrate.config.ts'),
    "export default { migrations: 'migrations', schema: 'schema.ts' }\n",
  )
  writeFileSync(join(made.dir, 'schema.ts'), schemaModule(ACCOUNT))
  mkdirSync(join(made.dir, 'migrations'))
  return made
}

const revisionFiles = (dir: string) =>
  readdirSync(join(dir, 'migrations'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, 'migrations', f))

for (const kind of DATABASE_KINDS) {
  describe(`declared schema module and schema sources on ${kind.name}`, () => {
    const cleanups: (() => Promise<void> | void)[] = []
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup()
    })
    const fresh = async (dir: string): Promise<TestDatabase> => {
      const db = await kind.create(dir)
      cleanups.push(db.drop)
      return db
    }

    test('a TypeScript declared schema: autogenerate, upgrade, check --schema; diff between any two sources', async () => {
      const made = project(`mig-schema-ts-${kind.name.replace(/\W/g, '')}-`)
      cleanups.push(made.cleanup)
      const db = await fresh(made.dir)
      const run = (...args: string[]) => mig(made.dir, [...db.args, ...args])

      const first = await run('revision', '--autogenerate', '-m', 'accounts')
      assert.equal(first.code, 0, first.stderr)
      const [accounts] = revisionFiles(made.dir)
      assert.ok(accounts !== undefined)
      assert.match(readFileSync(accounts, 'utf8'), /await op\.createTable\('account'/)
      assert.equal((await run('upgrade', 'head')).code, 0)
      const checked = await run('check', '--schema')
      assert.equal(checked.code, 0, checked.stderr)
      assert.match(checked.stdout, /schema as declared, as its revisions build it/)

      writeFileSync(join(made.dir, 'schema.ts'), schemaModule(ACCOUNT + INVOICE))
      const second = await run('revision', '--autogenerate', '-m', 'invoices')
      assert.equal(second.code, 0, second.stderr)
      assert.equal((await run('upgrade', 'head')).code, 0)
      assert.equal((await run('check', '--schema')).code, 0)
      const idOf = (file: string) => /revision = '(\w+)'/.exec(readFileSync(file, 'utf8'))?.[1] as string
      const firstId = idOf(accounts)
      const head = idOf(revisionFiles(made.dir).find((f) => f.includes('invoices')) as string)

      const whole = await run('diff', '--from', 'base', '--to', 'head')
      assert.equal(whole.code, 0, whole.stderr)
      assert.match(whole.stdout, /^Comparing base \(no revisions\) with head \(\w+\), revisions replayed$/m)
      assert.match(whole.stdout, /^\+ table account$/m)
      assert.match(whole.stdout, /^\+ table invoice$/m)

      const same = await run('diff', '--from', 'live', '--to', 'declared')
      assert.equal(same.code, 0, same.stderr)
      assert.match(same.stdout, /^Comparing live \(.*, at \w+\) with declared \(schema\.ts\)$/m)
      assert.match(same.stdout, /^No changes in schema detected\.$/m)

      const back = await run('diff', '--from', 'head', '--to', '-1', '--json')
      assert.equal(back.code, 0, back.stderr)
      const doc = JSON.parse(back.stdout)
      assert.equal(doc.from.source, 'head')
      assert.equal(doc.to.source, '-1')
      assert.deepEqual(doc.to.heads, [firstId])
      assert.deepEqual(
        doc.differences.map(
          (d: { action: string; object: string; name: string }) => `${d.action} ${d.object} ${d.name}`,
        ),
        ['drop table invoice'],
      )
      assert.deepEqual(doc.from.heads, [head])

      const sql = await run('diff', '--from', firstId, '--to', 'head', '--sql')
      assert.equal(sql.code, 0, sql.stderr)
      assert.match(sql.stdout, /create table ["`]invoice["`]/)
      assert.doesNotMatch(sql.stdout, /create table ["`]account["`]/)
    })

    test('check --schema fails when an edited revision no longer builds the declared schema, though the database still matches it', async () => {
      const made = project(`mig-schema-edit-${kind.name.replace(/\W/g, '')}-`)
      cleanups.push(made.cleanup)
      const db = await fresh(made.dir)
      const run = (...args: string[]) => mig(made.dir, [...db.args, ...args])
      assert.equal((await run('revision', '--autogenerate', '-m', 'accounts')).code, 0)
      // The database is set up from the dump of the revisions (no checksum recorded), as a team does.
      const dump = await run('schema', 'dump', 'db/schema.sql')
      assert.equal(dump.code, 0, dump.stderr)
      const setup = await run('setup', 'db/schema.sql')
      assert.equal(setup.code, 0, setup.stderr)
      assert.equal((await run('check', '--schema')).code, 0)

      const [file] = revisionFiles(made.dir)
      assert.ok(file !== undefined)
      const source = readFileSync(file, 'utf8')
      const edited = source.replace(/\n\s*await op\.createIndex\('account_email_idx'[^\n]*/, '')
      assert.notEqual(edited, source)
      writeFileSync(file, edited)
      const checked = await run('check', '--schema')
      assert.equal(checked.code, 9, checked.stderr)
      assert.match(
        checked.stdout,
        /^The revisions at the heads vs the declared schema:\n\+ index account\.account_email_idx\n/m,
      )
      assert.match(
        checked.stdout,
        /^The database vs what its revisions produce:\n\+ index account\.account_email_idx$/m,
      )
      assert.doesNotMatch(checked.stdout, /The database vs the declared schema/)
      assert.match(
        checked.stderr,
        /^error: the schema the revisions produce at the heads differs from the declared schema in 1 place\(s\); the database schema differs from what its revisions produce in 1 place\(s\): /m,
      )
      const json = await run('check', '--schema', '--json')
      assert.equal(json.code, 9)
      const doc = JSON.parse(json.stdout)
      assert.equal(doc.ok, false)
      assert.deepEqual(
        doc.schemaComparisons.map((c: { name: string; lines: string[] }) => [c.name, c.lines.length]),
        [
          ['live-declared', 0],
          ['revisions-declared', 1],
          ['live-revisions', 1],
        ],
      )
    })
  })
}

describe('bad schema sources and declared schema modules (SQLite)', () => {
  let dir = ''
  let cleanup = () => {}
  before(async () => {
    const made = project('mig-schema-bad-')
    dir = made.dir
    cleanup = made.cleanup
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { url: 'sqlite:app.db', migrations: 'migrations', schema: 'schema.ts' }\n",
    )
    writeFileSync(
      join(dir, 'bare.config.ts'),
      "export default { url: 'sqlite:app.db', migrations: 'migrations' }\n",
    )
    assert.equal((await mig(dir, ['revision', '--autogenerate', '-m', 'accounts'])).code, 0)
  })
  after(() => cleanup())

  /** One line on stderr, naming what is at fault; exit 1; nothing on stdout. */
  const refused = async (args: string[], line: RegExp) => {
    const result = await mig(dir, args)
    assert.equal(result.code, 1, result.stderr)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, line)
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
  }

  test('an unknown source lists the forms; a missing file, a database not created, no schema configured', async () => {
    await refused(
      ['diff', '--from', 'nosuch'],
      /^error: --from nosuch: not a schema source \(.*'nosuch'.*\); give 'declared' \(config schema\), 'live' \(the database\), 'base', 'head', .*the path of a \.sql file\n$/,
    )
    await refused(['diff', '--to', 'db/missing.sql'], /^error: --to db\/missing\.sql: no such file\n$/)
    await refused(
      ['diff', '--from', 'live'],
      /^error: --from live: the database sqlite:app\.db does not exist yet/,
    )
    await refused(
      ['-c', 'bare.config.ts', 'diff', '--from', 'head', '--to', 'declared'],
      /^error: --to declared: no declared schema; set config key 'schema' in bare\.config\.ts/,
    )
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('app.db')),
      [],
      'no database was created',
    )
  })

  test('a module that exports no schema, and an op that fails, are named with the file', async () => {
    writeFileSync(join(dir, 'schema.ts'), 'export const tables = 1\n')
    await refused(
      ['diff', '--from', 'base'],
      /^error: schema\.ts: the declared schema module exports no schema; expected 'export default defineSchema\(async \(op\) => \{ \.\.\. \}\)' \(defineSchema from 'migraph'\)\n$/,
    )
    writeFileSync(join(dir, 'schema.ts'), schemaModule("  await op.createIndex('x_idx', 'nosuch', ['x'])\n"))
    await refused(
      ['diff', '--from', 'base'],
      /^error: schema\.ts: the declared schema does not load: op\.createIndex failed: .*nosuch/,
    )
    const autogenerate = await mig(dir, ['revision', '--autogenerate', '-m', 'broken'])
    assert.equal(autogenerate.code, 1)
    assert.match(
      autogenerate.stderr,
      /^error: schema\.ts: the declared schema does not load: op\.createIndex/m,
    )
    assert.equal(revisionFiles(dir).length, 1, 'no revision written')
    writeFileSync(join(dir, 'schema.ts'), schemaModule(ACCOUNT))
  })

  test('a SQL file is a schema source too', async () => {
    writeFileSync(join(dir, 'other.sql'), 'create table account (id integer primary key);\n')
    const result = await mig(dir, ['diff', '--from', 'other.sql', '--to', 'declared'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Comparing file other\.sql with declared \(schema\.ts\)$/m)
    assert.match(result.stdout, /^\+ column account\.email$/m)
  })
})

/** `script` gives `mig` a terminal, where rename candidates are asked about. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0

describe('rename candidates asked on a terminal (SQLite)', { skip: !HAS_SCRIPT }, () => {
  const NAMED = 'create table account (id integer primary key, name varchar(100));\n'
  const RENAMED = 'create table account (id integer primary key, full_name varchar(100));\n'
  const cleanups: (() => void)[] = []
  after(() => {
    for (const cleanup of cleanups) cleanup()
  })

  /** A project at its head with `account.name`, declaring `account.full_name` instead. */
  async function renamedProject(): Promise<string> {
    const made = tempProject('mig-schema-rename-')
    cleanups.push(made.cleanup)
    writeFileSync(
      join(made.dir, 'migrate.config.ts'),
      "export default { url: 'sqlite:app.db', migrations: 'migrations', schema: 'schema.sql' }\n",
    )
    writeFileSync(join(made.dir, 'schema.sql'), NAMED)
    mkdirSync(join(made.dir, 'migrations'))
    assert.equal((await mig(made.dir, ['revision', '--autogenerate', '-m', 'accounts'])).code, 0)
    assert.equal((await mig(made.dir, ['upgrade', 'head'])).code, 0)
    writeFileSync(join(made.dir, 'schema.sql'), RENAMED)
    return made.dir
  }

  /** Runs `mig args` on a terminal, typing `answer` once the prompt had time to show. */
  const onTerminal = (dir: string, args: readonly string[], answer: string) => {
    const command = [process.execPath, MIG_BIN, ...args].map((a) => `'${a}'`).join(' ')
    return runProcess('sh', ['-c', `(sleep 3; echo ${answer}) | script -qec "${command}" /dev/null`], {
      cwd: dir,
    })
  }

  test('accepted: the revision renames the column', async () => {
    const dir = await renamedProject()
    const result = await onTerminal(dir, ['revision', '--autogenerate', '-m', 'rename'], 'y')
    assert.equal(result.code, 0, result.stdout)
    assert.match(result.stdout, /Rename account\.name → account\.full_name\? \[y\/N\]/)
    assert.match(result.stdout, /> column account\.name -> full_name/)
    const source = readFileSync(revisionFiles(dir).find((f) => f.endsWith('_rename.ts')) as string, 'utf8')
    assert.match(source, /alterColumn\('name', \{ rename: 'full_name' \}\)/)
    assert.doesNotMatch(source, /dropColumn/)
    const up = await mig(dir, ['upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    assert.equal((await mig(dir, ['check', '--schema'])).code, 0)
  })

  test('declined: a drop and an add, as without a terminal; mig diff asks too', async () => {
    const dir = await renamedProject()
    // Off a terminal nothing is asked: the candidate is reported.
    const plain = await mig(dir, ['diff'])
    assert.equal(plain.code, 0, plain.stderr)
    assert.doesNotMatch(plain.stdout + plain.stderr, /\[y\/N\]/)
    assert.match(plain.stdout, /^\? column account\.name may have been renamed to account\.full_name/m)
    const diff = await onTerminal(dir, ['diff'], 'n')
    assert.equal(diff.code, 0, diff.stdout)
    assert.match(diff.stdout, /Rename account\.name → account\.full_name\? \[y\/N\]/)
    assert.match(diff.stdout, /- column account\.name \(destructive: drops its values\)/)
    const result = await onTerminal(dir, ['revision', '--autogenerate', '-m', 'rename'], 'n')
    assert.equal(result.code, 0, result.stdout)
    const source = readFileSync(revisionFiles(dir).find((f) => f.endsWith('_rename.ts')) as string, 'utf8')
    assert.doesNotMatch(source, /rename: 'full_name'/)
    assert.match(source, /dropColumn\('name'\)/)
    assert.match(source, /addColumn\('full_name'/)
  })
})
