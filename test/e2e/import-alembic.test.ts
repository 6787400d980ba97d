// `mig import alembic` with the real binary on a real Alembic project: `alembic init`,
// `alembic revision` (a branch and a merge among them), `alembic upgrade` against a SQLite file
// leaving two heads in `alembic_version`; then the import keeps the graph and its ids, stamps
// exactly those heads, and `mig upgrade head` runs the merge. Skipped without python3-alembic.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'
import { findAlembicPython } from '../helpers/python-alembic.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

const python = findAlembicPython()

function alembic(dir: string, ...args: string[]): void {
  const run = spawnSync(python as string, ['-m', 'alembic', ...args], { cwd: dir, encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
}

/** Replaces a revision's `pass` body in the file Alembic generated. */
function body(dir: string, id: string, upgrade: string, downgrade: string): void {
  const folder = join(dir, 'alembic/versions')
  const file = join(folder, readdirSync(folder).find((name) => name.startsWith(id)) as string)
  const text = readFileSync(file, 'utf8')
    .replace(/def upgrade\(\) -> None:\n {4}pass/, `def upgrade() -> None:\n${upgrade}`)
    .replace(/def downgrade\(\) -> None:\n {4}pass/, `def downgrade() -> None:\n${downgrade}`)
  writeFileSync(file, text)
}

/** An Alembic project on `app.db`: aaa111, then bbb222 and ccc333 (label `side`) on it, merged by ddd444. */
function alembicProject(): string {
  const { dir, cleanup } = tempProject('mig-import-alembic-')
  cleanups.push(cleanup)
  alembic(dir, 'init', 'alembic')
  const ini = join(dir, 'alembic.ini')
  writeFileSync(
    ini,
    readFileSync(ini, 'utf8').replace(/^sqlalchemy\.url = .*$/m, 'sqlalchemy.url = sqlite:///app.db'),
  )
  alembic(dir, 'revision', '-m', 'create account table', '--rev-id', 'aaa111')
  alembic(dir, 'revision', '-m', 'add a column', '--rev-id', 'bbb222')
  alembic(
    dir,
    'revision',
    '-m',
    'side table',
    '--rev-id',
    'ccc333',
    '--head',
    'aaa111',
    '--splice',
    '--branch-label',
    'side',
  )
  alembic(dir, 'merge', '-m', 'merge', '--rev-id', 'ddd444', 'heads')
  body(
    dir,
    'aaa111',
    '    op.execute(\n        """\n        CREATE TABLE account (\n            id INTEGER PRIMARY KEY,\n            name VARCHAR(50) NOT NULL\n        )\n        """\n    )',
    '    op.execute("DROP TABLE account")',
  )
  body(
    dir,
    'bbb222',
    "    op.add_column('account', sa.Column('last_transaction_date', sa.DateTime))",
    "    op.drop_column('account', 'last_transaction_date')",
  )
  body(dir, 'ccc333', '    op.execute("CREATE TABLE side (id INTEGER)")', '    op.execute("DROP TABLE side")')
  body(
    dir,
    'ddd444',
    '    op.execute("INSERT INTO side (id) VALUES (1)")',
    '    op.execute("DELETE FROM side")',
  )
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    "export default { migrations: 'migrations', url: 'sqlite:app.db' }\n",
  )
  return dir
}

describe('mig import alembic', {
  skip: python === null ? 'python3 with alembic is not installed' : false,
}, () => {
  test('the graph keeps its ids; --stamp stamps the heads alembic_version holds; the merge then runs', async () => {
    const dir = alembicProject()
    alembic(dir, 'upgrade', 'bbb222')
    alembic(dir, 'upgrade', 'ccc333')
    const imported = await mig(dir, ['import', 'alembic', 'alembic/versions', '--stamp'])
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(
      imported.stdout,
      /Imported 4 alembic migrations\nStamped (bbb222, ccc333|ccc333, bbb222): the 3 migration\(s\) alembic recorded as applied\n$/,
    )
    const heads = await mig(dir, ['heads'])
    assert.equal(heads.stdout, 'ddd444 (side) (head)\n')
    const current = await mig(dir, ['current'])
    assert.deepEqual(current.stdout.trim().split('\n').sort(), ['bbb222', 'ccc333'])
    const history = await mig(dir, ['history'])
    assert.equal(
      history.stdout,
      `ccc333, bbb222 -> ddd444 (side) (head) (mergepoint), merge
aaa111 -> ccc333 (side), side table
aaa111 -> bbb222, add a column
<base> -> aaa111 (branchpoint), create account table
`,
    )

    const up = await mig(dir, ['upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    assert.match(up.stderr, /\[1\/1\] Running upgrade (ccc333, bbb222|bbb222, ccc333) -> ddd444, merge/)
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(dir, 'app.db'), { readonly: true })
    assert.deepEqual(db.prepare('SELECT id FROM side').all(), [{ id: 1 }])
    db.close()

    // A body in Python cannot run: it says so, naming the revision and the file.
    const down = await mig(dir, ['downgrade', 'aaa111'])
    assert.equal(down.code, 1)
    assert.match(
      down.stderr,
      /error: revision bbb222 downgrade\(\) failed: ported from Alembic: write this revision's ops \(bbb222 downgrade\(\) in bbb222_add_a_column\.py\)\n$/,
    )
    const file = readdirSync(join(dir, 'migrations')).find((name) => name.startsWith('bbb222')) as string
    assert.match(
      readFileSync(join(dir, 'migrations', file), 'utf8'),
      /\/\/ {5}op\.drop_column\('account', 'last_transaction_date'\)/,
    )
  })

  test('without --stamp, a fresh database runs the revisions whose bodies were literal SQL', async () => {
    const dir = alembicProject()
    const imported = await mig(dir, ['import', 'alembic', 'alembic/versions'])
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(
      imported.stdout,
      /The revisions keep alembic's ids: on a database it migrated, run 'mig stamp'/,
    )
    const up = await mig(dir, ['upgrade', 'ccc333'])
    assert.equal(up.code, 0, up.stderr)
    assert.match(
      up.stderr,
      /Running upgrade {2}-> aaa111, create account table[\s\S]*Running upgrade aaa111 -> ccc333, side table/,
    )
  })

  test('bad input: a header that is not a literal, a head the folder lacks, an empty folder; nothing written', async () => {
    const dir = alembicProject()
    const refuse = async (args: string[], message: RegExp) => {
      const run = await mig(dir, args)
      assert.equal(run.code, 1, run.stderr)
      assert.match(run.stderr.trim().split('\n').at(-1) ?? '', message)
      assert.equal(readdirSync(dir).includes('migrations'), false)
    }
    alembic(dir, 'upgrade', 'aaa111')
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(dir, 'app.db'))
    db.exec("UPDATE alembic_version SET version_num = 'fff999'")
    db.close()
    await refuse(
      ['import', 'alembic', 'alembic/versions', '--stamp'],
      /^error: mig import alembic: alembic_version records 'fff999', but alembic\/versions has no such revision; nothing was written$/,
    )
    writeFileSync(
      join(dir, 'alembic/versions/eee555_dynamic.py'),
      "revision = 'eee555'\ndown_revision = get_head()\n",
    )
    await refuse(
      ['import', 'alembic', 'alembic/versions'],
      /^error: .*alembic\/versions\/eee555_dynamic\.py: down_revision is not a literal \(None, a string, or a tuple or list of strings\); migraph reads Alembic headers without running Python$/,
    )
    mkdirSync(join(dir, 'empty'))
    await refuse(
      ['import', 'alembic', 'empty'],
      /^error: mig import alembic: .*empty holds no alembic migrations \(Alembic revision \.py files\)$/,
    )
    // Alembic's roots stay roots: a project that has revisions already is refused.
    rmSync(join(dir, 'alembic/versions/eee555_dynamic.py'))
    writeRevision(dir, 'migrations', { id: 'mine01', message: 'mine' })
    const mixed = await mig(dir, ['import', 'alembic', 'alembic'])
    assert.equal(mixed.code, 1)
    assert.match(mixed.stderr, /error: mig import alembic: the project already has revisions; .*\n$/)
    assert.deepEqual(readdirSync(join(dir, 'migrations')), ['mine01_mine.ts'])
  })
})
