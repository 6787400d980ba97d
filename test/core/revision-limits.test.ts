// The `timeouts` object a config or a revision writes, how a revision's own keys override the
// config's, and the doubling wait between retries.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { limitsFor, readTimeouts } from '../../packages/core/src/config/revision-limits.js'
import { retryDelay } from '../../packages/core/src/runtime/retry-policy.js'

describe('revision limits', () => {
  test('readTimeouts takes milliseconds above 0 or null, and nothing else', () => {
    assert.deepEqual(readTimeouts({ lockTimeout: 1500, statementTimeout: null }), {
      lockTimeoutMs: 1500,
      statementTimeoutMs: null,
    })
    assert.deepEqual(readTimeouts({ lockTimeout: 0.2 }), { lockTimeoutMs: 1 })
    assert.deepEqual(readTimeouts({}), {})
    for (const bad of [
      { lockTimeout: 0 },
      { lockTimeout: -1 },
      { statementTimeout: '5s' },
      { lockTimeout: Number.NaN },
    ]) {
      assert.match(readTimeouts(bad) as string, /must be a number of milliseconds more than 0, or null/)
    }
    assert.match(readTimeouts({ lockTimeout: 3e9 }) as string, /is more than 2147483647 ms/)
    assert.match(readTimeouts({ timeout: 5 }) as string, /unknown key 'timeout'/)
    assert.match(readTimeouts([1]) as string, /must be an object/)
  })

  test("a revision's keys override the config's one by one; null means the database's own", () => {
    const config = { lockTimeoutMs: 2000, statementTimeoutMs: 60000 }
    assert.deepEqual(limitsFor(config, undefined), { lockTimeoutMs: 2000, statementTimeoutMs: 60000 })
    assert.deepEqual(limitsFor(config, { lockTimeoutMs: 500 }), {
      lockTimeoutMs: 500,
      statementTimeoutMs: 60000,
    })
    assert.deepEqual(limitsFor(config, { statementTimeoutMs: null }), {
      lockTimeoutMs: 2000,
      statementTimeoutMs: null,
    })
    assert.deepEqual(limitsFor({}, undefined), { lockTimeoutMs: null, statementTimeoutMs: null })
  })

  test('the wait doubles before each retry, at most a minute', () => {
    const policy = { retries: 10, delayMs: 1000 }
    assert.deepEqual(
      [1, 2, 3, 4, 7, 8].map((n) => retryDelay(policy, n)),
      [1000, 2000, 4000, 8000, 60000, 60000],
    )
  })
})
