// Several versions folders (Alembic's version_locations): where `mig revision` writes, the errors
// for a new base without --version-path, and one graph read from every folder (history and upgrade
// order as Alembic 1.8 gives them for the same environment).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { generatedPath, headerOf, progress, writeConfig } from '../helpers/project-files.js'

describe('several version locations', () => {
  const project = tempProject()
  const dir = project.dir
  const run = (...args: string[]) => mig(dir, args)
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    return result
  }
  let db: TestDatabase

  before(async () => {
    writeConfig(dir, ['a', 'b'])
    const sqlite = DATABASE_KINDS.find((k) => k.name === 'SQLite')
    assert.ok(sqlite)
    db = await sqlite.create(dir)
  })
  after(async () => {
    await db.drop()
    project.cleanup()
  })

  test('a new base needs --version-path, which must be a configured location', async () => {
    const missing = await run('revision', '-m', 'one', '--rev-id', 'a1')
    assert.equal(missing.code, 1)
    assert.equal(
      missing.stderr,
      `error: several version locations are configured (${join(dir, 'a')}, ${join(dir, 'b')}); give --version-path for a new base revision\n`,
    )
    const unknown = await run('revision', '-m', 'one', '--rev-id', 'a1', '--version-path', 'c')
    assert.equal(unknown.code, 1)
    assert.equal(
      unknown.stderr,
      `error: --version-path c is not one of the configured version locations: ${join(dir, 'a')}, ${join(dir, 'b')}\n`,
    )
    assert.equal(existsSync(join(dir, 'c')), false)
  })

  test('--version-path picks the folder; a revision follows its parent into the parent folder', async () => {
    const one = await ok('revision', '-m', 'one', '--rev-id', 'a1', '--version-path', 'a')
    assert.equal(generatedPath(one.stdout), join(dir, 'a/a1_one.ts'))
    const two = await ok('revision', '-m', 'two', '--rev-id', 'a2')
    assert.equal(generatedPath(two.stdout), join(dir, 'a/a2_two.ts'))
    const plugin = await ok(
      'revision',
      '-m',
      'plugin base',
      '--rev-id',
      'p1',
      '--head',
      'base',
      '--branch-label',
      'plugin',
      '--version-path',
      'b',
    )
    assert.equal(generatedPath(plugin.stdout), join(dir, 'b/p1_plugin_base.ts'))
    const next = await ok('revision', '-m', 'plugin two', '--rev-id', 'p2', '--head', 'plugin@head')
    assert.equal(generatedPath(next.stdout), join(dir, 'b/p2_plugin_two.ts'))
    assert.equal(headerOf(join(dir, 'b/p2_plugin_two.ts')).downRevision, "'p1'")
    const another = await run('revision', '-m', 'other', '--rev-id', 'q1', '--head', 'base')
    assert.equal(another.code, 1)
    assert.match(another.stderr, /^error: several version locations are configured .*--version-path/)
  })

  test('heads, history and upgrade see one graph across both folders', async () => {
    assert.equal((await ok('heads')).stdout, 'a2 (head)\np2 (plugin) (head)\n')
    assert.equal(
      (await ok('history')).stdout,
      'a1 -> a2 (head), two\n<base> -> a1, one\np1 -> p2 (plugin) (head), plugin two\n<base> -> p1 (plugin), plugin base\n',
    )
    const up = await ok(...db.args, 'upgrade', 'heads')
    assert.deepEqual(progress(up.stderr), [
      'Running upgrade  -> p1, plugin base',
      'Running upgrade p1 -> p2, plugin two',
      'Running upgrade  -> a1, one',
      'Running upgrade a1 -> a2, two',
    ])
    assert.deepEqual(await db.versions(), ['a2', 'p2'])
  })
})
