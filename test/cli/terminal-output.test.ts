import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { MigrationStep } from '@migraph/graph'
import { colorEnabled, painter } from '../../packages/cli/src/color.ts'
import { stderrReporter } from '../../packages/cli/src/reporter.ts'
import { closeCommands, editDistance } from '../../packages/cli/src/suggest.ts'
import { ignoreGeneratedPaths } from '../../packages/core/src/commands/init.ts'

const COMMANDS = [
  'init',
  'revision',
  'upgrade',
  'downgrade',
  'stamp',
  'current',
  'history',
  'heads',
  'show',
  'edit',
]

describe('suggestions for an unknown command', () => {
  test('edit distance counts a swapped pair as one edit', () => {
    assert.equal(editDistance('histroy', 'history'), 1)
    assert.equal(editDistance('seed', 'heads'), 3)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(editDistance('upgrade', 'upgrade'), 0)
  })

  test('only near misses are suggested', () => {
    assert.deepEqual(closeCommands('upgade', COMMANDS), ['upgrade'])
    assert.deepEqual(closeCommands('dwongrade', COMMANDS), ['downgrade'])
    assert.deepEqual(closeCommands('head', COMMANDS), ['heads'])
    assert.deepEqual(closeCommands('seed', COMMANDS), [])
    assert.deepEqual(closeCommands('init2', COMMANDS), ['init'])
    // Two edits are too many for a word under six letters.
    assert.deepEqual(closeCommands('hist', COMMANDS), [])
    assert.deepEqual(closeCommands('xyz', COMMANDS), [])
  })
})

describe('colour', () => {
  const tty = { isTTY: true, write: () => true }
  const pipe = { isTTY: false, write: () => true }
  test('a flag wins, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    assert.equal(colorEnabled(pipe, true, { NO_COLOR: '1' }), true)
    assert.equal(colorEnabled(tty, false, { FORCE_COLOR: '1' }), false)
    assert.equal(colorEnabled(pipe, undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }), true)
    assert.equal(colorEnabled(tty, undefined, { FORCE_COLOR: '0' }), false)
    assert.equal(colorEnabled(tty, undefined, { FORCE_COLOR: 'false' }), false)
    assert.equal(colorEnabled(tty, undefined, { NO_COLOR: '1' }), false)
    assert.equal(colorEnabled(tty, undefined, { NO_COLOR: '' }), true)
    assert.equal(colorEnabled(tty, undefined, { TERM: 'dumb' }), false)
    assert.equal(colorEnabled(tty, undefined, {}), true)
    assert.equal(colorEnabled(pipe, undefined, {}), false)
  })

  test('the decision is taken once, on first use', () => {
    let asked = 0
    const paint = painter(() => {
      asked++
      return true
    })
    assert.equal(asked, 0)
    assert.equal(paint('red', 'x'), '\u001b[31mx\u001b[39m')
    assert.equal(paint('bold', 'y'), '\u001b[1my\u001b[22m')
    assert.equal(asked, 1)
    assert.equal(painter(() => false)('red', 'x'), 'x')
  })
})

describe('step counter', () => {
  const step = (log: string) => ({ log }) as unknown as MigrationStep
  test('each line says where its step stands, padded to the run size', () => {
    const writes: string[] = []
    const reporter = stderrReporter(
      { stdout: { write: () => true }, stderr: { isTTY: true, write: (t: string) => writes.push(t) } },
      false,
    )
    reporter.stepsPlanned(12)
    reporter.stepStarted(step('upgrade  -> a1, one'))
    reporter.stepFinished(step('upgrade  -> a1, one'), 2)
    for (let i = 2; i < 12; i++) reporter.stepStarted(step(`upgrade x -> y${i}, n`))
    reporter.stepStarted(step('upgrade y -> z, last'))
    reporter.stepFailed(step('upgrade y -> z, last'), 2)
    assert.equal(writes[0], '[ 1/12] Running upgrade  -> a1, one')
    assert.equal(writes[1], ' (2.0 ms)\n')
    assert.equal(writes.at(-2), '[12/12] Running upgrade y -> z, last')
    assert.equal(writes.at(-1), ' FAILED (2.0 ms)\n')
  })
})

describe('-q', () => {
  test('drops warnings with progress; --json alone keeps them', () => {
    const writes: string[] = []
    const streams = { stdout: { write: () => true }, stderr: { write: (t: string) => writes.push(t) } }
    stderrReporter(streams, true, undefined, false).warn('dropped')
    stderrReporter(streams, true).warn('kept')
    assert.deepEqual(writes, ['warning: kept\n'])
  })
})

describe('.gitignore', () => {
  test('adding the generated paths twice adds them once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-ignore-'))
    try {
      writeFileSync(join(dir, '.gitignore'), '# build\nnode_modules/\r\n')
      assert.deepEqual(ignoreGeneratedPaths(dir).added, ['.migraph/'])
      assert.deepEqual(ignoreGeneratedPaths(dir).added, [])
      assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '# build\nnode_modules/\r\n.migraph/\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
