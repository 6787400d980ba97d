// Branches, merges, branch labels and dependsOn through the real `mig` binary, on every database:
// the version table is read with the database's own driver after each step. The expected
// progress lines and texts are what Alembic 1.8 prints for the same graph.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { generatedPath, headerOf, progress, writeConfig, writeRevision } from '../helpers/project-files.js'

const MULTIPLE_HEADS =
  "error: Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads\n"

for (const kind of DATABASE_KINDS) {
  describe(`branches, merges and labels on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const run = (...args: string[]) => mig(dir, [...db.args, ...args])
    const ok = async (...args: string[]) => {
      const result = await run(...args)
      assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
      return result
    }

    before(async () => {
      writeConfig(dir)
      writeRevision(dir, 'migrations', { id: 'a1', message: 'base one' })
      writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'b branch' })
      writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'c branch' })
      db = await kind.create(dir, { embedded: kind.name === 'embedded PGlite' })
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('two revisions on one parent are two heads; upgrade head refuses and changes nothing', async () => {
      assert.equal((await ok('heads')).stdout, 'b1 (head)\nc1 (head)\n')
      const result = await run('upgrade', 'head')
      assert.equal(result.code, 1)
      assert.equal(result.stdout, '')
      assert.equal(result.stderr, MULTIPLE_HEADS)
      assert.equal(await db.versions(), null)
    })

    test('upgrade heads applies both branches: two rows', async () => {
      const result = await ok('upgrade', 'heads')
      assert.equal(result.stdout, '')
      assert.deepEqual(progress(result.stderr), [
        'Running upgrade  -> a1, base one',
        'Running upgrade a1 -> c1, c branch',
        'Running upgrade a1 -> b1, b branch',
      ])
      assert.deepEqual(await db.versions(), ['b1', 'c1'])
      assert.equal((await ok('current')).stdout, 'b1 (head)\nc1 (head)\n')
    })

    test('merge heads writes a revision after both; upgrade head leaves one row', async () => {
      const merge = await ok('merge', 'heads', '-m', 'merge', '--rev-id', 'm1')
      const header = headerOf(generatedPath(merge.stdout))
      assert.equal(header.downRevision, "['b1', 'c1']")
      assert.equal(header.revision, "'m1'")
      const upgrade = await ok('upgrade', 'head')
      assert.deepEqual(progress(upgrade.stderr), ['Running upgrade b1, c1 -> m1, merge'])
      assert.deepEqual(await db.versions(), ['m1'])
    })

    test('downgrade -1 from a merge point is an ambiguous walk (as in Alembic); naming a parent unmerges', async () => {
      const ambiguous = await run('downgrade', '-1')
      assert.equal(ambiguous.code, 1)
      // A writing command names its target first; the refusal is the one line after it.
      const [target, ...rest] = ambiguous.stderr.split('\n')
      assert.match(target ?? '', /^Target database: /)
      assert.equal(
        rest.join('\n'),
        "error: Ambiguous walk from m1 to one of b1, c1; name a revision or a '<branchname>@' prefix to choose\n",
      )
      assert.deepEqual(await db.versions(), ['m1'])
      const unmerge = await ok('downgrade', 'c1')
      assert.deepEqual(progress(unmerge.stderr), ['Running downgrade m1 -> b1, c1, merge'])
      assert.deepEqual(await db.versions(), ['b1', 'c1'])
      assert.equal((await ok('current')).stdout, 'b1\nc1\n')
      await ok('upgrade', 'head')
      assert.deepEqual(await db.versions(), ['m1'])
    })

    test('a labelled branch from base, depending on the merge, upgrades and downgrades on its own', async () => {
      const start = await ok(
        'revision',
        '--head',
        'base',
        '--branch-label',
        'billing',
        '-m',
        'billing start',
        '--rev-id',
        'x1',
      )
      assert.deepEqual(headerOf(generatedPath(start.stdout)), {
        revision: "'x1'",
        downRevision: 'null',
        branchLabels: "['billing']",
        dependsOn: 'null',
      })
      const two = await ok(
        'revision',
        '--head',
        'billing@head',
        '--depends-on',
        'm1',
        '-m',
        'billing two',
        '--rev-id',
        'x2',
      )
      assert.deepEqual(headerOf(generatedPath(two.stdout)), {
        revision: "'x2'",
        downRevision: "'x1'",
        branchLabels: 'null',
        dependsOn: "['m1']",
      })
      assert.equal((await ok('heads')).stdout, 'm1 (effective head)\nx2 (billing) (head)\n')
      assert.equal((await ok('heads', '--resolve-dependencies')).stdout, 'x2 (billing) (head)\n')

      const up = await ok('upgrade', 'billing@head')
      assert.deepEqual(progress(up.stderr), [
        'Running upgrade  -> x1, billing start',
        'Running upgrade x1 -> x2, billing two',
      ])
      // x2 depends on m1, so its row replaces m1's (Alembic's HeadMaintainer); m1 stays current.
      assert.deepEqual(await db.versions(), ['x2'])
    })

    test('current -v, history -i and history -r-1:current read the database', async () => {
      const verbose = await ok('current', '-v')
      const [first, ...rest] = verbose.stdout.split('\n')
      assert.match(first ?? '', /^Current revision\(s\) for \S+:$/)
      assert.doesNotMatch(first ?? '', /:[^/:@]*@/, 'no password in the URL')
      assert.equal(
        rest.join('\n'),
        `Rev: m1 (head) (mergepoint)
Merges: b1, c1
Path: ${dir}/migrations/m1_merge.ts

    merge
    
    Revision ID: m1
    Revises: b1, c1
    Create Date: ${/Create Date: (.*)/.exec(verbose.stdout)?.[1]}

Rev: x2 (head)
Parent: x1
Also depends on: m1
Branch names: billing
Path: ${dir}/migrations/x2_billing_two.ts

    billing two
    
    Revision ID: x2
    Revises: x1
    Create Date: ${[...verbose.stdout.matchAll(/Create Date: (.*)/g)][1]?.[1]}

`,
      )
      assert.equal(
        (await ok('history', '-i')).stdout,
        `x1 (m1) -> x2 (billing) (head) (current), billing two
<base> -> x1 (billing), billing start
b1, c1 -> m1 (effective head) (mergepoint), merge
a1 -> b1, b branch
a1 -> c1, c branch
<base> -> a1 (branchpoint), base one
`,
      )
      assert.equal(
        (await ok('history', '-r-1:current')).stdout,
        'x1 (m1) -> x2 (billing) (head), billing two\n<base> -> x1 (billing), billing start\n',
      )
    })

    test('downgrade billing@base removes only the labelled branch; downgrade base empties the table', async () => {
      const down = await ok('downgrade', 'billing@base')
      assert.deepEqual(progress(down.stderr), [
        'Running downgrade x2 -> x1, billing two',
        'Running downgrade x1 -> , billing start',
      ])
      assert.deepEqual(await db.versions(), ['m1'])
      const base = await ok('downgrade', 'base')
      assert.deepEqual(progress(base.stderr), [
        'Running downgrade m1 -> b1, c1, merge',
        'Running downgrade b1 -> a1, b branch',
        'Running downgrade c1 -> a1, c branch',
        'Running downgrade a1 -> , base one',
      ])
      assert.deepEqual(await db.versions(), [])
      assert.equal((await ok('current')).stdout, '')
    })
  })
}
