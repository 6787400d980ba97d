// The layout of `--sql` scripts where Alembic's is the reference, through the real binary: runs
// that do nothing, the version table dropped after the last transaction, stamps of several
// ranges from one start; and the refusals Alembic makes (or crashes on) instead of a script.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

const URL = ['--url', 'postgres://nobody@127.0.0.1:1/none']
const CREATE =
  'create table "mig_version" ("version_num" varchar(32) not null, constraint "mig_version_pkc" primary key ("version_num"));'
const DROP = 'drop table "mig_version";'

describe('offline scripts laid out as Alembic lays them out', () => {
  const project = tempProject()
  const dir = project.dir
  const run = (...args: string[]) => mig(dir, [...args, ...URL])
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result.stdout
  }
  const refused = async (args: string[], message: string) => {
    const result = await run(...args)
    assert.equal(result.code, 1, `mig ${args.join(' ')}: ${result.stdout}`)
    assert.equal(result.stdout, '')
    assert.equal(result.stderr, `error: ${message}\n`)
  }
  const grouped = (on: boolean) =>
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      `export default { migrations: 'migrations', transactionPerMigration: ${on} }\n`,
    )

  before(() => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'one' })
    writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'two' })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'three' })
  })
  after(() => project.cleanup())

  test('a run from base with no step drops the version table; from a revision, nothing', async () => {
    grouped(true)
    assert.equal(await ok('downgrade', 'base:base', '--sql'), `${DROP}\n`)
    assert.equal(await ok('upgrade', 'b1:b1', '--sql'), '')
    grouped(false)
    assert.equal(await ok('downgrade', 'base:base', '--sql'), `BEGIN;\n\n${DROP}\n\nCOMMIT;\n`)
    assert.equal(await ok('upgrade', 'b1:b1', '--sql'), 'BEGIN;\n\nCOMMIT;\n')
  })

  test('to base: the drop after the last COMMIT per revision, inside the one transaction else', async () => {
    grouped(true)
    const perRevision = await ok('downgrade', 'b1:base', '--sql')
    assert.ok(perRevision.endsWith(`COMMIT;\n\n${DROP}\n`), perRevision)
    grouped(false)
    const whole = await ok('downgrade', 'b1:base', '--sql')
    assert.ok(whole.startsWith('BEGIN;\n\n-- Running downgrade b1 -> a1'), whole)
    assert.ok(whole.endsWith(`${DROP}\n\nCOMMIT;\n`), whole)
    grouped(true)
  })

  test('stamp of several ranges from one start: an UPDATE for the first, an INSERT for the second', async () => {
    assert.equal(
      await ok('stamp', 'a1:b1', 'a1:c1', '--sql'),
      [
        'BEGIN;',
        '-- Running stamp_revision a1 -> b1',
        `update "mig_version" set "version_num" = 'b1' where "version_num" = 'a1';`,
        'COMMIT;',
        'BEGIN;',
        '-- Running stamp_revision a1 -> c1',
        `insert into "mig_version" ("version_num") values ('c1');`,
        'COMMIT;\n',
      ].join('\n\n'),
    )
    await refused(
      ['stamp', 'a1:b1', 'b1:c1', '--sql'],
      'Stamp operation with --sql only supports a single starting revision at a time',
    )
    assert.match(
      await ok('stamp', 'base:a1', '--sql'),
      new RegExp(`^BEGIN;\n\n${CREATE.replace(/[()]/g, '\\$&')}`),
    )
  })

  test('--purge is refused with --sql, as Alembic refuses it', async () => {
    await refused(['stamp', 'b1', '--sql', '--purge'], "Can't use --purge with --sql mode")
    await refused(['stamp', 'a1:b1', '--purge', '--sql'], "Can't use --purge with --sql mode")
  })

  test('a range from the head of an empty graph is refused, not an empty success', async () => {
    const empty = tempProject()
    try {
      writeConfig(empty.dir)
      for (const args of [
        ['upgrade', 'head:heads', '--sql'],
        ['downgrade', 'heads:base', '--sql'],
      ]) {
        const result = await mig(empty.dir, [...args, ...URL])
        assert.equal(result.code, 1, result.stdout)
        assert.equal(result.stdout, '')
        assert.match(result.stderr, /^error: Starting revision 'heads?' of the range names no revision\n$/)
      }
    } finally {
      empty.cleanup()
    }
  })
})
