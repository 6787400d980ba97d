// Graph-only commands read revision headers as text and never import a revision module; a broken
// graph is reported, naming its files, before any connection is opened (on the embedded database,
// before .migraph/ is created).
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import {
  generatedPath,
  headerOf,
  type RevisionSpec,
  writeConfig,
  writeRevision,
} from '../helpers/project-files.js'

const THROWS = "throw new Error('imported!')"

describe('a revision module that throws when imported', () => {
  const project = tempProject()
  const dir = project.dir
  const pgliteDir = join(dir, '.migraph')
  let boom = ''
  const run = (...args: string[]) => mig(dir, args)
  const ok = async (...args: string[]) => {
    const result = await run(...args)
    assert.equal(result.code, 0, `mig ${args.join(' ')}: ${result.stderr}`)
    assert.doesNotMatch(result.stderr, /imported!/)
    return result
  }

  before(() => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', {
      id: 'a1',
      message: 'base one',
      upgrade: ['await op.execute("select 1")'],
    })
    boom = writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'boom', preamble: THROWS })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'c branch', preamble: THROWS })
  })
  after(() => project.cleanup())

  test('heads, branches, history and show read it without importing it', async () => {
    assert.equal((await ok('heads')).stdout, 'b1 (head)\nc1 (head)\n')
    assert.equal((await ok('branches')).stdout, 'a1 (branchpoint)\n   -> b1 (head)\n   -> c1 (head)\n\n')
    assert.equal(
      (await ok('history')).stdout,
      'a1 -> b1 (head), boom\na1 -> c1 (head), c branch\n<base> -> a1 (branchpoint), base one\n',
    )
    assert.match((await ok('show', 'b1')).stdout, /^Rev: b1 \(head\)\nParent: a1\n/)
    // Reading the (not yet existing) embedded database creates nothing.
    assert.equal((await ok('current')).stdout, '')
    assert.equal(
      (await ok('history', '-i', '-r', 'a1:b1')).stdout,
      'a1 -> b1 (head), boom\n<base> -> a1 (branchpoint), base one\n',
    )
    assert.equal(existsSync(pgliteDir), false, 'no embedded database was created')
  })

  test('revision and merge write new files after it', async () => {
    const next = await ok('revision', '-m', 'next', '--head', 'b1', '--rev-id', 'd1')
    assert.equal(headerOf(generatedPath(next.stdout)).downRevision, "'b1'")
    const merged = await ok('merge', 'heads', '-m', 'merge', '--rev-id', 'm1')
    assert.equal(headerOf(generatedPath(merged.stdout)).downRevision, "['c1', 'd1']")
  })

  test('planning errors come before any import or connection; a --sql range that skips it renders', async () => {
    const unknown = await run('upgrade', 'zzzz', '--sql')
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr, "error: Can't locate revision identified by 'zzzz'\n")
    const first = await ok('upgrade', 'base:a1', '--sql')
    assert.match(first.stdout, /-- Running upgrade {2}-> a1\n\nselect 1;\n/)
    for (const args of [
      ['upgrade', 'nope@head'],
      ['stamp', 'nope@head'],
    ]) {
      const online = await run(...args)
      assert.equal(online.code, 1)
      assert.equal(online.stderr, "error: Can't locate revision identified by 'nope'\n")
    }
    const through = await run('upgrade', 'a1:b1', '--sql')
    assert.equal(through.code, 1)
    assert.equal(through.stderr, `error: ${boom}: imported!\n`)
    assert.equal(existsSync(pgliteDir), false, 'no embedded database was created')
  })

  test('upgrade imports it before running anything and fails with one line naming the file', async () => {
    const pglite = DATABASE_KINDS.find((k) => k.name === 'embedded PGlite')
    assert.ok(pglite)
    const db: TestDatabase = await pglite.create(dir, { embedded: true })
    const result = await run('upgrade', 'head')
    assert.equal(result.code, 1)
    assert.equal(result.stdout, '')
    // A writing command names its target first; the failure is the one line after it.
    assert.equal(
      result.stderr,
      `Target database: embedded database at ${join(dir, '.migraph/pglite')}\nerror: ${boom}: imported!\n`,
    )
    assert.equal(await db.versions(), null)
  })
})

/** Each broken graph: its files, and the error naming them. */
const BROKEN: readonly {
  name: string
  files: readonly RevisionSpec[]
  error: (path: (file: string) => string) => string
}[] = [
  {
    name: 'a cycle',
    files: [
      { id: 'a1', down: 'b1', message: 'one', fileName: 'a1' },
      { id: 'b1', down: 'a1', message: 'two', fileName: 'b1' },
    ],
    error: (p) => `Cycle is detected in revisions (a1, b1) (${p('a1')}, ${p('b1')})`,
  },
  {
    name: 'a duplicate id',
    files: [
      { id: 'a1', message: 'one', fileName: 'a1' },
      { id: 'a1', message: 'again', fileName: 'a1_again' },
    ],
    error: (p) => `Revision a1 is present more than once (${p('a1')}, ${p('a1_again')})`,
  },
  {
    name: 'a missing downRevision',
    files: [{ id: 'a1', down: 'zz', message: 'one', fileName: 'a1' }],
    error: (p) => `Revision zz referenced from a1 (downRevision) is not present (${p('a1')})`,
  },
  {
    name: 'a missing dependsOn',
    files: [
      { id: 'a1', message: 'one', fileName: 'a1' },
      { id: 'b1', down: 'a1', dependsOn: ['qq'], message: 'two', fileName: 'b1' },
    ],
    error: (p) => `Revision qq referenced from b1 (dependsOn) is not present (${p('b1')})`,
  },
  {
    name: 'a duplicate branch label',
    files: [
      { id: 'a1', message: 'one', branchLabels: ['lbl'], fileName: 'a1' },
      { id: 'b1', message: 'two', branchLabels: ['lbl'], fileName: 'b1' },
    ],
    error: (p) => `Branch name 'lbl' in revision b1 already used by revision a1 (${p('b1')}, ${p('a1')})`,
  },
]

describe('a broken graph is reported before any connection', () => {
  for (const broken of BROKEN) {
    test(broken.name, async () => {
      const project = tempProject()
      try {
        const dir = project.dir
        writeConfig(dir)
        for (const file of broken.files) writeRevision(dir, 'migrations', file)
        const expected = `error: ${broken.error((name) => join(dir, 'migrations', `${name}.ts`))}\n`
        for (const args of [['upgrade', 'heads'], ['heads']]) {
          const result = await mig(dir, args)
          assert.equal(result.code, 1)
          assert.equal(result.stderr, expected)
        }
        assert.equal(existsSync(join(dir, '.migraph')), false, 'no embedded database was created')
        const unreachable = await mig(dir, ['current', '--url', 'postgres://u:pw@127.0.0.1:1/db'])
        assert.equal(unreachable.stderr, expected)
      } finally {
        project.cleanup()
      }
    })
  }
})

describe('the revision cache never hides an edit', () => {
  const project = tempProject()
  const dir = project.dir
  const cacheDir = join(dir, 'node_modules', '.cache', 'migraph')
  const run = async (...args: string[]) => {
    const result = await mig(dir, ['--json', ...args])
    return { ...result, json: result.code === 0 ? JSON.parse(result.stdout) : undefined }
  }
  const ids = (list: readonly { revision: string }[]) => list.map((r) => r.revision)
  const recorded = () => {
    const [file] = readdirSync(cacheDir).filter((f) => f.startsWith('revisions-'))
    assert.ok(file !== undefined, 'a revision cache file')
    return statSync(join(cacheDir, file)).mtimeMs
  }

  before(async () => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'base' })
    writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'next' })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'last' })
    // Files changed within 2 s of a run are never recorded as unchanged (git's racy rule).
    await new Promise((resolve) => setTimeout(resolve, 2100))
  })
  after(() => project.cleanup())

  test('a recorded graph is served until a file changes, then the new one', async () => {
    assert.deepEqual(ids((await run('history')).json), ['c1', 'b1', 'a1'])
    const written = recorded()
    // Restored: the record stays as it was.
    assert.deepEqual(ids((await run('heads')).json), ['c1'])
    assert.deepEqual(ids((await run('history')).json), ['c1', 'b1', 'a1'])
    assert.equal(recorded(), written)

    // c1 now branches off a1 beside b1: same file, new text, seen at once.
    writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'last' })
    assert.deepEqual(ids((await run('heads')).json), ['b1', 'c1'])
    const branches = (await run('branches')).json
    assert.deepEqual(ids(branches), ['a1'])

    // An edit that breaks the graph is reported, not hidden by what was recorded.
    writeRevision(dir, 'migrations', { id: 'a1', down: 'c1', message: 'base' })
    const broken = await run('heads')
    assert.notEqual(broken.code, 0)
    assert.match(broken.stderr, /cycle/i)
    assert.match(broken.stderr, /a1_base\.ts/)
  })
})
