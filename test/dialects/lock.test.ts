import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Connection, LockHolder } from '../../packages/core/src/dialects/index.ts'
import { dialectFor, LockTimeoutError } from '../../packages/core/src/dialects/index.ts'
import { readVersions } from '../../packages/core/src/runtime/version-table.ts'
import {
  createScratchDatabase,
  killHard,
  MYSQL_URL,
  open,
  POSTGRES_URL,
  spawnChild,
  tempDir,
} from './support.ts'

interface Case {
  readonly name: string
  readonly skip: string | false
  setup(): Promise<{ url: string; cleanup: () => Promise<void> }>
  /** What the holder report must say about the child holding the lock. */
  checkHolder(holder: LockHolder | null, childPid: number): void
}

const serverHolder = (holder: LockHolder | null) => {
  assert.ok(holder, 'the database named no holder')
  assert.equal(typeof holder.pid, 'number')
  assert.ok(holder.host === undefined || /127\.0\.0\.1|localhost/.test(holder.host), holder.host)
}

const cases: Case[] = [
  {
    name: 'sqlite',
    skip: false,
    setup: async () => {
      const dir = tempDir('lock')
      return { url: `sqlite:${dir.dir}/app.db`, cleanup: async () => dir.remove() }
    },
    checkHolder: (holder, childPid) => {
      assert.equal(holder?.pid, childPid)
      assert.ok(holder?.since instanceof Date)
    },
  },
  {
    name: 'postgres',
    skip: POSTGRES_URL ? false : 'MIG_TEST_POSTGRES_URL is not set',
    setup: async () => {
      const scratch = await createScratchDatabase(POSTGRES_URL as string, 'lock')
      return { url: scratch.url, cleanup: () => scratch.drop() }
    },
    checkHolder: (holder) => {
      serverHolder(holder)
      assert.equal(holder?.application, 'lock-child')
      assert.ok(holder?.since instanceof Date)
      assert.equal(holder?.state, 'idle')
    },
  },
  {
    name: 'mysql',
    skip: MYSQL_URL ? false : 'MIG_TEST_MYSQL_URL is not set',
    setup: async () => {
      const scratch = await createScratchDatabase(MYSQL_URL as string, 'lock')
      return { url: scratch.url, cleanup: () => scratch.drop() }
    },
    checkHolder: (holder) => {
      serverHolder(holder)
      assert.match(holder?.state ?? '', /^Sleep/)
    },
  },
]

for (const c of cases) {
  describe(`migration lock on ${c.name}`, { skip: c.skip }, () => {
    let url = ''
    let cleanup: () => Promise<void> = async () => undefined
    let connection: Connection
    let baseDir: ReturnType<typeof tempDir> = { dir: '', remove: () => undefined }

    before(async () => {
      baseDir = tempDir('lock-base')
      const setup = await c.setup()
      url = setup.url
      cleanup = setup.cleanup
      const opened = await open(url)
      connection = opened.connection
      await sql`create table apply_log (pid integer not null)`.execute(connection.db)
    })
    after(async () => {
      await connection?.close()
      await cleanup()
      baseDir.remove()
    })

    const acquire = (timeoutMs: number, onWait?: (holder: LockHolder | null, waitedMs: number) => void) =>
      dialectFor(connection.target).acquireLock(connection, { timeoutMs, onWait })

    test('a held lock makes another process wait, then time out naming the holder', async () => {
      const child = spawnChild(['hold', url, baseDir.dir])
      try {
        await child.waitFor('locked')
        const waits: (LockHolder | null)[] = []
        const started = Date.now()
        await assert.rejects(
          acquire(800, (holder) => waits.push(holder)),
          (error: unknown) => {
            assert.ok(error instanceof LockTimeoutError, String(error))
            assert.equal(error.code, 'lock-timeout')
            assert.equal(error.timeoutMs, 800)
            c.checkHolder(error.holder, child.pid)
            assert.match(error.message, /^Timed out after 800 ms waiting for the migration lock /)
            return true
          },
        )
        // Waited out the timeout (a lower bound holds however loaded the machine is).
        const elapsed = Date.now() - started
        assert.ok(elapsed >= 800, `gave up after ${elapsed} ms`)
        assert.equal(waits.length, 1, 'onWait is called once on starting to wait, then every few seconds')
        c.checkHolder(waits[0] ?? null, child.pid)

        // Once the holder lets go, the lock is ours.
        child.process.stdin?.end()
        const lock = await acquire(10_000)
        await child.waitFor('closed')
        await lock.release()
      } finally {
        child.process.kill('SIGKILL')
        await child.exited
      }
    })

    test('kill -9 of the holder frees the lock for the next run', async () => {
      const child = spawnChild(['hold', url, baseDir.dir])
      await child.waitFor('locked')
      await assert.rejects(acquire(0), LockTimeoutError)
      await killHard(child)
      // Taken, not timed out: a lock the dead holder's session kept would fail this.
      const lock = await acquire(10_000)
      await lock.release()
    })

    test('kill -9 of a holder inside a long statement frees the lock at once', {
      skip: c.name === 'postgres' ? false : 'relies on client_connection_check_interval (PostgreSQL 14+)',
    }, async () => {
      const child = spawnChild(['hold-busy', url, baseDir.dir])
      await child.waitFor('locked')
      await new Promise((resolve) => setTimeout(resolve, 200))
      await killHard(child)
      // Taken, not timed out: a backend left running its statement would still hold the lock.
      const lock = await acquire(10_000)
      await lock.release()
    })

    test('simultaneous runs apply a revision exactly once', async () => {
      const children = Array.from({ length: 4 }, () => spawnChild(['apply', url, baseDir.dir]))
      const results = await Promise.all(children.map((child) => child.waitFor('done', 60_000)))
      await Promise.all(children.map((child) => child.exited))
      assert.equal(results.filter((r) => r.applied === true).length, 1, JSON.stringify(results))
      const log = await sql<{ pid: number }>`select pid from apply_log`.execute(connection.db)
      assert.equal(log.rows.length, 1)
      assert.deepEqual(await readVersions(connection.db, { table: 'mig_version' }), ['r1'])
    })

    test('within one process the lock excludes a second connection too', async () => {
      const other = await open(url)
      try {
        const lock = await acquire(1000)
        await assert.rejects(
          dialectFor(other.target).acquireLock(other.connection, { timeoutMs: 0 }),
          LockTimeoutError,
        )
        await lock.release()
        await lock.release()
        const second = await dialectFor(other.target).acquireLock(other.connection, { timeoutMs: 1000 })
        // Closing a connection releases the lock it still holds.
        await other.connection.close()
        const third = await acquire(1000)
        await third.release()
        await second.release()
      } finally {
        await other.connection.close()
      }
    })

    test('each version table has its own lock', async () => {
      const lock = await acquire(1000)
      const other = await open(url)
      try {
        const separate = await dialectFor(other.target).acquireLock(other.connection, {
          timeoutMs: 0,
          versionTable: { table: 'other_version' },
        })
        await separate.release()
      } finally {
        await other.connection.close()
        await lock.release()
      }
    })
  })
}
