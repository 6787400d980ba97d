import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import type { Connection } from '../../packages/core/src/dialects/index.ts'
import {
  ConnectionError,
  dialectFor,
  resolveTarget,
  SQLITE_BUSY_TIMEOUT_MS,
} from '../../packages/core/src/dialects/index.ts'
import { ROOT } from '../helpers/mig.ts'
import { createScratchDatabase, MYSQL_URL, open, POSTGRES_URL, tempDir } from './support.ts'

const PASSWORD = 'p@ss:w/rd?#%'
const ENCODED = encodeURIComponent(PASSWORD)

/** A port nothing listens on: bound by the OS, then released. */
async function unusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A server that accepts TCP connections and never answers, so a handshake hangs. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function connectError(
  url: string,
  timeoutMs: number,
): Promise<{ error: ConnectionError; elapsed: number }> {
  const target = resolveTarget(url, '/')
  const started = Date.now()
  try {
    await dialectFor(target).connect(target, { connectTimeoutMs: timeoutMs })
  } catch (error) {
    assert.ok(error instanceof ConnectionError, String(error))
    return { error, elapsed: Date.now() - started }
  }
  assert.fail('connected to a server that should not be there')
}

for (const scheme of ['postgres', 'mysql'] as const) {
  describe(`unreachable ${scheme} server`, () => {
    test('a refused connection fails at once, naming host:port and never the password', async () => {
      const port = await unusedPort()
      const { error } = await connectError(`${scheme}://user:${ENCODED}@127.0.0.1:${port}/db`, 60_000)
      // Refused, not abandoned after the (minute-long) timeout.
      assert.match(error.message, /ECONNREFUSED/)
      assert.equal(error.code, 'connection-failed')
      assert.equal(error.location, `127.0.0.1:${port}`)
      assert.match(
        error.message,
        new RegExp(`^Could not connect to ${scheme} database at 127\\.0\\.0\\.1:${port}: `),
      )
      for (const secret of [PASSWORD, ENCODED, 'p@ss'])
        assert.ok(!error.message.includes(secret), error.message)
    })

    test('a server that never answers fails after connectTimeoutMs', async () => {
      const server = await silentServer()
      try {
        const { error, elapsed } = await connectError(
          `${scheme}://user:${PASSWORD}@127.0.0.1:${server.port}/db`,
          700,
        )
        // Abandoned by the timeout, having waited it out (a lower bound holds on a loaded machine).
        assert.ok(elapsed >= 650, `took ${elapsed} ms`)
        assert.equal(error.location, `127.0.0.1:${server.port}`)
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`))
        assert.ok(!error.message.includes('p@ss'), error.message)
      } finally {
        await server.close()
      }
    })
  })
}

describe('postgres session', { skip: POSTGRES_URL ? false : 'MIG_TEST_POSTGRES_URL is not set' }, () => {
  let connection: Connection
  let drop: () => Promise<void> = async () => undefined
  before(async () => {
    const scratch = await createScratchDatabase(POSTGRES_URL as string, 'conn')
    drop = () => scratch.drop()
    connection = (await open(scratch.url)).connection
  })
  after(async () => {
    await connection?.close()
    await drop()
  })

  const backend = async (db: Connection['db']) =>
    (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]?.pid

  test('every query, transaction and pinned connection runs on one session', async () => {
    const pid = await backend(connection.db)
    assert.equal(typeof pid, 'number')
    assert.equal(await backend(connection.db), pid)
    assert.equal(await connection.db.transaction().execute((trx) => backend(trx)), pid)
    assert.equal(await connection.db.connection().execute((conn) => backend(conn)), pid)
    const trx = await connection.db.startTransaction().execute()
    assert.equal(await backend(trx), pid)
    await trx.rollback().execute()
    const parallel = await Promise.all([
      backend(connection.db),
      backend(connection.db),
      backend(connection.db),
    ])
    assert.deepEqual(parallel, [pid, pid, pid])
  })

  test("connecting loads pg without Node's fetch implementation, and leaves no global behind", () => {
    // In a process of its own: this one may have loaded anything already.
    const script = `
      import { dialectFor, resolveTarget } from ${JSON.stringify(join(ROOT, 'packages/core/src/dialects/index.ts'))}
      const before = 'navigator' in globalThis
      const target = resolveTarget(process.env.URL, '/')
      const connection = await dialectFor(target).connect(target, { connectTimeoutMs: 5000 })
      await connection.close()
      console.log(JSON.stringify({
        undici: process.moduleLoadList.some((name) => name.includes('undici')),
        sameNavigator: ('navigator' in globalThis) === before,
      }))`
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, URL: POSTGRES_URL },
    })
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { undici: false, sameNavigator: true })
  })

  test('the session carries application_name and a client connection check', async () => {
    const result = await sql<{ app: string; check: string; version: number }>`
      select current_setting('application_name') as app,
        current_setting('server_version_num')::int as version,
        coalesce(current_setting('client_connection_check_interval', true), '') as check`.execute(
      connection.db,
    )
    const row = result.rows[0]
    assert.equal(row?.app, 'migraph-test')
    if ((row?.version ?? 0) >= 140000) assert.equal(row?.check, '1s')
  })

  test('a statement registered with prepare() is parsed once and stays prepared; no other is', async () => {
    const { db } = connection
    const registered = sql<{ n: number }>`select ${1}::int + 41 as n`.compile(db)
    const other = sql<{ n: number }>`select ${2}::int + 40 as n`.compile(db)
    connection.prepare(registered.sql)
    for (let i = 0; i < 3; i++) {
      assert.equal((await db.executeQuery(registered)).rows[0]?.n, 42)
      assert.equal((await db.executeQuery(other)).rows[0]?.n, 42)
    }
    // Prepared again on the server only if the client lost track of it: one entry, three runs.
    const prepared = await sql<{ statement: string; generic: number; custom: number }>`
      select statement, generic_plans::int as generic, custom_plans::int as custom
      from pg_catalog.pg_prepared_statements`.execute(db)
    assert.deepEqual(
      prepared.rows.map((row) => [row.statement, row.generic + row.custom]),
      [[registered.sql, 3]],
    )
  })

  test('closing twice is harmless', async () => {
    const other = await open(POSTGRES_URL as string)
    await other.connection.close()
    await other.connection.close()
  })
})

describe('mysql session', { skip: MYSQL_URL ? false : 'MIG_TEST_MYSQL_URL is not set' }, () => {
  let connection: Connection
  let drop: () => Promise<void> = async () => undefined
  before(async () => {
    const scratch = await createScratchDatabase(MYSQL_URL as string, 'conn')
    drop = () => scratch.drop()
    connection = (await open(scratch.url)).connection
  })
  after(async () => {
    await connection?.close()
    await drop()
  })

  const id = async (db: Connection['db']) =>
    Number((await sql<{ id: number }>`select connection_id() as id`.execute(db)).rows[0]?.id)

  test('every query and transaction runs on one connection', async () => {
    const first = await id(connection.db)
    assert.equal(await connection.db.transaction().execute((trx) => id(trx)), first)
    assert.equal(await connection.db.connection().execute((conn) => id(conn)), first)
    assert.deepEqual(await Promise.all([id(connection.db), id(connection.db)]), [first, first])
  })

  test('multiple statements in one query are refused', async () => {
    await assert.rejects(sql`select 1; select 2`.execute(connection.db), /syntax/i)
  })
})

describe('sqlite session', () => {
  const dir = tempDir('conn')
  after(() => dir.remove())

  test('foreign keys are on and a busy timeout is set', async () => {
    const { connection } = await open(`sqlite:${dir.dir}/app.db`)
    try {
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(connection.db)
      assert.equal(fk.rows[0]?.foreign_keys, 1)
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(connection.db)
      assert.equal(busy.rows[0]?.timeout, SQLITE_BUSY_TIMEOUT_MS)
    } finally {
      await connection.close()
    }
  })

  test('a file in a missing directory is a ConnectionError naming the file', async () => {
    const target = resolveTarget(`sqlite:${dir.dir}/missing/app.db`, '/')
    await assert.rejects(dialectFor(target).connect(target, { connectTimeoutMs: 1000 }), (error: unknown) => {
      assert.ok(error instanceof ConnectionError)
      assert.equal(error.location, `${dir.dir}/missing/app.db`)
      return true
    })
  })
})
