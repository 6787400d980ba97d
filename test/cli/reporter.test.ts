import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { MigrationStep } from '@migraph/graph'
import { stderrReporter } from '../../packages/cli/src/reporter.ts'

/** A stderr that records each write, as a terminal or not. */
function capture(isTTY: boolean) {
  const writes: string[] = []
  return {
    writes,
    streams: { stdout: { write: () => true }, stderr: { isTTY, write: (t: string) => writes.push(t) } },
  }
}

const step = (log: string) => ({ log }) as unknown as MigrationStep

describe('stderr reporter', () => {
  test('off a terminal, finished steps are written together, in order, at most 50 ms later', async () => {
    const { writes, streams } = capture(false)
    const reporter = stderrReporter(streams, false)
    reporter.stepFinished(step('upgrade  -> a1, one'), 1.25)
    reporter.stepFinished(step('upgrade a1 -> b2, two'), 12.4)
    assert.deepEqual(writes, [])
    await sleep(80)
    assert.deepEqual(writes, [
      'Running upgrade  -> a1, one (1.3 ms)\nRunning upgrade a1 -> b2, two (12 ms)\n',
    ])
  })

  test('anything else written first writes what is held, so the order is the order of events', () => {
    const { writes, streams } = capture(false)
    const reporter = stderrReporter(streams, false)
    reporter.stepFinished(step('upgrade  -> a1, one'), 1)
    reporter.warn('careful')
    reporter.stepFinished(step('upgrade a1 -> b2, two'), 1)
    reporter.stepFailed(step('upgrade b2 -> c3, three'), 2)
    reporter.stepFinished(step('upgrade c3 -> d4, four'), 1)
    reporter.info('done')
    reporter.stepFinished(step('upgrade d4 -> e5, five'), 1)
    reporter.flush()
    assert.deepEqual(writes.join('').split('\n'), [
      'Running upgrade  -> a1, one (1.0 ms)',
      'warning: careful',
      'Running upgrade a1 -> b2, two (1.0 ms)',
      'Running upgrade b2 -> c3, three FAILED (2.0 ms)',
      'Running upgrade c3 -> d4, four (1.0 ms)',
      'done',
      'Running upgrade d4 -> e5, five (1.0 ms)',
      '',
    ])
  })

  test('a line held for 50 ms goes out with the next step, not later', async () => {
    const { writes, streams } = capture(false)
    const reporter = stderrReporter(streams, false)
    reporter.stepFinished(step('upgrade  -> a1, one'), 1)
    // Busy, as a step running synchronous code is: the timer cannot fire.
    const until = Date.now() + 60
    while (Date.now() < until) {
      // spin
    }
    reporter.stepFinished(step('upgrade a1 -> b2, two'), 1)
    assert.equal(
      writes.join(''),
      'Running upgrade  -> a1, one (1.0 ms)\nRunning upgrade a1 -> b2, two (1.0 ms)\n',
    )
  })

  test('on a terminal each step is written as it starts and completed as it ends; quiet writes none', () => {
    const tty = capture(true)
    const reporter = stderrReporter(tty.streams, false)
    reporter.stepStarted(step('upgrade  -> a1, one'))
    assert.deepEqual(tty.writes, ['Running upgrade  -> a1, one'])
    reporter.stepFinished(step('upgrade  -> a1, one'), 3)
    assert.deepEqual(tty.writes, ['Running upgrade  -> a1, one', ' (3.0 ms)\n'])

    const quiet = capture(false)
    const silent = stderrReporter(quiet.streams, true)
    silent.stepFinished(step('upgrade  -> a1, one'), 3)
    silent.info('hello')
    silent.flush()
    assert.deepEqual(quiet.writes, [])
  })
})
