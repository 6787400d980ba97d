import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Squash } from '@migraph/graph'
import { readRowsThroughSquashes } from '../../packages/core/src/script/squash-rows.ts'

const present: Squash = { revision: 'sq', replaces: ['r2', 'r3', 'r4'], present: ['r2', 'r3', 'r4'] }
const gone: Squash = { ...present, present: [] }

test('a row before, after or outside a squash is read as it is', () => {
  assert.deepEqual(readRowsThroughSquashes([present], ['r5', 'x1']), {
    expand: new Set(),
    heads: ['r5', 'x1'],
    stored: new Map(),
  })
})

test('a row at the last replaced id stands for the squash, held under that id', () => {
  const read = readRowsThroughSquashes([gone], ['r4', 'x1'])
  assert.deepEqual(read.heads, ['sq', 'x1'])
  assert.deepEqual([...read.stored], [['sq', 'r4']])
})

test('a row inside a squash whose originals are present keeps them', () => {
  const read = readRowsThroughSquashes([present], ['r3'])
  assert.deepEqual([...read.expand], ['sq'])
  assert.deepEqual(read.heads, ['r3'])
})

test('a row inside a squash whose originals are gone is refused, saying what to do', () => {
  assert.throws(
    () => readRowsThroughSquashes([gone], ['r3']),
    (error: Error & { code?: string }) =>
      error.code === 'unknown-revision-in-database' &&
      /'r3', which squash sq replaces/.test(error.message) &&
      /restore .* from version control, run 'mig upgrade r4'/.test(error.message),
  )
})
