import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Connection } from '../../packages/core/src/dialects/index.ts'
import {
  DatabaseInUseError,
  dialectFor,
  pgliteLockFile,
  resolveTarget,
} from '../../packages/core/src/dialects/index.ts'
import { acquireLockFile } from '../../packages/core/src/dialects/process-lock-file.ts'
import { CONNECT, killHard, spawnChild, tempDir } from './support.ts'

// One PGlite instance is opened in this process (a fresh one takes seconds); the child
// processes open the data directory, or fail to, on their own.
describe('PGlite data directory', () => {
  const base = tempDir('pglite')
  const dataDir = join(base.dir, 'data')
  const url = `pglite:${dataDir}`
  let connection: Connection | undefined
  after(async () => {
    await connection?.close()
    base.remove()
  })

  test('one process at a time: a second fails fast naming the directory and the holder pid; kill -9 frees it', async (t) => {
    const child = spawnChild(['connect', 'pglite:data', base.dir])
    const started = Date.now()
    try {
      await child.waitFor('connected', 60_000)
      t.diagnostic(
        `fresh data directory opened by the child in ~${Date.now() - started} ms (incl. node start)`,
      )
      assert.ok(existsSync(pgliteLockFile(dataDir)))

      const target = resolveTarget(url, base.dir)
      await assert.rejects(dialectFor(target).connect(target, CONNECT), (error: unknown) => {
        assert.ok(error instanceof DatabaseInUseError, String(error))
        assert.equal(error.code, 'database-in-use')
        assert.equal(error.location, dataDir)
        assert.equal(error.holder.pid, child.pid)
        assert.ok(error.message.includes(dataDir), error.message)
        assert.ok(error.message.includes(`process ${child.pid}`), error.message)
        return true
      })
      // Refused while the holder still runs (it lives until killed below): no waiting for it.
      await assert.rejects(dialectFor(target).connect(target, CONNECT), DatabaseInUseError)

      await killHard(child)
      // The dead holder's lock file is still there, and is taken over.
      assert.ok(existsSync(pgliteLockFile(dataDir)))
      const opening = Date.now()
      connection = await dialectFor(target).connect(target, CONNECT)
      t.diagnostic(`existing data directory opened in ${Date.now() - opening} ms`)
      const lock = JSON.parse(readFileSync(pgliteLockFile(dataDir), 'utf8')) as { pid: number }
      assert.equal(lock.pid, process.pid)
    } finally {
      child.process.kill('SIGKILL')
      await child.exited
    }
  })

  test('while this process has it open, another process is refused', async () => {
    assert.ok(connection)
    const child = spawnChild(['connect', url, base.dir])
    const error = await child.waitFor('error')
    assert.equal(error.name, 'DatabaseInUseError')
    assert.match(String(error.message), new RegExp(`in use by process ${process.pid}`))
    await child.exited
  })

  test('the migration lock is held trivially, and the database works', async () => {
    assert.ok(connection)
    const lock = await dialectFor(connection.target).acquireLock(connection, { timeoutMs: 0 })
    await connection.db.transaction().execute(async (trx) => {
      await sql`create table t (id int primary key)`.execute(trx)
      await sql`insert into t values (1)`.execute(trx)
    })
    const rows = await sql<{ id: number }>`select id from t`.execute(connection.db)
    assert.deepEqual(rows.rows, [{ id: 1 }])
    await lock.release()
  })

  test('closing removes the lock file', async () => {
    assert.ok(connection)
    await connection.close()
    connection = undefined
    assert.equal(existsSync(pgliteLockFile(dataDir)), false)
  })
})

describe('process lock file', () => {
  const base = tempDir('lockfile')
  after(() => base.remove())

  test('a lock file left by a dead process is taken over', async () => {
    const path = join(base.dir, 'dead.lock')
    const child = spawnChild(['connect', 'sqlite::memory:', base.dir])
    await child.waitFor('connected')
    await killHard(child)
    writeFileSync(
      path,
      JSON.stringify({ pid: child.pid, hostname: hostname(), since: new Date().toISOString() }),
    )
    const lock = await acquireLockFile(path, 'db')
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid, process.pid)
    lock.release()
    assert.equal(existsSync(path), false)
  })

  test('a lock file of a live process, or of another host, is respected', async () => {
    const path = join(base.dir, 'live.lock')
    writeFileSync(
      path,
      JSON.stringify({ pid: process.ppid, hostname: hostname(), since: new Date().toISOString() }),
    )
    await assert.rejects(acquireLockFile(path, 'db'), DatabaseInUseError)
    writeFileSync(
      path,
      JSON.stringify({ pid: 1, hostname: `not-${hostname()}`, since: new Date().toISOString() }),
    )
    await assert.rejects(acquireLockFile(path, 'db'), /in use by process 1 on not-/)
  })

  test('this process cannot take its own lock twice', async () => {
    const path = join(base.dir, 'twice.lock')
    const lock = await acquireLockFile(path, 'db')
    await assert.rejects(acquireLockFile(path, 'db'), DatabaseInUseError)
    lock.release()
    lock.release()
  })
})
