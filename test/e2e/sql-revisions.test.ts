// `.sql` revisions with the real `mig` binary, on every available database: pycopg's example
// files as written (under a migraph header), dialect-specific bodies the splitter must read
// (dollar quotes, DELIMITER blocks, trigger bodies), mixed graphs of .ts and .sql revisions,
// failing statements named by file and line, irreversible revisions, and `--sql`.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS, type DatabaseKind } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

function project(): string {
  const { dir, cleanup } = tempProject('mig-sqlfirst-')
  cleanups.push(cleanup)
  writeConfig(dir)
  return dir
}

/** Writes `migrations/<name>` with a migraph header above the body as written. */
function sqlRevision(
  dir: string,
  name: string,
  header: { id: string; revises?: string; message?: string },
  body: string,
) {
  const lines = [
    ...(header.message === undefined ? [] : [`-- ${header.message}`, '--']),
    `-- Revision ID: ${header.id}`,
    `-- Revises: ${header.revises ?? ''}`,
    '',
  ]
  const path = join(dir, 'migrations', name)
  writeFileSync(path, `${lines.join('\n')}\n${body}`)
  return path
}

// pycopg's documentation examples, exactly as it prints them.
const PYCOPG: readonly [string, string][] = [
  [
    '001_create_users.sql',
    `-- 001_create_users.sql

-- UP
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_active BOOLEAN DEFAULT true,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_username ON users(username);

-- DOWN
DROP TABLE users;
`,
  ],
  [
    '002_add_user_profile.sql',
    `-- 002_add_user_profile.sql

-- UP
ALTER TABLE users ADD COLUMN full_name TEXT;
ALTER TABLE users ADD COLUMN avatar_url TEXT;
ALTER TABLE users ADD COLUMN bio TEXT;

-- DOWN
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE users DROP COLUMN avatar_url;
ALTER TABLE users DROP COLUMN full_name;
`,
  ],
  [
    '003_create_orders.sql',
    `-- 003_create_orders.sql

-- UP
CREATE TABLE orders (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    total_amount DECIMAL(10, 2) NOT NULL,
    status TEXT DEFAULT 'pending',
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_orders_user_id ON orders(user_id);
CREATE INDEX idx_orders_status ON orders(status);

-- DOWN
DROP TABLE orders;
`,
  ],
  [
    '004_backfill_user_slugs.sql',
    `-- 004_backfill_user_slugs.sql

-- UP
ALTER TABLE users ADD COLUMN slug TEXT;

UPDATE users SET slug = LOWER(REPLACE(username, ' ', '-'));

ALTER TABLE users ALTER COLUMN slug SET NOT NULL;
CREATE UNIQUE INDEX idx_users_slug ON users(slug);

-- DOWN
DROP INDEX idx_users_slug;
ALTER TABLE users DROP COLUMN slug;
`,
  ],
  [
    '005_restructure_permissions.sql',
    `-- 005_restructure_permissions.sql

-- UP
-- Create new tables
CREATE TABLE roles (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    permissions JSONB DEFAULT '[]'
);

CREATE TABLE user_roles (
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    role_id INTEGER REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);

-- Migrate existing data
INSERT INTO roles (name, permissions)
SELECT DISTINCT role, '[]'::jsonb
FROM users
WHERE role IS NOT NULL;

INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id
FROM users u
JOIN roles r ON u.role = r.name
WHERE u.role IS NOT NULL;

-- Remove old column
ALTER TABLE users DROP COLUMN role;

-- DOWN
ALTER TABLE users ADD COLUMN role TEXT;

UPDATE users SET role = (
    SELECT r.name FROM roles r
    JOIN user_roles ur ON r.id = ur.role_id
    WHERE ur.user_id = users.id
    LIMIT 1
);

DROP TABLE user_roles;
DROP TABLE roles;
`,
  ],
]

const postgresLike = DATABASE_KINDS.filter(
  (kind) => kind.name === 'embedded PGlite' || kind.name === 'PostgreSQL',
)

/** A body each dialect's client would accept, with `;` where only a correct splitter keeps it whole. */
const ROUTINE: Readonly<Record<string, string>> = {
  postgres: `-- migrate: up
CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL, slug text);
CREATE FUNCTION note_slug() RETURNS trigger AS $fn$
BEGIN
  NEW.slug := lower(replace(NEW.body, ' ', '-')); -- a comment; with a semicolon
  RETURN NEW;
END;
$fn$ LANGUAGE plpgsql;
CREATE TRIGGER note_slug BEFORE INSERT ON note FOR EACH ROW EXECUTE FUNCTION note_slug();
INSERT INTO note (id, body) VALUES (1, E'semi;colon \\'quoted\\''), (2, 'it''s; fine');
/* a /* nested */ comment; */
DO $$ BEGIN IF (SELECT count(*) FROM note WHERE slug IS NOT NULL) <> 2 THEN RAISE EXCEPTION 'trigger did not run'; END IF; END $$;

-- migrate: down
DROP TABLE note;
DROP FUNCTION note_slug();
`,
  sqlite: `-- migrate: up
CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL, slug text);
CREATE TRIGGER note_slug AFTER INSERT ON note
BEGIN
  UPDATE note SET slug = CASE WHEN new.body IS NULL THEN 'none;' ELSE lower(new.body) END WHERE id = new.id;
END;
INSERT INTO note (id, body) VALUES (1, 'semi;colon'), (2, 'it''s; fine');
CREATE TABLE check_slugs (n int CHECK (n = 2));
INSERT INTO check_slugs SELECT count(*) FROM note WHERE slug IS NOT NULL;
DROP TABLE check_slugs;

-- migrate: down
DROP TABLE note;
`,
  mysql: `-- migrate: up
CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL, slug text);
DELIMITER $$
CREATE TRIGGER note_slug BEFORE INSERT ON note FOR EACH ROW
BEGIN
  IF NEW.slug IS NULL THEN
    SET NEW.slug = lower(replace(NEW.body, ' ', '-'));
  END IF;
END$$
DELIMITER ;
INSERT INTO note (id, body) VALUES (1, 'semi;colon \\'quoted\\''), (2, "it's; fine"); # a; comment
CREATE TABLE check_slugs (n int CHECK (n = 2));
INSERT INTO check_slugs SELECT count(*) FROM note WHERE slug IS NOT NULL;
DROP TABLE check_slugs;

-- migrate: down
DROP TABLE note;
`,
}

const flavourOf = (kind: DatabaseKind) =>
  kind.name === 'SQLite' ? 'sqlite' : kind.name === 'MariaDB' ? 'mysql' : 'postgres'

describe('pycopg examples as .sql revisions', () => {
  for (const kind of postgresLike) {
    test(`${kind.name}: the five files run up, with data, and down again`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        let previous: string | undefined
        for (const [at, [name, body]] of PYCOPG.entries()) {
          const id = `p00${at + 1}`
          if (at === 4) {
            // The permissions example reads a `users.role` column no earlier example adds.
            sqlRevision(
              dir,
              '004b_add_role.sql',
              { id: 'p004b', revises: previous },
              '-- UP\nALTER TABLE users ADD COLUMN role TEXT;\n-- DOWN\nALTER TABLE users DROP COLUMN role;\n',
            )
            previous = 'p004b'
          }
          sqlRevision(dir, name, { id, revises: previous, message: name.replace('.sql', '') }, body)
          previous = id
        }
        const history = await mig(dir, [...db.args, 'history'])
        assert.equal(history.code, 0, history.stderr)
        assert.match(history.stdout, /^p004b -> p005 \(head\), 005_restructure_permissions$/m)

        let run = await mig(dir, [...db.args, 'upgrade', 'p004b'])
        assert.equal(run.code, 0, run.stderr)
        await db.applyScript(
          "INSERT INTO users (username, email, password_hash, slug, role) VALUES ('Ada L', 'ada@x', 'h', 'ada-l', 'admin'), ('Bob', 'bob@x', 'h', 'bob', NULL);",
        )
        run = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(run.code, 0, run.stderr)
        assert.match(run.stderr, /Running upgrade p004b -> p005, 005_restructure_permissions/)
        assert.deepEqual(await db.versions(), ['p005'])
        const schema = (await db.schema()).join('\n')
        assert.match(schema, /^users \| slug \| text \| {2}\| NO/m)
        assert.match(schema, /^user_roles \| role_id/m)
        assert.doesNotMatch(schema, /^users \| role \|/m)
        await db.applyScript(
          "DO $$ BEGIN IF (SELECT count(*) FROM user_roles JOIN roles ON roles.id = role_id WHERE roles.name = 'admin') <> 1 THEN RAISE EXCEPTION 'data not moved'; END IF; END $$;",
        )

        const status = await mig(dir, [...db.args, 'status'])
        assert.match(status.stdout, /^\[X\] p001, 001_create_users \(/)
        assert.match(
          status.stdout,
          /\n\[X\] p005, 005_restructure_permissions \([^)]*\)\n\napplied 6, pending 0\n$/,
        )
        const json = JSON.parse((await mig(dir, [...db.args, 'status', '--json'])).stdout)
        assert.deepEqual(
          json.applied.map((e: { revision: string }) => e.revision),
          ['p001', 'p002', 'p003', 'p004', 'p004b', 'p005'],
        )
        assert.equal(json.pendingCount, 0)

        run = await mig(dir, [...db.args, 'downgrade', 'base'])
        assert.equal(run.code, 0, run.stderr)
        assert.deepEqual(await db.versions(), [])
        assert.deepEqual(
          (await db.schema()).filter((line) => !line.startsWith('mig_')),
          [],
        )
      } finally {
        await db.drop()
      }
    })
  }
})

describe('.sql revisions beside .ts ones', () => {
  for (const kind of DATABASE_KINDS) {
    test(`${kind.name}: a mixed graph with a merge, bodies only a correct splitter reads, --sql and downgrade`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        writeRevision(dir, 'migrations', {
          id: 'aa01',
          message: 'account',
          upgrade: [
            "await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))",
          ],
          downgrade: ["await op.dropTable('account')"],
        })
        sqlRevision(
          dir,
          'bb02_note.sql',
          { id: 'bb02', message: 'notes' },
          ROUTINE[flavourOf(kind)] as string,
        )
        sqlRevision(
          dir,
          'cc03_join.sql',
          { id: 'cc03', revises: 'aa01, bb02', message: 'join' },
          '-- migrate: up\nCREATE TABLE joined (id int);\n-- migrate: down\nDROP TABLE joined;\n',
        )
        const heads = await mig(dir, [...db.args, 'heads'])
        assert.equal(heads.stdout, 'cc03 (head)\n')

        const offline = await mig(dir, [...db.args, 'upgrade', 'head', '--sql'])
        assert.equal(offline.code, 0, offline.stderr)
        assert.match(
          offline.stdout,
          /-- Running upgrade {2}-> bb02\n\nCREATE TABLE note \(id int PRIMARY KEY, body text NOT NULL, slug text\);/,
        )
        assert.match(
          offline.stdout,
          /-- Running upgrade aa01, bb02 -> cc03\n\nCREATE TABLE joined \(id int\);/,
        )
        assert.equal(await db.versions(), null)
        if (flavourOf(kind) === 'mysql')
          assert.match(
            offline.stdout,
            /\nDELIMITER \$\$\nCREATE TRIGGER note_slug [\s\S]*?END\$\$\nDELIMITER ;\n/,
          )
        // The printed SQL runs as it stands in the database's own client.
        const replay = await kind.create(dir)
        try {
          await replay.applyScript(offline.stdout)
          assert.deepEqual(await replay.versions(), ['cc03'])
          assert.match((await replay.schema()).join('\n'), /^note \|.*\bslug\b/m)
        } finally {
          await replay.drop()
        }

        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 0, up.stderr)
        assert.deepEqual(await db.versions(), ['cc03'])
        const schema = (await db.schema()).join('\n')
        assert.match(schema, /^note \|.*\bslug\b/m)
        assert.match(schema, /^joined \|.*\bid\b/m)

        const down = await mig(dir, [...db.args, 'downgrade', 'base'])
        assert.equal(down.code, 0, down.stderr)
        assert.deepEqual(await db.versions(), [])
        assert.deepEqual(
          (await db.schema()).filter((line) => !line.startsWith('mig_')),
          [],
        )
      } finally {
        await db.drop()
      }
    })

    test(`${kind.name}: a failing statement is named by file and line; a revision without a down section is not downgraded`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        sqlRevision(dir, 'aa01_one.sql', { id: 'aa01' }, 'CREATE TABLE one (id int);\n')
        const bad = sqlRevision(
          dir,
          'bb02_two.sql',
          { id: 'bb02', revises: 'aa01' },
          '-- UP\nCREATE TABLE two (id int);\n\nINSERT INTO\n  missing_table VALUES (1);\n-- DOWN\nDROP TABLE two;\n',
        )
        const failed = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.notEqual(failed.code, 0)
        const error = failed.stderr.trim().split('\n').at(-1) ?? ''
        assert.match(error, /^error: /)
        assert.ok(error.includes(`${bad}:7: `), error)
        assert.match(error, /missing_table/)
        // On MariaDB each statement commits: the error then says what stayed applied.
        if (kind.transactionalDDL) assert.deepEqual(await db.versions(), ['aa01'])
        else {
          assert.match(error, /1 operation\(s\) of revision bb02 stayed applied/)
          await db.applyScript('DROP TABLE two;')
          const resolved = await mig(dir, [...db.args, 'resolve', 'bb02', '--rolled-back'])
          assert.equal(resolved.code, 0, resolved.stderr)
        }

        const refused = await mig(dir, [...db.args, 'downgrade', 'base'])
        assert.equal(refused.code, 1)
        assert.match(
          refused.stderr,
          /error: cannot downgrade through revision aa01: .*aa01_one\.sql has no '-- migrate: down' \(or '-- DOWN'\) section, so it cannot be undone; nothing was run\n$/,
        )
        assert.deepEqual(await db.versions(), ['aa01'])
      } finally {
        await db.drop()
      }
    })
  }
})

describe('.sql revisions outside a transaction', () => {
  for (const kind of postgresLike) {
    test(`${kind.name}: CREATE INDEX CONCURRENTLY runs outside one, said on the progress line; -- migrate: no-transaction too`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        sqlRevision(
          dir,
          'aa01_users.sql',
          { id: 'aa01' },
          '-- migrate: up\nCREATE TABLE users (id int, name text);\n-- migrate: down\nDROP TABLE users;\n',
        )
        // Migretti's own example, as its documentation prints it.
        sqlRevision(
          dir,
          'bb02_idx.sql',
          { id: 'bb02', revises: 'aa01' },
          '-- migrate: no-transaction\n-- migrate: up\nCREATE INDEX CONCURRENTLY idx_users ON users(name);\n',
        )
        sqlRevision(
          dir,
          'cc03_idx.sql',
          { id: 'cc03', revises: 'bb02' },
          '-- migrate: up\nCREATE UNIQUE INDEX CONCURRENTLY idx_users_id ON users(id);\n-- migrate: down\nDROP INDEX CONCURRENTLY idx_users_id;\n',
        )
        const up = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(up.code, 0, up.stderr)
        assert.match(up.stderr, /Running upgrade aa01 -> bb02 \(\d/)
        assert.match(
          up.stderr,
          /Running upgrade bb02 -> cc03 \(outside a transaction: CREATE INDEX CONCURRENTLY\)/,
        )
        assert.deepEqual(await db.versions(), ['cc03'])
        const offline = await mig(dir, [...db.args, 'upgrade', 'aa01:head', '--sql'])
        assert.doesNotMatch(offline.stdout, /BEGIN;\n\n-- Running upgrade bb02 -> cc03/)
        const down = await mig(dir, [...db.args, 'downgrade', 'bb02'])
        assert.equal(down.code, 0, down.stderr)
        assert.deepEqual(await db.versions(), ['bb02'])
      } finally {
        await db.drop()
      }
    })

    test(`${kind.name}: op.createIndex(..., { concurrently: true }) in a transaction fails naming transactional = false`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        writeRevision(dir, 'migrations', {
          id: 'aa01',
          message: 'index',
          upgrade: [
            "await op.createTable('t', (t) => t.addColumn('a', 'integer'))",
            "await op.createIndex('t_a', 't', ['a'], { concurrently: true })",
          ],
        })
        const run = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(run.code, 1)
        assert.match(
          run.stderr,
          /error: revision aa01 upgrade\(\) failed: createIndex in revision aa01: op\.createIndex\(\.\.\., \{ concurrently: true \}\) cannot run inside a transaction; declare 'export const transactional = false' in the revision\n$/,
        )
        assert.equal(await db.versions(), null)
        assert.deepEqual(await db.schema(), [])
      } finally {
        await db.drop()
      }
    })
  }
})

describe('.sql revisions: bad input', () => {
  const cases: readonly [string, string, RegExp][] = [
    ['no Revision ID', '-- hello\nSELECT 1;\n', /bad\.sql:1: missing '-- Revision ID: <id>' header line/],
    [
      'a repeated header field',
      '-- Revision ID: a1\n-- Revises:\n-- Revision ID: a2\nSELECT 1;\n',
      /bad\.sql:3: 'Revision ID:' repeats the header line at line 1/,
    ],
    [
      'an id with a space',
      '-- Revision ID: a1 b\nSELECT 1;\n',
      /bad\.sql:1: 'a1 b' is not a comma-separated list of revision ids/,
    ],
    [
      'two upgrade markers',
      '-- Revision ID: a1\n-- UP\nSELECT 1;\n-- migrate: up\nSELECT 2;\n',
      /bad\.sql:4: '-- migrate: up' marks a second up section \(the first is at line 2\); keep one/,
    ],
    [
      'a down section before the up section',
      '-- Revision ID: a1\n-- DOWN\nSELECT 1;\n-- UP\nSELECT 2;\n',
      /bad\.sql:2: the '-- migrate: down' section must come after the '-- migrate: up' section/,
    ],
    [
      'a Revises naming a missing id',
      '-- Revision ID: a1\n-- Revises: zz99\nSELECT 1;\n',
      /Revision zz99 referenced from a1 \(downRevision\) is not present \(.*bad\.sql\)/,
    ],
  ]
  for (const [what, source, message] of cases) {
    test(`${what}: one line naming the file and line, for graph commands and upgrade alike`, async () => {
      const dir = project()
      writeFileSync(join(dir, 'migrations', 'bad.sql'), source)
      for (const args of [['heads'], ['history'], ['upgrade', 'head', '--url', 'sqlite:db.sqlite']]) {
        const run = await mig(dir, args)
        assert.equal(run.code, 1, run.stderr)
        const lines = run.stderr.trim().split('\n')
        assert.match(lines.at(-1) ?? '', /^error: /)
        assert.match(lines.at(-1) ?? '', message)
      }
    })
  }

  for (const kind of DATABASE_KINDS) {
    test(`${kind.name}: an unterminated string or dollar quote fails the run before any step`, async () => {
      const dir = project()
      const db = await kind.create(dir)
      try {
        sqlRevision(
          dir,
          'aa01_one.sql',
          { id: 'aa01' },
          '-- UP\nCREATE TABLE one (id int);\n-- DOWN\nDROP TABLE one;\n',
        )
        const quote = flavourOf(kind) === 'postgres' ? 'AS $body$ SELECT 1;' : "VALUES ('abc;"
        sqlRevision(dir, 'bb02_two.sql', { id: 'bb02', revises: 'aa01' }, `SELECT 1;\nSELECT 2 ${quote}\n`)
        const run = await mig(dir, [...db.args, 'upgrade', 'head'])
        assert.equal(run.code, 1)
        assert.match(run.stderr, /bb02_two\.sql:5: unterminated (dollar quote \$body\$|string)\n$/)
        assert.doesNotMatch(run.stderr, /Running upgrade/)
        assert.equal(await db.versions(), null)
        assert.deepEqual(await db.schema(), [])
      } finally {
        await db.drop()
      }
    })
  }
})

describe('mig revision --format sql, and revisionFormat', () => {
  test('revision and merge write .sql files from the template; the config sets the default', async () => {
    const dir = project()
    const first = await mig(dir, ['revision', '-m', 'create users', '--format', 'sql', '--rev-id', 'aa01'])
    assert.equal(first.code, 0, first.stderr)
    const path = join(dir, 'migrations', 'aa01_create_users.sql')
    assert.equal(first.stdout, `Generating ${path} ...  done\n`)
    const text = readFileSync(path, 'utf8')
    assert.match(
      text,
      /^-- create users\n--\n-- Revision ID: aa01\n-- Revises: \n-- Create Date: \d{4}-\d\d-\d\d [\d:.]+\n\n-- migrate: up\n/,
    )
    assert.match(text, /\n-- migrate: down\n/)
    const ts = await mig(dir, [
      'revision',
      '-m',
      'side',
      '--head',
      'base',
      '--branch-label',
      'side',
      '--rev-id',
      'bb02',
    ])
    assert.equal(ts.code, 0, ts.stderr)
    assert.ok(existsSync(join(dir, 'migrations', 'bb02_side.ts')))

    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', revisionFormat: 'sql' }\n",
    )
    const merged = await mig(dir, ['merge', 'heads', '-m', 'join', '--rev-id', 'cc03'])
    assert.equal(merged.code, 0, merged.stderr)
    assert.match(
      readFileSync(join(dir, 'migrations', 'cc03_join.sql'), 'utf8'),
      /^-- join\n--\n-- Revision ID: cc03\n-- Revises: aa01, bb02\n/,
    )
    const heads = await mig(dir, ['heads'])
    assert.equal(heads.stdout, 'cc03 (side) (head)\n')
    const up = await mig(dir, ['--url', 'sqlite:db.sqlite', 'upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    const down = await mig(dir, ['--url', 'sqlite:db.sqlite', 'downgrade', 'base'])
    assert.equal(down.code, 0, down.stderr)

    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', revisionFormat: 'py' }\n",
    )
    const bad = await mig(dir, ['heads'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /config key 'revisionFormat' must be 'ts' or 'sql', got "py"\n$/)
  })
})
