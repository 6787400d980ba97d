// What the history's entries say once replayed: which checksum an applied revision was applied
// with, after upgrades, downgrades and `mig resolve` of either.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { appliedChecksums } from '../../packages/core/src/runtime/history-replay.ts'
import type { HistoryEntry } from '../../packages/core/src/runtime/history-table.ts'

type Entry = Pick<HistoryEntry, 'revision' | 'direction' | 'status' | 'checksum'>
const up = (status: HistoryEntry['status'], checksum: string | null = null): Entry => ({
  revision: 'a1',
  direction: 'up',
  status,
  checksum,
})
const down = (status: HistoryEntry['status']): Entry => ({
  revision: 'a1',
  direction: 'down',
  status,
  checksum: 'sum-at-downgrade',
})

describe('appliedChecksums', () => {
  test('an upgrade records its checksum; a downgrade removes it', () => {
    assert.deepEqual([...appliedChecksums([up('applied', 's1')])], [['a1', 's1']])
    assert.deepEqual([...appliedChecksums([up('applied', 's1'), down('reverted')])], [])
  })

  test('a failed upgrade resolved as applied counts; resolved as rolled back does not', () => {
    assert.deepEqual(
      [...appliedChecksums([up('failed', 's1'), up('resolved-applied', 's1')])],
      [['a1', 's1']],
    )
    assert.deepEqual(
      [...appliedChecksums([up('applied', 's0'), up('resolved-rolled-back', 's1')])],
      [],
      'an upgrade declared undone leaves the revision unapplied',
    )
  })

  test('a failed downgrade resolved as applied removes the revision; rolled back keeps it as applied', () => {
    const applied = up('applied', 's1')
    assert.deepEqual([...appliedChecksums([applied, down('failed'), down('resolved-applied')])], [])
    assert.deepEqual(
      [...appliedChecksums([applied, down('failed'), down('resolved-rolled-back')])],
      [['a1', 's1']],
    )
  })
})
