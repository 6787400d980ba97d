// `downgrade <label>@<rev>` with the revision on another branch: Alembic proceeds (it runs the
// steps its plan gives), and so does `mig`: the check made before connecting reads the target
// with the planner's own parser, so it never refuses what the plan accepts.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { progress, writeConfig, writeRevision } from '../helpers/project-files.js'

describe('downgrade to a label@revision outside that label', () => {
  const project = tempProject()
  const dir = project.dir
  const run = (...args: string[]) => mig(dir, [...args, '--url', `sqlite:${join(dir, 'db.sqlite')}`])
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result
  }

  before(() => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', { id: 'x1', message: 'x one', branchLabels: ['xl'] })
    writeRevision(dir, 'migrations', { id: 'x2', down: 'x1', message: 'x two' })
    writeRevision(dir, 'migrations', { id: 'y1', message: 'y one', branchLabels: ['yl'] })
    writeRevision(dir, 'migrations', { id: 'y2', down: 'y1', message: 'y two' })
  })
  after(() => project.cleanup())

  test('runs the steps of the plan, as Alembic does', async () => {
    await ok('upgrade', 'heads')
    const down = await ok('downgrade', 'yl@x1')
    assert.deepEqual(progress(down.stderr), ['Running downgrade x2 -> x1, x two'])
    assert.equal((await ok('current')).stdout, 'x1\ny2 (head)\n')
  })

  test('a revision that does not exist is still refused', async () => {
    const result = await run('downgrade', 'yl@zz99')
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^error: Can't locate revision identified by 'zz99'/)
  })
})
