// `--log-format json` through the real `mig` on every database: each stderr line is one JSON
// event (run start, lock acquired, step start/end with duration, warning, error, run end) and
// stdout stays the command's result.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DATABASE_KINDS, type TestDatabase } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

interface LogEvent {
  readonly time: string
  readonly event: string
  readonly [field: string]: unknown
}

/** Every stderr line, parsed; a line that is not one JSON object fails the test. */
function events(stderr: string): LogEvent[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const event = JSON.parse(line) as LogEvent
      assert.ok(!Number.isNaN(Date.parse(event.time)), `a time in ${line}`)
      return event
    })
}

for (const kind of DATABASE_KINDS) {
  describe(`JSON logs on ${kind.name}`, () => {
    const project = tempProject()
    const dir = project.dir
    let db: TestDatabase
    const run = (...args: string[]) => mig(dir, [...db.args, '--log-format', 'json', ...args])

    before(async () => {
      writeConfig(dir)
      writeRevision(dir, 'migrations', {
        id: 'a1',
        message: 'log one',
        upgrade: ["await op.createTable('log_one', (t) => t.addColumn('id', 'integer'))"],
        downgrade: ["await op.dropTable('log_one')"],
      })
      writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'log two' })
      db = await kind.create(dir)
    })
    after(async () => {
      await db.drop()
      project.cleanup()
    })

    test('an upgrade: one event per line, in order; stdout untouched', async () => {
      const result = await run('upgrade', 'head')
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout, '')
      const log = events(result.stderr)
      assert.deepEqual(
        log.map((e) => e.event),
        [
          'run-start',
          'info',
          'lock-acquired',
          'plan',
          'step-start',
          'step-end',
          'step-start',
          'step-end',
          'info',
          'run-end',
        ],
      )
      assert.equal(log[0]?.command, 'upgrade')
      assert.match(String(log[1]?.message), /^Target database: /)
      assert.deepEqual(log[3], { time: log[3]?.time, event: 'plan', steps: 2 })
      const end = log[5] as LogEvent
      assert.equal(end.revision, 'a1')
      assert.equal(end.status, 'ok')
      assert.deepEqual([end.from, end.to, end.direction, end.message], [[], ['a1'], 'up', 'log one'])
      assert.equal(typeof end.durationMs, 'number')
      assert.deepEqual(
        { ...log.at(-1), time: undefined, durationMs: undefined },
        {
          time: undefined,
          event: 'run-end',
          exitCode: 0,
          durationMs: undefined,
        },
      )
      assert.deepEqual(await db.versions(), ['b1'])
    })

    test('with --json the result stays on stdout; an error is an event, then run-end', async () => {
      const current = await run('current', '--json')
      assert.equal(current.code, 0, current.stderr)
      assert.equal(JSON.parse(current.stdout)[0].revision, 'b1')
      assert.deepEqual(
        events(current.stderr).map((e) => e.event),
        ['run-start', 'run-end'],
      )
      const failed = await run('upgrade', 'nope')
      assert.equal(failed.code, 1)
      assert.equal(failed.stdout, '')
      const log = events(failed.stderr)
      assert.deepEqual(
        log.map((e) => [e.event, e.code ?? e.exitCode]),
        [
          ['run-start', undefined],
          ['error', 'unknown-revision'],
          ['run-end', 1],
        ],
      )
      assert.match(String(log[1]?.message), /Can't locate revision identified by 'nope'/)
    })

    test('a downgrade logs its steps the same way', async () => {
      const result = await run('downgrade', 'base')
      assert.equal(result.code, 0, result.stderr)
      const steps = events(result.stderr).filter((e) => e.event === 'step-end')
      assert.deepEqual(
        steps.map((e) => [e.revision, e.direction, e.status]),
        [
          ['b1', 'down', 'ok'],
          ['a1', 'down', 'ok'],
        ],
      )
      assert.deepEqual(await db.versions(), [])
    })
  })
}

test('a warning is a JSON event (an onError hook that fails, after a failed revision)', async () => {
  const project = tempProject()
  try {
    writeConfig(project.dir)
    const config = join(project.dir, 'migrate.config.ts')
    writeFileSync(config, "export default { url: 'sqlite:warn.db', hooks: { onError: 'exit 5' } }\n")
    writeRevision(project.dir, 'migrations', {
      id: 'a1',
      message: 'broken',
      upgrade: ["await op.execute('select * from no_such_table')"],
    })
    const result = await mig(project.dir, ['--log-format', 'json', 'upgrade', 'head'])
    assert.equal(result.code, 1)
    assert.equal(result.stdout, '')
    const log = events(result.stderr)
    const warning = log.find((e) => e.event === 'warning')
    assert.equal(warning?.message, "onError hook 'exit 5' exited with status 5")
    assert.deepEqual(
      log.slice(-4).map((e) => [e.event, e.status ?? e.code ?? e.exitCode]),
      [
        ['step-end', 'failed'],
        ['warning', undefined],
        ['error', 'migration-failed'],
        ['run-end', 1],
      ],
    )
  } finally {
    project.cleanup()
  }
})

test('waiting for the lock is a lock-wait event; the timeout an error event with exit 3', async () => {
  const { hostname } = await import('node:os')
  const { freshPgliteDir } = await import('../helpers/pglite-template.js')
  const project = tempProject()
  try {
    writeConfig(project.dir)
    writeRevision(project.dir, 'migrations', { id: 'a1', message: 'waited' })
    const dataDir = join(project.dir, 'data')
    await freshPgliteDir(dataDir)
    // This test process holds the embedded database, as another `mig` would.
    const holder = {
      pid: process.pid,
      hostname: hostname(),
      since: new Date().toISOString(),
      application: 'mig',
    }
    writeFileSync(`${dataDir}.lock`, `${JSON.stringify(holder)}\n`)
    const result = await mig(project.dir, [
      '--url',
      `pglite:${dataDir}`,
      '--lock-timeout',
      '1',
      '--log-format',
      'json',
      'upgrade',
      'head',
    ])
    assert.equal(result.code, 3, result.stderr)
    const log = events(result.stderr)
    const waits = log.filter((e) => e.event === 'lock-wait')
    assert.ok(waits.length > 0, result.stderr)
    assert.match(String(waits[0]?.holder), new RegExp(`^pid ${process.pid}\\b`))
    assert.equal(typeof waits[0]?.waitedMs, 'number')
    assert.deepEqual(
      log.slice(-2).map((e) => [e.event, e.code ?? e.exitCode]),
      [
        ['error', 'lock-timeout'],
        ['run-end', 3],
      ],
    )
  } finally {
    project.cleanup()
  }
})
