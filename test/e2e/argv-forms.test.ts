// Every way argparse (and so Alembic) accepts an option's value works for `mig`, through the real
// binary: `-rVALUE`, `-r VALUE`, `--rev-range VALUE`, `--rev-range=VALUE`, for values that start
// with a letter, `:`, `-` or a digit; and revision arguments that start with `-`.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

describe('option values and dashed arguments as argparse reads them', () => {
  const project = tempProject()
  const dir = project.dir
  const run = (...args: string[]) =>
    mig(dir, args, { env: { MIG_DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` } })
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result
  }

  before(() => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'one' })
    writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'two' })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'three' })
    // An empty file is an empty SQLite database: `current` in a range reads it.
    writeFileSync(join(dir, 'db.sqlite'), '')
  })
  after(() => project.cleanup())

  const ALL = 'b1 -> c1 (head), three\na1 -> b1, two\n<base> -> a1, one\n'

  test('history -r in its four spellings, values starting with a letter, : or -', async () => {
    for (const args of [
      ['-rbase:heads'],
      ['-r', 'base:heads'],
      ['--rev-range', 'base:heads'],
      ['--rev-range=base:heads'],
      ['-rcurrent:'],
      ['-r:heads'],
    ]) {
      assert.equal((await ok('history', ...args)).stdout, ALL, args.join(' '))
    }
    for (const args of [['-rhead:'], ['-r', 'head:'], ['--rev-range', 'head:'], ['-rc1:']]) {
      assert.equal((await ok('history', ...args)).stdout, 'b1 -> c1 (head), three\n', args.join(' '))
    }
    const relative = (await ok('history', '--rev-range=-1:current')).stdout
    assert.notEqual(relative, '')
    for (const args of [['-r-1:current'], ['-r', '-1:current'], ['--rev-range', '-1:current']]) {
      assert.equal((await ok('history', ...args)).stdout, relative, args.join(' '))
    }
    assert.equal((await ok('history', '-vrc1:')).stdout.split('\n')[0], 'Rev: c1 (head)')
  })

  test('a glued value naming nothing is refused as Alembic refuses it, not read as other options', async () => {
    const result = await run('history', '-rc:+2')
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^error: Can't locate revision identified by 'c'/)
  })

  test('revision arguments that start with -', async () => {
    // Read as the range it is, so the refusal is the graph's, as Alembic's is.
    const up = await run('upgrade', '-1:head', '--sql')
    assert.equal(up.code, 1)
    assert.match(up.stderr, /^error: .*'-1'/)
    const down = await ok('downgrade', 'c1:-1', '--sql')
    assert.match(down.stdout, /-- Running downgrade c1 -> b1/)
    await ok('upgrade', 'head')
    const back = await ok('downgrade', '-1')
    assert.match(back.stderr, /Running downgrade c1 -> b1/)
    assert.equal((await ok('current')).stdout, 'b1\n')
  })

  test('show -N: the revision N below the head; a walk down to base is refused, not an empty success', async () => {
    assert.match((await ok('show', '-2')).stdout, /^Rev: a1\n/)
    const result = await run('show', '-3')
    assert.equal(result.code, 1)
    assert.equal(result.stdout, '')
    assert.equal(result.stderr, 'error: Relative revision -3 walks down to base\n')
  })

  test('-m, -c, -x and -t with glued values', async () => {
    await ok('revision', '-mglued message', '--rev-id', 'd1')
    assert.ok(readdirSync(join(dir, 'migrations')).includes('d1_glued_message.ts'))
    assert.equal((await ok('-cmigrate.config.ts', 'heads')).stdout, 'd1 (head)\n')
    await ok('upgrade', 'head', '--sql', '-xkey=value')
    await ok('init', '-tgeneric', 'fresh')
    assert.ok(existsSync(join(dir, 'fresh')))
  })
})
