// Lock and statement timeouts with retries, on real PostgreSQL and MariaDB: a `psql`/`mariadb`
// session holds a lock on the table a revision alters; `mig upgrade head` gives up waiting after
// the configured lock timeout, says so and retries, and succeeds once the session lets go; with no
// retries left it fails cleanly and nothing is applied. A statement timeout stops a long
// statement and is not retried.
import assert from 'node:assert/strict'
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { MIG_BIN, mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'
import { MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.js'

interface Server {
  readonly name: string
  readonly serverUrl: string | undefined
  /** Creates the database and its table `item (id int)`; returns its URL. */
  create(name: string): Promise<string>
  drop(name: string): Promise<void>
  /** A client session that takes a lock conflicting with ALTER TABLE on `item`, then waits. */
  holder(url: string): { command: string; args: string[]; lock: string; release: string }
  /** The columns of `item`, and the rows of `mig_version` (null: no table). */
  state(url: string): Promise<{ columns: string[]; versions: string[] | null }>
  /** A statement that runs for `seconds`. */
  sleep(seconds: number): string
}

const servers: Server[] = [
  {
    name: 'PostgreSQL',
    serverUrl: POSTGRES_URL,
    create: async (name) => {
      await withPg(POSTGRES_URL as string, (c) => c.query(`create database "${name}"`))
      const url = withDatabase(POSTGRES_URL as string, name)
      await withPg(url, (c) => c.query('create table item (id int)'))
      return url
    },
    drop: (name) =>
      withPg(POSTGRES_URL as string, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(
        () => {},
      ),
    holder: (url) => ({
      command: 'psql',
      args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url],
      lock: 'begin;\nlock table item in access share mode;\n\\echo locked\n',
      release: 'commit;\n\\q\n',
    }),
    state: (url) =>
      withPg(url, async (c) => {
        const columns = await c.query<{ column_name: string }>(
          "select column_name from information_schema.columns where table_name = 'item' order by ordinal_position",
        )
        const exists = await c.query("select to_regclass('mig_version') is not null as found")
        const versions = (exists.rows[0] as { found: boolean }).found
          ? (await c.query<{ version_num: string }>('select version_num from mig_version')).rows.map(
              (r) => r.version_num,
            )
          : null
        return { columns: columns.rows.map((r) => r.column_name), versions }
      }),
    sleep: (seconds) => `select pg_sleep(${seconds})`,
  },
  {
    name: 'MariaDB',
    serverUrl: MYSQL_URL,
    create: async (name) => {
      await withMysql(MYSQL_URL as string, (c) => c.query(`create database \`${name}\``))
      const url = withDatabase(MYSQL_URL as string, name)
      await withMysql(url, (c) => c.query('create table item (id int)'))
      return url
    },
    drop: (name) =>
      withMysql(MYSQL_URL as string, (c) => c.query(`drop database if exists \`${name}\``)).then(() => {}),
    holder: (url) => {
      const parsed = new URL(url)
      return {
        command: 'mariadb',
        args: [
          '-n',
          '-N',
          '-h',
          parsed.hostname,
          '-P',
          parsed.port || '3306',
          '-u',
          parsed.username,
          parsed.pathname.slice(1),
        ],
        // An open transaction that has read the table holds its metadata lock: ALTER TABLE waits.
        lock: "start transaction;\nselect count(*) from item;\nselect 'locked';\n",
        release: 'commit;\n',
      }
    },
    state: (url) =>
      withMysql(url, async (c) => {
        const [columns] = await c.query(
          "select column_name as name from information_schema.columns where table_schema = database() and table_name = 'item' order by ordinal_position",
        )
        const [tables] = await c.query("show tables like 'mig_version'")
        const versions =
          (tables as unknown[]).length === 0
            ? null
            : ((await c.query('select version_num from mig_version'))[0] as { version_num: string }[]).map(
                (r) => r.version_num,
              )
        return { columns: (columns as { name: string }[]).map((r) => r.name), versions }
      }),
    sleep: (seconds) => `select sleep(${seconds})`,
  },
]

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function withMysql<T>(url: string, work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(url)
  try {
    return await work(connection)
  } finally {
    await connection.end()
  }
}

/** Starts the holder session; resolves once it holds the lock. */
async function holdLock(
  server: Server,
  url: string,
): Promise<{ release: () => Promise<void>; kill: () => void }> {
  const spec = server.holder(url)
  const child: ChildProcessWithoutNullStreams = spawn(spec.command, spec.args)
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('locked')) resolve()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => reject(new Error(`${spec.command} exited (${code}) before locking: ${err}`)))
    child.stdin.write(spec.lock)
  })
  return {
    release: async () => {
      child.stdin.end(spec.release)
      const code = await exited
      assert.equal(code, 0, `${spec.command}: ${err}`)
    },
    // After a failed assertion: the session must not outlive the test (nor keep it running).
    kill: () => {
      if (child.exitCode === null) child.kill()
    },
  }
}

/**
 * Runs `mig` and calls `onLine` with each stderr line as it comes (so a test can release the lock
 * when the first retry is announced).
 */
function migWatching(
  cwd: string,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MIG_BIN, ...args], {
      cwd,
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'MIG_DATABASE_URL')),
    })
    let stderr = ''
    let pending = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    })
    child.stdout.resume()
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }))
  })
}

const RETRYING =
  /^warning: revision a1 gave up waiting for a lock \((canceling statement due to lock timeout|Lock wait timeout exceeded; try restarting transaction)\); nothing of it was applied; retrying in [\d.]+ (ms|s) \(retry (\d+) of (\d+)\)$/

for (const server of servers) {
  describe(`lock timeouts and retries on ${server.name}`, {
    skip:
      server.serverUrl === undefined
        ? `set MIG_TEST_${server.name === 'PostgreSQL' ? 'POSTGRES' : 'MYSQL'}_URL`
        : false,
  }, () => {
    const databases: string[] = []
    const projects: { cleanup: () => void }[] = []
    after(async () => {
      for (const name of databases) await server.drop(name)
      for (const project of projects) project.cleanup()
    })

    /** A project whose one revision adds a column to `item`, with the given config and revision exports. */
    async function setup(config: string, preamble = ''): Promise<{ dir: string; url: string }> {
      const name = `verify_locks_${process.pid}_${randomBytes(3).toString('hex')}`
      databases.push(name)
      const url = await server.create(name)
      const project = tempProject('mig-verify-locks-')
      projects.push(project)
      writeFileSync(
        join(project.dir, 'migrate.config.ts'),
        `export default { migrations: 'migrations', url: ${JSON.stringify(url)}, ${config} }\n`,
      )
      writeRevision(project.dir, 'migrations', {
        id: 'a1',
        message: 'add a column',
        preamble,
        upgrade: ["await op.addColumn('item', 'name', 'varchar(20)')"],
        downgrade: ["await op.dropColumn('item', 'name')"],
      })
      return { dir: project.dir, url }
    }

    test('config timeouts: upgrade retries while the lock is held, and succeeds once it is released', async () => {
      const { dir, url } = await setup('timeouts: { lockTimeout: 1000 }, retries: 10, retryDelay: 200')
      const lock = await holdLock(server, url)
      let released: Promise<void> | undefined
      const result = await migWatching(dir, ['upgrade', 'head'], (line) => {
        if (RETRYING.test(line) && released === undefined) released = lock.release()
      }).finally(() => {
        if (released === undefined) lock.kill()
      })
      await released
      assert.equal(result.code, 0, result.stderr)
      const retries = result.stderr.split('\n').filter((line) => RETRYING.test(line))
      assert.ok(retries.length >= 1, result.stderr)
      assert.match(retries[0] as string, /\(retry 1 of 10\)$/)
      // A retried step keeps its place in the run's count.
      const counters = result.stderr.match(/^\[\d+\/\d+\]/gm) ?? []
      assert.deepEqual(new Set(counters), new Set(['[1/1]']), result.stderr)
      assert.deepEqual(await server.state(url), { columns: ['id', 'name'], versions: ['a1'] })
    })

    test("a revision's own export const timeouts, with no retries left: fails cleanly, nothing applied", async () => {
      const { dir, url } = await setup(
        'retries: 2, retryDelay: 100',
        'export const timeouts = { lockTimeout: 1000 }',
      )
      const lock = await holdLock(server, url)
      try {
        const result = await mig(dir, ['upgrade', 'head'])
        assert.equal(result.code, 1, result.stderr)
        const lines = result.stderr.trim().split('\n')
        assert.deepEqual(
          lines.filter((line) => RETRYING.test(line)).map((line) => RETRYING.exec(line)?.[3]),
          ['1', '2'],
          result.stderr,
        )
        assert.match(lines.at(-1) as string, /^error: revision a1 upgrade\(\) failed: .*lock/i)
        assert.doesNotMatch(result.stderr, /mig resolve/)
      } finally {
        await lock.release().finally(lock.kill)
      }
      const state = await server.state(url)
      assert.deepEqual(state.columns, ['id'])
      assert.deepEqual(state.versions ?? [], [])
      // Nothing to repair: the next run applies it.
      const again = await mig(dir, ['upgrade', 'head'])
      assert.equal(again.code, 0, again.stderr)
    })

    test('without retries a lock timeout fails at once; a statement timeout is not retried', async () => {
      const { dir, url } = await setup('timeouts: { lockTimeout: 1000 }')
      const lock = await holdLock(server, url)
      try {
        const result = await mig(dir, ['upgrade', 'head'])
        assert.equal(result.code, 1)
        assert.doesNotMatch(result.stderr, /retrying/)
      } finally {
        await lock.release().finally(lock.kill)
      }
      assert.deepEqual((await server.state(url)).columns, ['id'])
      if (server.name !== 'PostgreSQL') return
      const slow = await setup(
        'timeouts: { statementTimeout: 200 }, retries: 3',
        `export const timeouts = { statementTimeout: 200 }`,
      )
      writeRevision(slow.dir, 'migrations', {
        id: 'b2',
        down: 'a1',
        message: 'a slow step',
        upgrade: [`await op.execute(${JSON.stringify(server.sleep(3))})`],
      })
      const timedOut = await mig(slow.dir, ['upgrade', 'head'])
      assert.equal(timedOut.code, 1)
      assert.match(timedOut.stderr, /^error: revision b2 upgrade\(\) failed: .*statement timeout/m)
      assert.doesNotMatch(timedOut.stderr, /retrying/)
      assert.deepEqual((await server.state(slow.url)).versions, ['a1'])
    })
  })
}
