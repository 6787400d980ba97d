// `ensure-version` and `stamp` online, on every database: the version table's rows after each
// command, and the progress lines, are what Alembic 1.8 gives for the same sequence on the same
// graph (a1 → b1 | c1 → m1).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { progress, writeConfig, writeRevision } from '../helpers/project-files.js'

/** Each stamp command, what it logs and the rows it leaves. */
const SEQUENCE: readonly { args: readonly string[]; log: readonly string[]; rows: readonly string[] }[] = [
  { args: ['a1'], log: ['Running stamp_revision  -> a1'], rows: ['a1'] },
  { args: ['b1'], log: ['Running stamp_revision a1 -> b1'], rows: ['b1'] },
  { args: ['c1'], log: ['Running stamp_revision  -> c1'], rows: ['b1', 'c1'] },
  { args: ['m1'], log: ['Running stamp_revision b1, c1 -> m1'], rows: ['m1'] },
  { args: ['a1'], log: ['Running stamp_revision m1 -> a1'], rows: ['a1'] },
  {
    args: ['b1', 'c1'],
    log: ['Running stamp_revision a1 -> b1', 'Running stamp_revision a1 -> c1'],
    rows: ['b1', 'c1'],
  },
  { args: ['--purge', 'a1'], log: ['Running stamp_revision  -> a1'], rows: ['a1'] },
  { args: ['heads'], log: ['Running stamp_revision a1 -> m1'], rows: ['m1'] },
  { args: ['base'], log: ['Running stamp_revision m1 -> '], rows: [] },
]

for (const kind of DATABASE_KINDS) {
  describe(`stamp and ensure-version on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const ok = async (...args: string[]) => {
      const result = await mig(dir, [...db.args, ...args])
      assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
      assert.equal(result.stdout, '')
      return result
    }

    before(async () => {
      writeConfig(dir)
      // Stamping never imports a module: these would fail if it did.
      const preamble = "throw new Error('stamp imported a revision module')"
      writeRevision(dir, 'migrations', { id: 'a1', message: 'base one', preamble })
      writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'b branch', preamble })
      writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'c branch', preamble })
      writeRevision(dir, 'migrations', { id: 'm1', down: ['b1', 'c1'], message: 'merge', preamble })
      db = await kind.create(dir)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('ensure-version creates the empty version table, and is idempotent', async () => {
      assert.equal(await db.versions(), null)
      await ok('ensure-version')
      assert.deepEqual(await db.versions(), [])
      await ok('ensure-version')
      assert.deepEqual(await db.versions(), [])
    })

    test('stamp moves, branches, merges, purges and clears the version rows', async () => {
      for (const step of SEQUENCE) {
        const result = await ok('stamp', ...step.args)
        assert.deepEqual(progress(result.stderr), step.log, `stamp ${step.args.join(' ')}`)
        assert.deepEqual(await db.versions(), step.rows, `stamp ${step.args.join(' ')}`)
      }
    })

    test('stamping an unknown revision fails and changes nothing', async () => {
      await ok('stamp', 'b1')
      const result = await mig(dir, [...db.args, 'stamp', 'zzzz'])
      assert.equal(result.code, 1)
      assert.equal(result.stderr, "error: Can't locate revision identified by 'zzzz'\n")
      assert.deepEqual(await db.versions(), ['b1'])
    })
  })
}
