// Offline `--sql` through the real binary: it never opens a connection (no embedded database
// created, unreachable servers fine, no SQLite file made), prints SPEC §6's layout, and the script
// it prints, run with the database's own client on a fresh database, leaves the same schema and
// version rows as the online run of the same revisions on another fresh database.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

/** r1 → (r2 | r3) → m1: a table, a column and an index, a second table with a row, a merge. */
function writeGraph(dir: string): void {
  writeConfig(dir)
  writeRevision(dir, 'migrations', {
    id: 'r1',
    message: 'create account',
    upgrade: [
      "await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'varchar(50)', (c) => c.notNull()))",
    ],
    downgrade: ["await op.dropTable('account')"],
  })
  writeRevision(dir, 'migrations', {
    id: 'r2',
    down: 'r1',
    message: 'add balance',
    upgrade: [
      "await op.addColumn('account', 'balance', 'integer')",
      "await op.createIndex('ix_account_name', 'account', ['name'])",
    ],
    downgrade: [
      "await op.dropIndex('ix_account_name', { table: 'account' })",
      "await op.dropColumn('account', 'balance')",
    ],
  })
  writeRevision(dir, 'migrations', {
    id: 'r3',
    down: 'r1',
    message: 'audit',
    upgrade: [
      "await op.createTable('audit', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('note', 'varchar(100)'))",
      `await op.bulkInsert('audit', [{ id: 1, note: "it's" }])`,
    ],
    downgrade: ["await op.dropTable('audit')"],
  })
  writeRevision(dir, 'migrations', { id: 'm1', down: ['r2', 'r3'], message: 'merge' })
}

const R1_TO_R2 = `BEGIN;

-- Running upgrade r1 -> r2

alter table "account" add column "balance" integer;

create index "ix_account_name" on "account" ("name");

update "mig_version" set "version_num" = 'r2' where "version_num" = 'r1';

COMMIT;
`

describe('--sql never connects', () => {
  const project = tempProject()
  const dir = project.dir
  const ok = async (...args: string[]) => {
    const result = await mig(dir, args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result
  }
  before(() => writeGraph(dir))
  after(() => {
    assert.equal(existsSync(join(dir, '.migraph')), false, 'no embedded database was created')
    project.cleanup()
  })

  test('upgrade head from base creates the version table, then one transaction per revision', async () => {
    const { stdout, stderr } = await ok('upgrade', 'head', '--sql')
    assert.equal(stderr, '')
    assert.match(
      stdout,
      /^BEGIN;\n\ncreate table "mig_version" \("version_num" varchar\(32\) not null, constraint "mig_version_pkc" primary key \("version_num"\)\);\n\n-- Running upgrade {2}-> r1\n\ncreate table "account" /,
    )
    assert.deepEqual(
      stdout.split('\n').filter((line) => line.startsWith('-- ')),
      [
        '-- Running upgrade  -> r1',
        '-- Running upgrade r1 -> r3',
        '-- Running upgrade r1 -> r2',
        '-- Running upgrade r2, r3 -> m1',
      ],
    )
    const statements = stdout.split('\n\n').map((s) => s.trim())
    for (const statement of statements) {
      if (!statement.startsWith('--')) assert.match(statement, /;$/, statement)
    }
    assert.equal(statements.filter((s) => s === 'BEGIN;').length, 4)
    assert.equal(statements.filter((s) => s === 'COMMIT;').length, 4)
    assert.ok(
      stdout.endsWith(
        'update "mig_version" set "version_num" = \'m1\' where "version_num" = \'r3\';\n\nCOMMIT;\n',
      ),
    )
  })

  test('a range, a downgrade range, a stamp and ensure-version print exactly their statements', async () => {
    assert.equal((await ok('upgrade', 'r1:r2', '--sql')).stdout, R1_TO_R2)
    assert.equal(
      (await ok('downgrade', 'r2:r1', '--sql')).stdout,
      `BEGIN;

-- Running downgrade r2 -> r1

drop index "ix_account_name";

alter table "account" drop column "balance";

update "mig_version" set "version_num" = 'r1' where "version_num" = 'r2';

COMMIT;
`,
    )
    assert.equal(
      (await ok('stamp', 'r2', '--sql')).stdout,
      `BEGIN;

create table "mig_version" ("version_num" varchar(32) not null, constraint "mig_version_pkc" primary key ("version_num"));

-- Running stamp_revision  -> r2

insert into "mig_version" ("version_num") values ('r2');

COMMIT;
`,
    )
    assert.equal(
      (await ok('ensure-version', '--sql')).stdout,
      'BEGIN;\n\ncreate table "mig_version" ("version_num" varchar(32) not null, constraint "mig_version_pkc" primary key ("version_num"));\n\nCOMMIT;\n',
    )
    const down = await mig(dir, ['downgrade', 'r1', '--sql'])
    assert.equal(down.code, 1)
    assert.equal(down.stderr, "error: downgrade with --sql requires <fromrev>:<torev>, got 'r1'\n")
  })

  test('downgrade to base drops the version table last, after the last transaction', async () => {
    const { stdout } = await ok('downgrade', 'r1:base', '--sql')
    assert.ok(
      stdout.endsWith(
        'drop table "account";\n\ndelete from "mig_version" where "version_num" = \'r1\';\n\nCOMMIT;\n\ndrop table "mig_version";\n',
      ),
      stdout,
    )
  })

  test('an unreachable server still gets its SQL; a SQLite file is not created', async () => {
    const postgres = await ok('upgrade', 'r1:r2', '--sql', '--url', 'postgres://u:pw@127.0.0.1:1/db')
    assert.equal(postgres.stdout, R1_TO_R2)
    const mysql = await ok('upgrade', 'r1:r2', '--sql', '--url', 'mysql://u:pw@127.0.0.1:1/db')
    assert.equal(
      mysql.stdout,
      `-- Running upgrade r1 -> r2

alter table \`account\` add column \`balance\` integer;

create index \`ix_account_name\` on \`account\` (\`name\`);

update \`mig_version\` set \`version_num\` = 'r2' where \`version_num\` = 'r1';
`,
    )
    const ensure = await ok('ensure-version', '--sql', '--url', 'mysql://u:pw@127.0.0.1:1/db')
    assert.equal(
      ensure.stdout,
      'create table `mig_version` (`version_num` varchar(32) not null, constraint `mig_version_pkc` primary key (`version_num`));\n',
    )
    const file = join(dir, 'never.sqlite')
    const sqlite = await ok('upgrade', 'head', '--sql', '--url', `sqlite:${file}`)
    assert.match(sqlite.stdout, /^BEGIN;\n/)
    assert.equal(existsSync(file), false)
  })
})

for (const kind of DATABASE_KINDS) {
  describe(`--sql replayed by the ${kind.name} client matches the online run`, () => {
    const project = tempProject()
    const dir = project.dir
    let offline: TestDatabase
    let online: TestDatabase
    const ok = async (db: TestDatabase, ...args: string[]) => {
      const result = await mig(dir, [...db.args, ...args])
      assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
      return result
    }
    /** Runs `range` offline through the client and `target` online, then compares. */
    const same = async (command: 'upgrade' | 'downgrade', range: string, target: string, rows: string[]) => {
      const script = (await ok(offline, command, range, '--sql')).stdout
      assert.equal(script.includes('BEGIN;'), kind.transactionalDDL)
      await offline.applyScript(script)
      await ok(online, command, target)
      assert.deepEqual(await online.versions(), rows)
      assert.deepEqual(await offline.versions(), rows)
      assert.deepEqual(await offline.schema(), await online.schema())
    }

    before(async () => {
      writeGraph(dir)
      offline = await kind.create(dir)
      online = await kind.create(dir)
    })
    after(async () => {
      await offline.drop()
      await online.drop()
      project.cleanup()
    })

    test('upgrade from base to the merge', async () => {
      await same('upgrade', 'base:heads', 'heads', ['m1'])
      const schema = await online.schema()
      assert.ok(
        schema.some((line) => /ix_account_name/.test(line)),
        schema.join('\n'),
      )
      assert.ok(
        schema.some((line) => /audit/.test(line)),
        schema.join('\n'),
      )
    })

    test('downgrade through the merge to the first revision', async () => {
      await same('downgrade', 'm1:r1', 'r1', ['r1'])
    })

    test('upgrade one branch by range', async () => {
      await same('upgrade', 'r1:r2', 'r2', ['r2'])
    })
  })
}
