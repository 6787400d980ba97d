// The history table, checksums and `mig check`, on every database; on MySQL/MariaDB, a revision
// that fails half-way is recorded as failed and settled with `mig resolve`.
import assert from 'node:assert/strict'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

for (const kind of DATABASE_KINDS) {
  describe(`history and mig check on ${kind.name}`, () => {
    const project = tempProject('mig-check-')
    const dir = project.dir
    let database: TestDatabase
    let second = ''
    const run = (...args: string[]) => mig(dir, [...args, ...database.args])

    before(async () => {
      writeConfig(dir)
      writeRevision(dir, 'migrations', {
        id: 'c0000000000a',
        message: 'first',
        upgrade: ["await op.createTable('t1', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('t1')"],
      })
      second = writeRevision(dir, 'migrations', {
        id: 'c0000000000b',
        down: 'c0000000000a',
        message: 'second',
        upgrade: ["await op.createTable('t2', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('t2')"],
      })
      database = await kind.create(dir)
    })
    after(async () => {
      await database.drop()
      project.cleanup()
    })

    test('pending revisions: exit 7, naming them', async () => {
      const result = await run('check')
      assert.equal(result.code, 7, result.stderr)
      assert.match(result.stderr, /^error: 2 revision\(s\) pending: c0000000000a, c0000000000b/)
      assert.equal(await database.versions(), null, 'check created the version table')
    })

    test('after upgrade head, check passes and the history holds one entry per step', async () => {
      assert.equal((await run('upgrade', 'head')).code, 0)
      const result = await run('check')
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /^OK: database at c0000000000b;/)
      const json = JSON.parse((await run('check', '--json')).stdout)
      assert.deepEqual(
        { heads: json.heads, ok: json.ok, pending: json.pending, changed: json.changed },
        { heads: ['c0000000000b'], ok: true, pending: [], changed: [] },
      )
    })

    test('line-ending changes are not edits', async () => {
      const source = readFileSync(second, 'utf8')
      writeFileSync(second, source.replaceAll('\n', '\r\n'))
      try {
        assert.equal((await run('check')).code, 0)
      } finally {
        writeFileSync(second, source)
      }
    })

    test('an edited applied revision: check exits 5, upgrade refuses unless told', async () => {
      const source = readFileSync(second, 'utf8')
      writeFileSync(second, source.replace("'t2'", "'t2_renamed'"))
      try {
        const checked = await run('check')
        assert.equal(checked.code, 5, checked.stderr)
        assert.match(
          checked.stderr,
          /c0000000000b_second\.ts \(revision c0000000000b\) changed after it was applied/,
        )
        const refused = await run('downgrade', '-1')
        assert.equal(refused.code, 5)
        assert.match(refused.stderr, /--ignore-checksums/)
        assert.deepEqual(await database.versions(), ['c0000000000b'])
      } finally {
        writeFileSync(second, source)
      }
      assert.equal((await run('check')).code, 0)
    })

    test('upgrade on a database at head imports no revision module', async () => {
      const source = readFileSync(second, 'utf8')
      writeFileSync(second, `throw new Error('imported!')\n${source}`)
      try {
        const result = await run('upgrade', 'head', '--ignore-checksums')
        assert.equal(result.code, 0, result.stderr)
        assert.doesNotMatch(result.stderr, /imported!/)
      } finally {
        writeFileSync(second, source)
      }
    })

    test('a revision the code does not know: exit 6', async () => {
      const moved = `${second}.bak`
      renameSync(second, moved)
      try {
        const result = await run('check')
        assert.equal(result.code, 6, result.stderr)
        assert.match(result.stderr, /records 'c0000000000b', which no revision file declares/)
      } finally {
        renameSync(moved, second)
      }
    })
  })
}

const sqlite = kind(DATABASE_KINDS.find((candidate) => candidate.name === 'SQLite'))
describe(`a revision file edited while it runs, on ${sqlite.name}`, () => {
  const project = tempProject('mig-edited-')
  const dir = project.dir
  let database: TestDatabase
  const run = (...args: string[]) => mig(dir, [...args, ...database.args])
  const file = join(dir, 'migrations', 'e0000000000a_edits_itself.ts')

  before(async () => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', {
      id: 'e0000000000a',
      message: 'edits itself',
      preamble: "import { appendFileSync } from 'node:fs'",
      upgrade: [
        "await op.createTable('t1', (t) => t.addColumn('id', 'integer'))",
        `appendFileSync(${JSON.stringify(file)}, '// edited while it ran\\n')`,
      ],
      downgrade: ["await op.dropTable('t1')"],
    })
    database = await sqlite.create(dir)
  })
  after(async () => {
    await database.drop()
    project.cleanup()
  })

  test('the history holds the checksum of the code that ran, so check sees the edit', async () => {
    const original = readFileSync(file, 'utf8')
    const upgraded = await run('upgrade', 'head')
    assert.equal(upgraded.code, 0, upgraded.stderr)
    assert.notEqual(readFileSync(file, 'utf8'), original, 'the revision did not edit its file')
    const checked = await run('check')
    assert.equal(checked.code, 5, checked.stderr)
    assert.match(
      checked.stderr,
      /e0000000000a_edits_itself\.ts \(revision e0000000000a\) changed after it was applied/,
    )
    writeFileSync(file, original)
    assert.equal((await run('check')).code, 0)
  })
})

const mariadb = DATABASE_KINDS.find((kind) => kind.name.includes('MariaDB') || kind.name.includes('MySQL'))
if (mariadb !== undefined) {
  describe(`a revision failing half-way on ${mariadb.name}`, () => {
    const project = tempProject('mig-partial-')
    const dir = project.dir
    let database: TestDatabase
    const run = (...args: string[]) => mig(dir, [...args, ...database.args])

    before(async () => {
      writeConfig(dir)
      writeRevision(dir, 'migrations', {
        id: 'd0000000000a',
        message: 'half way',
        upgrade: [
          "await op.createTable('made', (t) => t.addColumn('id', 'integer'))",
          "await op.execute('select * from no_such_table')",
        ],
        downgrade: ["await op.dropTable('made')"],
      })
      database = await kind(mariadb).create(dir)
    })
    after(async () => {
      await database.drop()
      project.cleanup()
    })

    test('exit 4 names what stayed applied and how to settle it', async () => {
      const result = await run('upgrade', 'head')
      assert.equal(result.code, 4, result.stderr)
      assert.match(result.stderr, /1 operation\(s\) of revision d0000000000a stayed applied/)
      assert.match(result.stderr, /mig resolve d0000000000a --applied/)
      // The tables may exist (they are created before a step that records its start), empty.
      assert.deepEqual((await database.versions()) ?? [], [], 'no version row: the revision did not complete')
    })

    test('upgrades and check refuse until resolved', async () => {
      assert.equal((await run('upgrade', 'head')).code, 4)
      assert.equal((await run('check')).code, 4)
    })

    test('resolve --applied records the revision; upgrades run again', async () => {
      const resolved = await run('resolve', 'd0000000000a', '--applied')
      assert.equal(resolved.code, 0, resolved.stderr)
      assert.deepEqual(await database.versions(), ['d0000000000a'])
      assert.equal((await run('check')).code, 0)
    })
  })
}

function kind<T>(value: T | undefined): T {
  assert.ok(value)
  return value
}
