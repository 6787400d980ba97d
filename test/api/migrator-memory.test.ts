// An application that calls upgrade at every start of a worker, or a platform that loops over
// many databases in one process: 1,000 calls must not grow the heap without bound.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createMigrator } from 'migraph'
import { writeRevision } from '../helpers/project-files.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const dir = mkdtempSync(join(tmpdir(), 'mig-fleet-memory-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Heap in use once everything unreachable is collected. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc()
  }
  return process.memoryUsage().heapUsed
}

test('1,000 upgrades in one process keep the heap bounded', async () => {
  writeRevision(dir, 'migrations', {
    id: 'aaa111',
    message: 'create notes',
    upgrade: [`await op.createTable('notes', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))`],
    downgrade: [`await op.dropTable('notes')`],
  })
  const migrator = createMigrator({ migrations: 'migrations', url: 'sqlite:app.db' }, { cwd: dir })
  // Every tenth call applies the revision again, so revisions run as well as no-op checks.
  const round = async (i: number) => {
    if (i % 10 === 0) await migrator.downgrade('base')
    const result = await migrator.upgrade()
    assert.deepEqual(result.heads, ['aaa111'])
  }
  // Warm-up: modules loaded, caches filled, JIT settled.
  for (let i = 0; i < 100; i++) await round(i)
  const before = await settledHeap()
  for (let i = 0; i < 1000; i++) await round(i)
  const grown = (await settledHeap()) - before
  // A leak of one kilobyte per call would show as 1 MB; what is kept for good is far less.
  process.stderr.write(`heap growth over 1,000 upgrades: ${(grown / 1024).toFixed(0)} KiB\n`)
  assert.ok(grown < 8 * 1024 * 1024, `the heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`)
})
