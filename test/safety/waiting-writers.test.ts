// Processes that must take turns: `mig` on one PGlite data directory waits for it (bounded by
// --lock-timeout, exit 3 naming the holder), and concurrent `mig revision` chain their revisions
// instead of silently branching the graph.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'
import { startMig, writeSafetyConfig, writeSafetyRevision } from './support.js'

/** A lock file as a live (or dead) process would leave it. */
function lockFileOf(pid: number): string {
  return `${JSON.stringify({ pid, hostname: hostname(), since: new Date().toISOString(), application: 'mig' })}\n`
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number
}

describe('a PGlite data directory held by another process', () => {
  const project = tempProject('mig-safety-pglite-wait-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, {
    id: 'w00000000001',
    down: null,
    upgrade: "await op.createTable('waited', (t) => t.addColumn('id', 'integer'))",
  })
  const dataDir = join(project.dir, 'data')
  const lockFile = `${dataDir}.lock`
  const url = `pglite:${dataDir}`
  after(() => project.cleanup())

  for (const timeout of ['1', '0']) {
    test(`is waited for up to --lock-timeout ${timeout}, then exit 3 naming the holder`, async () => {
      // This test process is the live holder.
      writeFileSync(lockFile, lockFileOf(process.pid))
      try {
        const result = await mig(project.dir, ['--url', url, '--lock-timeout', timeout, 'upgrade', 'head'])
        assert.equal(result.code, 3, result.stderr)
        const lines = result.stderr.split('\n').filter((line) => line !== '')
        assert.equal(lines[0], `Target database: ${url}`)
        const error = lines.at(-1) ?? ''
        assert.match(
          error,
          new RegExp(
            `^error: Timed out after ${Number(timeout) * 1000} ms waiting for the migration lock '${lockFile}' on ${dataDir}; it is held by pid ${process.pid}\\b`,
          ),
        )
        const waiting = lines.slice(1, -1)
        if (timeout === '0') assert.deepEqual(waiting, [], 'no wait with --lock-timeout 0')
        assert.ok(timeout === '0' || waiting.length > 0, result.stderr)
        for (const line of waiting) {
          assert.match(line, new RegExp(`^Waiting for the migration lock held by pid ${process.pid}\\b`))
        }
        // The holder's lock file is left alone, and nothing was created behind it.
        assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.pid)
        assert.equal(existsSync(dataDir), false)
      } finally {
        rmSync(lockFile, { force: true })
      }
    })
  }

  test('a lock file left by a dead process is taken over', async () => {
    await freshPgliteDir(dataDir)
    writeFileSync(lockFile, lockFileOf(deadPid()))
    const result = await mig(project.dir, ['--url', url, '--lock-timeout', '1', 'upgrade', 'head'], {
      timeoutMs: 300_000,
    })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(existsSync(lockFile), false)
    const current = await mig(project.dir, ['--url', url, 'current'], { timeoutMs: 300_000 })
    assert.equal(current.stdout.trim(), 'w00000000001 (head)')
  })
})

describe('concurrent mig revision', () => {
  const project = tempProject('mig-safety-revision-')
  writeSafetyConfig(project.dir)
  const versions = join(project.dir, 'migrations')
  after(() => project.cleanup())

  test('5 rounds of 2 to 4 simultaneous revisions make one linear chain', async (t) => {
    let written = 0
    for (const [round, processes] of [2, 3, 4, 2, 4].entries()) {
      const runs = await Promise.all(
        Array.from(
          { length: processes },
          (_, i) =>
            startMig(project.dir, ['revision', '-m', `round ${round} writer ${i}`], { timeoutMs: 600_000 })
              .result,
        ),
      )
      for (const run of runs) {
        assert.equal(run.code, 0, run.stderr)
        assert.doesNotMatch(run.stderr, /^(warning|error)/m)
      }
      written += processes
      const heads = await mig(project.dir, ['heads'])
      assert.equal(heads.stdout.trim().split('\n').length, 1, `round ${round}: heads\n${heads.stdout}`)
    }
    // Each revision follows exactly one other, and the chain from the head reaches every file.
    const history = await mig(project.dir, ['history'])
    const lines = history.stdout.trim().split('\n')
    assert.equal(lines.length, written, history.stdout)
    for (const line of lines) assert.match(line, /^(<base>|[0-9a-f]{12}) -> [0-9a-f]{12}( \(head\))?, /)
    assert.equal(readdirSync(versions).filter((name) => name.endsWith('.ts')).length, written)
    assert.equal(existsSync(join(versions, '.mig-revision.lock')), false)
    t.diagnostic(`${written} revisions written by ${written} processes, one head`)
  })

  test('a writer holding the versions folder is waited for up to --lock-timeout, then exit 3', async () => {
    const lock = join(versions, '.mig-revision.lock')
    writeFileSync(lock, lockFileOf(process.pid))
    try {
      const before = readdirSync(versions).sort()
      const result = await mig(project.dir, ['--lock-timeout', '1', 'revision', '-m', 'blocked'])
      assert.equal(result.code, 3, result.stderr)
      const error = result.stderr.split('\n').find((line) => line.startsWith('error: ')) ?? ''
      assert.match(error, new RegExp(`waiting for '${lock}', held by pid ${process.pid}\\b`))
      assert.deepEqual(readdirSync(versions).sort(), before)
    } finally {
      rmSync(lock, { force: true })
    }
  })

  test("a dead writer's lock is taken over", async () => {
    const lock = join(versions, '.mig-revision.lock')
    writeFileSync(lock, lockFileOf(deadPid()))
    const result = await mig(project.dir, ['--lock-timeout', '1', 'revision', '-m', 'after a crash'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(existsSync(lock), false)
    const heads = await mig(project.dir, ['heads'])
    assert.equal(heads.stdout.trim().split('\n').length, 1, heads.stdout)
  })
})
