// The graph-only commands' text, built with `mig revision` and `mig merge` as a user would, and
// compared with what Alembic 1.8 prints for the same graph (`alembic heads/branches/history/show`
// on an equivalent environment made with --rev-id, --head, --splice, --branch-label and
// --depends-on). Alembic orders a branch point's children by set iteration, which varies from run
// to run; migraph sorts them.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { generatedPath, headerOf, writeConfig } from '../helpers/project-files.js'

const DATE = /Create Date: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})$/gm

/** Replaces each `Create Date:` value (checked for Alembic's format) by `<date>`. */
function withoutDates(text: string): string {
  return text.replace(DATE, 'Create Date: <date>')
}

describe('graph-only commands print Alembic text', () => {
  const project = tempProject()
  const dir = project.dir
  const run = (...args: string[]) => mig(dir, args)
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    assert.equal(result.stderr, '', `mig ${args.join(' ')} wrote to stderr`)
    return result
  }
  const path = (name: string) => `${dir}/migrations/${name}.ts`
  const block = (lines: string) => `${lines}\n\n`

  before(async () => {
    writeConfig(dir)
    await ok('revision', '-m', 'base one', '--rev-id', 'a1')
    await ok('revision', '-m', 'b branch', '--rev-id', 'b1')
  })
  after(() => project.cleanup())

  test('revision after a non-head needs --splice; --splice starts a branch', async () => {
    const refused = await run('revision', '-m', 'c branch', '--head', 'a1', '--rev-id', 'c1')
    assert.equal(refused.code, 1)
    assert.equal(
      refused.stderr,
      'error: Revision a1 is not a head revision; please specify --splice to create a new branch from this revision\n',
    )
    const spliced = await ok('revision', '-m', 'c branch', '--head', 'a1', '--splice', '--rev-id', 'c1')
    assert.equal(spliced.stdout, `Generating ${path('c1_c_branch')} ...  done\n`)
    assert.equal(headerOf(path('c1_c_branch')).downRevision, "'a1'")
  })

  test('revision with two heads and no --head asks for one; a bad or taken --rev-id is refused', async () => {
    const many = await run('revision', '-m', 'next')
    assert.equal(many.code, 1)
    assert.equal(
      many.stderr,
      'error: Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.\n',
    )
    const bad = await run('revision', '-m', 'x', '--rev-id', 'a-b')
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^error: .*'a-b'.*'-'/)
    const taken = await run('revision', '-m', 'x', '--rev-id', 'a1')
    assert.equal(taken.stderr, `error: revision id 'a1' already exists in ${path('a1_base_one')}\n`)
  })

  test('heads and branches', async () => {
    assert.equal((await ok('heads')).stdout, 'b1 (head)\nc1 (head)\n')
    assert.equal((await ok('branches')).stdout, 'a1 (branchpoint)\n   -> b1 (head)\n   -> c1 (head)\n\n')
    assert.equal(
      withoutDates((await ok('branches', '-v')).stdout),
      `Rev: a1 (branchpoint)
Parent: <base>
Branches into: b1, c1
Path: ${path('a1_base_one')}

    base one
    
    Revision ID: a1
    Revises: 
    Create Date: <date>

   -> b1 (head), b branch
   -> c1 (head), c branch

`,
    )
  })

  test('merge, a labelled base and a dependency complete the graph', async () => {
    const merged = await ok('merge', 'heads', '-m', 'merge', '--rev-id', 'm1')
    assert.equal(generatedPath(merged.stdout), path('m1_merge'))
    assert.equal(headerOf(path('m1_merge')).downRevision, "['b1', 'c1']")
    await ok(
      'revision',
      '-m',
      'billing start',
      '--head',
      'base',
      '--branch-label',
      'billing',
      '--rev-id',
      'x1',
    )
    const label = await run(
      'revision',
      '-m',
      'again',
      '--head',
      'base',
      '--branch-label',
      'billing',
      '--rev-id',
      'y1',
    )
    assert.equal(
      label.stderr,
      `error: Branch name 'billing' in revision y1 already used by revision x1 (${path('x1_billing_start')})\n`,
    )
    await ok(
      'revision',
      '-m',
      'billing two',
      '--head',
      'billing@head',
      '--depends-on',
      'm1',
      '--rev-id',
      'x2',
    )
    assert.equal(headerOf(path('x2_billing_two')).dependsOn, "['m1']")
  })

  test('heads, heads --resolve-dependencies and heads -v', async () => {
    assert.equal((await ok('heads')).stdout, 'm1 (effective head)\nx2 (billing) (head)\n')
    assert.equal((await ok('heads', '--resolve-dependencies')).stdout, 'x2 (billing) (head)\n')
    assert.equal(
      withoutDates((await ok('heads', '-v')).stdout),
      block(`Rev: m1 (head) (mergepoint)
Merges: b1, c1
Path: ${path('m1_merge')}

    merge
    
    Revision ID: m1
    Revises: b1, c1
    Create Date: <date>`) +
        block(`Rev: x2 (head)
Parent: x1
Also depends on: m1
Branch names: billing
Path: ${path('x2_billing_two')}

    billing two
    
    Revision ID: x2
    Revises: x1
    Create Date: <date>`),
    )
  })

  test('history, newest first, with ranges', async () => {
    assert.equal(
      (await ok('history')).stdout,
      `x1 (m1) -> x2 (billing) (head), billing two
<base> -> x1 (billing), billing start
b1, c1 -> m1 (effective head) (mergepoint), merge
a1 -> b1, b branch
a1 -> c1, c branch
<base> -> a1 (branchpoint), base one
`,
    )
    assert.equal(
      (await ok('history', '-r', 'b1:m1')).stdout,
      'b1, c1 -> m1 (effective head) (mergepoint), merge\na1 -> b1, b branch\n',
    )
    assert.equal(
      (await ok('history', '-r', 'x1:')).stdout,
      'x1 (m1) -> x2 (billing) (head), billing two\n<base> -> x1 (billing), billing start\n',
    )
  })

  test('history -v and show print the verbose block of each revision', async () => {
    const history = withoutDates((await ok('history', '-v', '-r', 'a1:b1')).stdout)
    assert.equal(
      history,
      block(`Rev: b1
Parent: a1
Path: ${path('b1_b_branch')}

    b branch
    
    Revision ID: b1
    Revises: a1
    Create Date: <date>`) +
        block(`Rev: a1 (branchpoint)
Parent: <base>
Branches into: b1, c1
Path: ${path('a1_base_one')}

    base one
    
    Revision ID: a1
    Revises: 
    Create Date: <date>`),
    )
    assert.equal(
      withoutDates((await ok('show', 'billing@head')).stdout),
      block(`Rev: x2 (head)
Parent: x1
Also depends on: m1
Branch names: billing
Path: ${path('x2_billing_two')}

    billing two
    
    Revision ID: x2
    Revises: x1
    Create Date: <date>`),
    )
    const unknown = await run('show', 'zzzz')
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr, "error: Can't locate revision identified by 'zzzz'\n")
  })
})
