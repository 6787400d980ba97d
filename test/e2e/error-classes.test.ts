// migraph's errors, as code that imports the built `migraph` package sees them: every error keeps
// its class name through the minified bundle, carries a stable `code`, is a MigraphError, and is
// an instance of a class the package exports under that name.
import assert from 'node:assert/strict'
import { copyFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { runProcess, tempProject } from '../helpers/mig.js'
import {
  type RunningMig,
  startMig,
  until,
  writeSafetyConfig,
  writeSafetyRevision,
} from '../safety/support.js'

interface Probed {
  readonly case: string
  readonly thrown?: false
  readonly name?: string
  readonly constructorName?: string
  readonly code?: string
  readonly migraphError?: boolean
  readonly instanceOfExported?: boolean
  readonly message?: string
  readonly classes?: readonly {
    name: string
    constructorName: string
    migraphError: boolean
    sameInRequire: boolean
  }[]
}

/** A TCP port nothing listens on (taken from the system, then released). */
async function unusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  assert.ok(address !== null && typeof address === 'object')
  return address.port
}

/** Runs the probe with plain node in `dir`; one parsed JSON line per case. */
async function runProbe(dir: string, env: Record<string, string>): Promise<Probed[]> {
  const { code, stdout, stderr } = await runProcess(process.execPath, ['error-probe.mjs'], { cwd: dir, env })
  if (code !== 0) throw new Error(`probe exited ${code}: ${stderr}`)
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Probed)
}

const EXPECTED: readonly (readonly [string, string, string])[] = [
  ['unknown revision', 'ResolutionError', 'unknown-revision'],
  ['ambiguous revision', 'AmbiguousRevisionError', 'ambiguous-revision'],
  ['multiple heads', 'MultipleHeadsError', 'multiple-heads'],
  ['cycle', 'CycleError', 'cycle'],
  ['missing config', 'ConfigError', 'config'],
  ['unknown url scheme', 'UnknownUrlSchemeError', 'unknown-url-scheme'],
  ['connection refused', 'ConnectionError', 'connection-failed'],
  ['lock timeout', 'LockTimeoutError', 'lock-timeout'],
]

describe('errors seen from code that imports migraph', () => {
  const project = tempProject('mig-errors-')
  let holder: RunningMig | undefined
  let results: Probed[] = []

  before(async () => {
    writeSafetyConfig(project.dir)
    writeSafetyRevision(project.dir, {
      id: 'e00000000001',
      down: null,
      upgrade:
        "(await import('node:fs')).writeFileSync(context.x.mark as string, 'running')\n  await sleep(Number(context.x.hold))",
    })
    copyFileSync(join(import.meta.dirname, 'fixtures/error-probe.mjs'), join(project.dir, 'error-probe.mjs'))
    // A run that holds the migration lock of a SQLite database until it is killed.
    const url = `sqlite:${join(project.dir, 'locked.sqlite')}`
    const mark = join(project.dir, 'mark')
    holder = startMig(project.dir, [
      '--url',
      url,
      '-x',
      `mark=${mark}`,
      '-x',
      'hold=3600000',
      'upgrade',
      'head',
    ])
    holder.result.catch(() => undefined)
    await until(() => existsSync(mark), 60_000)
    results = await runProbe(project.dir, {
      MIG_PROBE_PORT: String(await unusedPort()),
      MIG_PROBE_LOCKED_URL: url,
    })
  })
  after(async () => {
    holder?.child.kill('SIGKILL')
    await holder?.result.catch(() => undefined)
    project.cleanup()
  })

  for (const [label, name, code] of EXPECTED) {
    test(`${label}: ${name}, code '${code}'`, () => {
      const found = results.find((result) => result.case === label)
      assert.ok(found !== undefined, `no result for ${label}: ${JSON.stringify(results)}`)
      assert.notEqual(found.thrown, false, `${label} did not throw`)
      assert.equal(found.name, name, found.message)
      assert.equal(found.constructorName, name, 'the class keeps its name in the bundle')
      assert.equal(found.code, code)
      assert.equal(found.migraphError, true, `${name} is a MigraphError`)
      assert.equal(found.instanceOfExported, true, `${name} is exported, and the error is one`)
    })
  }

  test('no error message holds the password', () => {
    for (const result of results) assert.ok(!result.message?.includes('secret'), result.message)
  })

  test('every exported error class is a MigraphError, named, and the same through require', () => {
    const classes = results.find((result) => result.case === 'exported classes')?.classes ?? []
    for (const name of EXPECTED.map(([, name]) => name).concat(['DriverMissingError', 'MigraphError']))
      assert.ok(
        classes.some((c) => c.name === name),
        `${name} is exported`,
      )
    for (const c of classes) {
      assert.equal(c.migraphError, true, `${c.name} extends MigraphError`)
      assert.equal(c.constructorName, c.name, `${c.name} keeps its name`)
      assert.equal(c.sameInRequire, true, `${c.name} is the same class through require('migraph')`)
    }
  })
})
