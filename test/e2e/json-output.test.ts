// `--json`: one JSON document on stdout and nothing else (SPEC §6), for the inspection commands
// (arrays of revisions), the run commands ({ steps, heads }) and errors ({ error: { code, message } }).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

interface RevisionJson {
  readonly revision: string
  readonly downRevisions: readonly string[]
  readonly branchLabels: readonly string[]
  readonly dependsOn: readonly string[]
  readonly message: string | null
  readonly path: string | null
  readonly isHead: boolean
  readonly isBranchPoint: boolean
  readonly isMergePoint: boolean
}

interface StepsJson {
  readonly steps: readonly { from: string[]; to: string[]; direction: string }[]
  readonly heads: readonly string[]
}

const KEYS = [
  'revision',
  'downRevisions',
  'branchLabels',
  'dependsOn',
  'message',
  'path',
  'isHead',
  'isBranchPoint',
  'isMergePoint',
] as const

describe('--json output', () => {
  const project = tempProject()
  const dir = project.dir
  let db: TestDatabase
  const path = (name: string) => `${dir}/migrations/${name}.ts`

  /** Runs `mig --json …`, checks the exit status, and parses stdout as the one document. */
  const json = async <T>(expectedCode: number, ...args: string[]): Promise<T> => {
    const result = await mig(dir, [...db.args, '--json', ...args])
    assert.equal(result.code, expectedCode, `mig ${args.join(' ')}: ${result.stderr}`)
    assert.ok(result.stdout.endsWith('\n'))
    return JSON.parse(result.stdout) as T
  }
  /** The SPEC's fields of each revision, in output order. */
  const revisions = async (...args: string[]) =>
    (await json<RevisionJson[]>(0, ...args)).map((r) => Object.fromEntries(KEYS.map((k) => [k, r[k]])))
  const info = (revision: string, fields: Partial<RevisionJson>) => ({
    revision,
    downRevisions: [],
    branchLabels: [],
    dependsOn: [],
    message: null,
    path: null,
    isHead: false,
    isBranchPoint: false,
    isMergePoint: false,
    ...fields,
  })
  const a1 = () => info('a1', { message: 'base one', path: path('a1_base_one'), isBranchPoint: true })
  const b1 = (isHead = true) =>
    info('b1', { downRevisions: ['a1'], message: 'b branch', path: path('b1_b_branch'), isHead })
  const c1 = (isHead = true) =>
    info('c1', {
      downRevisions: ['a1'],
      branchLabels: ['side'],
      message: 'c branch',
      path: path('c1_c_branch'),
      isHead,
    })

  before(async () => {
    writeConfig(dir)
    writeRevision(dir, 'migrations', { id: 'a1', message: 'base one' })
    writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'b branch' })
    writeRevision(dir, 'migrations', { id: 'c1', down: 'a1', message: 'c branch', branchLabels: ['side'] })
    const sqlite = DATABASE_KINDS.find((k) => k.name === 'SQLite')
    assert.ok(sqlite)
    db = await sqlite.create(dir)
  })
  after(async () => {
    await db.drop()
    project.cleanup()
  })

  test('heads, branches, history and show are arrays of revisions', async () => {
    assert.deepEqual(await revisions('heads'), [b1(), c1()])
    assert.deepEqual(await revisions('branches'), [a1()])
    assert.deepEqual(await revisions('history'), [b1(), c1(), a1()])
    assert.deepEqual(await revisions('show', 'side@head'), [c1()])
  })

  test('current is an empty array before any run, then the applied heads', async () => {
    assert.deepEqual(await revisions('current'), [])
    const up = await json<StepsJson>(0, 'upgrade', 'heads')
    assert.deepEqual(
      up.steps.map(({ from, to, direction }) => ({ from, to, direction })),
      [
        { from: [], to: ['a1'], direction: 'up' },
        { from: ['a1'], to: ['c1'], direction: 'up' },
        { from: ['a1'], to: ['b1'], direction: 'up' },
      ],
    )
    assert.deepEqual([...up.heads].sort(), ['b1', 'c1'])
    assert.deepEqual(await revisions('current'), [b1(), c1()])
  })

  test('downgrade and stamp report their steps and the heads afterwards', async () => {
    const down = await json<StepsJson>(0, 'downgrade', 'side@-1')
    assert.deepEqual(
      down.steps.map(({ from, to, direction }) => ({ from, to, direction })),
      [{ from: ['c1'], to: ['a1'], direction: 'down' }],
    )
    assert.deepEqual(down.heads, ['b1'])
    const stamp = await json<StepsJson>(0, 'stamp', 'c1')
    assert.deepEqual(
      stamp.steps.map(({ from, to, direction }) => ({ from, to, direction })),
      [{ from: [], to: ['c1'], direction: 'up' }],
    )
    assert.deepEqual([...stamp.heads].sort(), ['b1', 'c1'])
    assert.deepEqual(await db.versions(), ['b1', 'c1'])
  })

  test('upgrade --sql --json carries the steps and the script', async () => {
    const result = await json<StepsJson & { sql: string }>(0, 'upgrade', 'a1:side@head', '--sql')
    assert.deepEqual(
      result.steps.map(({ from, to, direction }) => ({ from, to, direction })),
      [{ from: ['a1'], to: ['c1'], direction: 'up' }],
    )
    assert.deepEqual(result.heads, ['c1'])
    assert.match(result.sql, /^BEGIN;\n\n-- Running upgrade a1 -> c1\n/)
  })

  test('errors are { error: { code, message } } with exit status 1', async () => {
    assert.deepEqual(await json(1, 'upgrade', 'head'), {
      error: {
        code: 'multiple-heads',
        message:
          "Multiple head revisions are present for given argument 'head'; please specify a specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' for all heads",
      },
    })
    assert.deepEqual(await json(1, 'show', 'zzzz'), {
      error: { code: 'unknown-revision', message: "Can't locate revision identified by 'zzzz'" },
    })
    const usage = await json<{ error: { code: string; message: string } }>(1, 'heads', '--bogus')
    assert.equal(usage.error.code, 'usage')
    assert.match(usage.error.message, /bogus/)
    assert.deepEqual(await db.versions(), ['b1', 'c1'])
  })
})
