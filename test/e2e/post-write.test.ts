// Post-write hooks (Alembic's post_write_hooks) through the real `mig`: each `postWrite` command
// runs on every file `revision` and `merge` write; a failing one leaves the file and says so.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'

describe('postWrite', () => {
  const project = tempProject()
  const dir = project.dir
  after(() => project.cleanup())

  test('runs each command on the files revision and merge write, in order', async () => {
    writeFileSync(
      join(dir, 'migrate.config.ts'),
      `export default {
  postWrite: ['echo "// stamped by postWrite" >> {file}', 'cp {file} last-written.ts', 'ls >> seen.log'],
}
`,
    )
    mkdirSync(join(dir, 'migrations'))
    const a = await mig(dir, ['revision', '-m', 'first', '--rev-id', 'a1'])
    assert.equal(a.code, 0, a.stderr)
    const b = await mig(dir, ['revision', '-m', 'second', '--rev-id', 'b1', '--head', 'base'])
    assert.equal(b.code, 0, b.stderr)
    const m = await mig(dir, ['merge', 'heads', '-m', 'join', '--rev-id', 'm1'])
    assert.equal(m.code, 0, m.stderr)
    for (const file of ['a1_first.ts', 'b1_second.ts', 'm1_join.ts']) {
      const source = readFileSync(join(dir, 'migrations', file), 'utf8')
      assert.ok(source.endsWith('// stamped by postWrite\n'), `${file} went through the hook`)
    }
    assert.equal(
      readFileSync(join(dir, 'last-written.ts'), 'utf8'),
      readFileSync(join(dir, 'migrations/m1_join.ts'), 'utf8'),
    )
    // A command that does not name {file} gets the path as its last argument.
    assert.equal(readFileSync(join(dir, 'seen.log'), 'utf8').split('\n').filter(Boolean).length, 3)
  })

  test('a failing hook exits non-zero, names the file, and leaves it in place', async () => {
    writeFileSync(join(dir, 'migrate.config.ts'), "export default { postWrite: ['exit 2'] }\n")
    const result = await mig(dir, ['revision', '-m', 'third', '--rev-id', 'c1'])
    assert.equal(result.code, 1)
    const path = join(dir, 'migrations', 'c1_third.ts')
    assert.equal(
      result.stderr,
      `error: postWrite hook 'exit 2' exited with status 2; ${path} was written and left in place\n`,
    )
    assert.ok(existsSync(path))
  })
})
