// Read-only commands on the embedded database answer from the state its last user left, recorded
// at close, for as long as the data directory provably has not changed; every way of changing it
// sends them back to the database itself.
import assert from 'node:assert/strict'
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import { mig, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

const A = 'aaaaaaaaaaaa'
const B = 'bbbbbbbbbbbb'

/** The control file's bytes and times: any real open of the database rewrites it at shutdown. */
function controlFile(dataDir: string): string {
  const path = join(dataDir, 'global', 'pg_control')
  const stats = statSync(path, { bigint: true })
  return `${stats.mtimeNs}:${stats.ctimeNs}:${readFileSync(path).toString('hex')}`
}

function snapshots(dir: string): string[] {
  return readdirSync(join(dir, 'node_modules/.cache/migraph')).filter((name) =>
    name.startsWith('embedded-state-'),
  )
}

async function currentOf(dir: string): Promise<string> {
  const result = await mig(dir, ['current'])
  assert.equal(result.code, 0, result.stderr)
  return result.stdout.trim()
}

describe('read-only commands on the embedded database', () => {
  const project = tempProject('mig-snapshot-')
  const dir = project.dir
  const dataDir = join(dir, '.migraph', 'pglite')

  before(async () => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', {
      id: A,
      message: 'first',
      upgrade: ["await op.createTable('a', (t) => t.addColumn('id', 'integer'))"],
      downgrade: ["await op.dropTable('a')"],
    })
    writeRevision(dir, 'migrations', {
      id: B,
      down: A,
      message: 'second',
      upgrade: ["await op.createTable('b', (t) => t.addColumn('id', 'integer'))"],
      downgrade: ["await op.dropTable('b')"],
    })
    await freshPgliteDir(dataDir)
  })
  after(() => project.cleanup())

  test('answer without opening the database once a command has closed it', async () => {
    const up = await mig(dir, ['upgrade', A])
    assert.equal(up.code, 0, up.stderr)
    assert.equal(snapshots(dir).length, 1)
    const control = controlFile(dataDir)
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
    const check = await mig(dir, ['check'])
    // Pending B: check says so from the snapshot, the database untouched.
    assert.equal(check.code, 7, check.stderr)
    assert.equal(controlFile(dataDir), control, 'the data directory was opened')
  })

  test('a later upgrade or downgrade is seen at once', async () => {
    assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
    assert.match(await currentOf(dir), new RegExp(`^${B} \\(head\\)`))
    assert.equal((await mig(dir, ['downgrade', '-1'])).code, 0)
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
  })

  test('a change made by another program, without migraph, is seen', async () => {
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
    const db = new PGlite(dataDir)
    await db.query(`update mig_version set version_num = '${B}'`)
    await db.close()
    assert.match(await currentOf(dir), new RegExp(`^${B} \\(head\\)`))
    const db2 = new PGlite(dataDir)
    await db2.query(`update mig_version set version_num = '${A}'`)
    await db2.close()
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
  })

  test('a data directory restored from a copy with its old times is seen', async () => {
    const backup = join(dir, 'backup')
    cpSync(dataDir, backup, { recursive: true, preserveTimestamps: true })
    assert.equal((await mig(dir, ['upgrade', 'head'])).code, 0)
    assert.match(await currentOf(dir), new RegExp(`^${B} \\(head\\)`))
    // Put back, as `cp -a` would, over the directory migraph last closed.
    rmSync(dataDir, { recursive: true })
    renameSync(backup, dataDir)
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
  })

  test('a lock file beside the directory means the database itself is asked', async () => {
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
    const lock = `${dataDir}.lock`
    // Held by a live process (this one): a snapshot would hide a run in progress.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname() }))
    try {
      const result = await mig(dir, ['current', '--lock-timeout', '1'])
      assert.equal(result.code, 3, `${result.stdout}\n${result.stderr}`)
    } finally {
      rmSync(lock, { force: true })
    }
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
  })

  test('an unreadable or foreign snapshot is ignored', async () => {
    for (const name of snapshots(dir)) {
      writeFileSync(
        join(dir, 'node_modules/.cache/migraph', name),
        '{"startedMs": 1, "format": 1, "heads": ["',
      )
    }
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
    // Another version table is another question: its snapshot is its own.
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      "export default { migrations: 'migrations', versionTable: 'other_version' }\n",
    )
    try {
      assert.equal(await currentOf(dir), '')
    } finally {
      writeConfig(dir)
    }
    assert.match(await currentOf(dir), new RegExp(`^${A}\\b`))
  })
})

describe('read-only commands over a fleet of schemas on the embedded database', () => {
  test("each schema target reads its own version table, never another target's recorded state", async () => {
    const project = tempProject('mig-snapshot-fleet-')
    try {
      const dir = project.dir
      writeFileSync(
        join(dir, 'migrate.config.ts'),
        "export default { migrations: 'migrations', targets: { schemas: ['ta', 'tb'] } }\n",
      )
      writeRevision(dir, 'migrations', { id: A, message: 'first' })
      const dataDir = join(dir, '.migraph', 'pglite')
      await freshPgliteDir(dataDir)
      const up = await mig(dir, ['upgrade', 'head', '--all', '--parallel', '1'])
      assert.equal(up.code, 0, up.stderr)
      // tb taken back to base behind migraph's back: the two targets now differ.
      const db = new PGlite(dataDir)
      await db.query('delete from tb.mig_version')
      await db.close()
      for (let round = 0; round < 2; round++) {
        const result = await mig(dir, ['current', '--all', '--parallel', '1', '--json'])
        assert.equal(result.code, 0, result.stderr)
        const targets = (JSON.parse(result.stdout) as { targets: { target: string; to: string[] }[] }).targets
        const of = (name: string) => targets.find((t) => t.target.endsWith(name))?.to
        assert.deepEqual([of('ta'), of('tb')], [[A], []], `round ${round}: ${result.stdout}`)
      }
    } finally {
      project.cleanup()
    }
  })
})
