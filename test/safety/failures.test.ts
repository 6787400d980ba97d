// A revision that fails, forgets an `await` or loses its connection leaves nothing behind where
// DDL is transactional, and says what happened where it is not.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import {
  assertOneLineError,
  kinds,
  PROBE_TABLE,
  probeInsert,
  SAFETY_KINDS,
  startMig,
  until,
  withMysql,
  withPg,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const FIRST = 'f00000000001'
/** `mig upgrade head` with `-x case=<name>`: the case says how the second revision fails. */
const upgradeWithCase = (dir: string, url: string, name: string) =>
  mig(dir, ['--url', url, '-x', `case=${name}`, 'upgrade', 'head'])
const table = (name: string) => `await op.createTable('${name}', (t) => t.addColumn('id', 'integer'))`

/**
 * One project, selected per test with `-x case=…`: the first revision always succeeds; the
 * second does some work, then fails the way the case says.
 */
function failingProject() {
  const project = tempProject('mig-safety-fail-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, { id: FIRST, down: null, upgrade: table('first_table') })
  writeSafetyRevision(project.dir, {
    id: 'f00000000002',
    down: FIRST,
    message: 'fails half way',
    upgrade: `${table('half_table')}
  ${probeInsert('f00000000002')}
  if (context.x.case === 'throw') throw new Error('boom after two ops')
  if (context.x.case === 'no-await') {
    void op.createTable('unawaited_table', (t) => t.addColumn('id', 'integer'))
    void op.execute("insert into probe (rev, round, pid) values ('unawaited', 0, 0)")
    return
  }
  if (context.x.case === 'disconnect') {
    ;(await import('node:fs')).writeFileSync(context.x.mark as string, 'running')
    await op.execute(context.x.sleep as string)
  }
  if (context.x.case === 'nested-transaction') {
    await op.db.transaction().execute(async (trx) => {
      await trx.schema.createTable('nested_table').addColumn('id', 'integer').execute()
    })
  }
  if (context.x.case === 'unobserved-failure') {
    void op.execute('insert into no_such_table values (1)')
    await sleep(100)
  }`,
  })
  return project
}

describe('transactionPerMigration: false', { concurrency: true }, () => {
  const project = failingProject()
  writeSafetyConfig(project.dir, 'transactionPerMigration: false')
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS.filter((k) => k.transactionalDDL)) {
    test(`one transaction for the run: a failing revision undoes those before it: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const run = await upgradeWithCase(project.dir, db.url, 'throw')
        assertOneLineError(run, /revision f00000000002 upgrade\(\) failed: boom after two ops$/)
        const state = await db.snapshot()
        assert.deepEqual(state.versions ?? [], [])
        assert.ok(!state.tables.includes('first_table'), `tables: ${state.tables.join(', ')}`)
        const again = await mig(project.dir, ['--url', db.url, 'upgrade', 'head'])
        assert.equal(again.code, 0, again.stderr)
        assert.deepEqual((await db.snapshot()).versions, ['f00000000002'])
      } finally {
        await db.drop()
      }
    })
  }
})

describe('failures leave nothing behind', { concurrency: true }, () => {
  const project = failingProject()
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS.filter((k) => k.transactionalDDL)) {
    test(`op.db is the revision's own transaction: one of its own is refused, and nothing stays: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const run = await upgradeWithCase(project.dir, db.url, 'nested-transaction')
        assertOneLineError(run, /revision f00000000002 upgrade\(\) failed: .*transaction/i)
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [FIRST])
        for (const table of ['half_table', 'nested_table']) {
          assert.ok(!state.tables.includes(table), `tables: ${state.tables.join(', ')}`)
        }
        assert.deepEqual(state.probe, [])
      } finally {
        await db.drop()
      }
    })
  }

  for (const kind of SAFETY_KINDS) {
    test(`a revision that throws after two ops: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const run = await upgradeWithCase(project.dir, db.url, 'throw')
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [FIRST])
        assert.ok(state.tables.includes('first_table'))
        if (kind.transactionalDDL) {
          assertOneLineError(run, /revision f00000000002 upgrade\(\) failed: boom after two ops$/)
          assert.ok(!state.tables.includes('half_table'), `tables: ${state.tables.join(', ')}`)
          assert.deepEqual(state.probe, [])
        } else {
          // DDL committed as it ran: the run says so, counts what stayed, and how to settle it.
          assertOneLineError(
            run,
            /boom after two ops — mysql cannot roll back DDL, so 2 operation\(s\) of revision f00000000002 stayed applied; .*mig resolve f00000000002/,
            4,
          )
          const again = await mig(project.dir, ['--url', db.url, 'upgrade', 'head'])
          assertOneLineError(again, /f00000000002/, 4)
        }
      } finally {
        await db.drop()
      }
    })

    test(`a forgotten await fails the revision and rolls back: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const run = await upgradeWithCase(project.dir, db.url, 'no-await')
        assertOneLineError(
          run,
          /revision f00000000002 upgrade\(\) returned while \d+ op\.\* call\(s\) were still running: add the missing 'await'/,
          kind.transactionalDDL ? 1 : 4,
        )
        // Give a stray statement time to land, if one were still queued.
        await new Promise((resolve) => setTimeout(resolve, 300))
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [FIRST])
        if (kind.transactionalDDL) {
          for (const name of ['half_table', 'unawaited_table']) {
            assert.ok(!state.tables.includes(name), `tables: ${state.tables.join(', ')}`)
          }
          assert.deepEqual(state.probe, [])
        } else {
          // Nothing ran behind the report's back: it counts the unawaited ops it waited for.
          assert.match(run.stderr, /so 4 operation\(s\) of revision f00000000002 stayed applied/)
          assert.ok(state.tables.includes('unawaited_table'), `tables: ${state.tables.join(', ')}`)
        }
      } finally {
        await db.drop()
      }
    })
  }

  for (const kind of SAFETY_KINDS) {
    test(`a failed op nobody awaited fails the revision: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const run = await upgradeWithCase(project.dir, db.url, 'unobserved-failure')
        assertOneLineError(
          run,
          /revision f00000000002 upgrade\(\) failed: .*no_such_table/,
          kind.transactionalDDL ? 1 : 4,
        )
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [FIRST])
        if (kind.transactionalDDL) assert.deepEqual(state.probe, [])
      } finally {
        await db.drop()
      }
    })
  }

  for (const kind of kinds('postgres', 'mysql')) {
    test(`a connection closed under a running revision: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      const mark = join(project.dir, `mark-${kind.name}`)
      try {
        await db.query(PROBE_TABLE)
        const victim = startMig(project.dir, [
          '--url',
          db.url,
          '-x',
          'case=disconnect',
          '-x',
          `sleep=select ${kind.name === 'postgres' ? 'pg_sleep' : 'sleep'}(60)`,
          '-x',
          `mark=${mark}`,
          'upgrade',
          'head',
        ])
        await until(() => existsSync(mark), 30_000)
        // The mark is written just before the statement is sent: the session is closed only once
        // the server runs it, so that it dies under a running statement, not between two. The
        // polling and closing share one connection, which cannot linger in the list to be closed.
        let terminated = 0
        if (kind.name === 'postgres') {
          await withPg(db.url, async (c) => {
            const mine = "datname = current_database() and application_name = 'mig'"
            await until(async () => {
              const running = await c.query(
                `select 1 from pg_stat_activity where ${mine} and state = 'active' and query like 'select pg_sleep%'`,
              )
              return running.rows.length > 0
            }, 30_000)
            const result = await c.query(
              `select pg_terminate_backend(pid) as done from pg_stat_activity where ${mine}`,
            )
            terminated = result.rows.filter((row) => row.done === true).length
          })
        } else {
          await withMysql(db.url, async (c) => {
            const others =
              'from information_schema.processlist where db = database() and id <> connection_id()'
            await until(async () => {
              const [running] = await c.query(`select id ${others} and info like 'select sleep%'`)
              return (running as unknown[]).length > 0
            }, 30_000)
            const [rows] = await c.query(`select id ${others}`)
            for (const row of rows as { id: number }[]) {
              await c.query(`kill ${Number(row.id)}`)
              terminated++
            }
          })
        }
        assert.equal(terminated, 1, 'the run had one session to close')
        // Ends with an error: a run that reconnected and went on would exit 0, failing below.
        const killed = await victim.result
        assertOneLineError(killed, /f00000000002/, kind.transactionalDDL ? 1 : 4)
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [FIRST])
        if (kind.transactionalDDL) assert.ok(!state.tables.includes('half_table'))
        if (kind.transactionalDDL) {
          const next = await mig(project.dir, ['--url', db.url, 'upgrade', 'head'])
          assert.equal(next.code, 0, next.stderr)
          const done = await db.snapshot()
          assert.deepEqual(done.versions, ['f00000000002'])
          assert.deepEqual(done.probe, ['f00000000002/0'])
        } else {
          // MariaDB: the table stayed, and the error told the user to settle it with `mig resolve`,
          // which works because the failure was recorded on a fresh connection.
          const resolved = await mig(project.dir, ['--url', db.url, 'resolve', 'f00000000002', '--applied'])
          assert.equal(resolved.code, 0, resolved.stderr)
          assert.deepEqual(await db.versions(), ['f00000000002'])
        }
      } finally {
        await db.drop()
      }
    })
  }
})

describe('transactional = false', { concurrency: true }, () => {
  for (const kind of kinds('postgres')) {
    for (const transactional of [false, true]) {
      test(`CREATE INDEX CONCURRENTLY with transactional = ${transactional}: ${kind.name}`, async () => {
        const project = tempProject('mig-safety-concurrently-')
        const db = await kind.create(project.dir)
        try {
          writeSafetyConfig(project.dir)
          writeSafetyRevision(project.dir, { id: 'a10000000001', down: null, upgrade: table('indexed') })
          writeSafetyRevision(project.dir, {
            id: 'a10000000002',
            down: 'a10000000001',
            transactional,
            upgrade: "await op.execute('create index concurrently indexed_id on indexed (id)')",
          })
          const run = await mig(project.dir, ['--url', db.url, 'upgrade', 'head'])
          const indexes = await db.query("select indexname from pg_indexes where tablename = 'indexed'")
          if (transactional) {
            assertOneLineError(
              run,
              /revision a10000000002 upgrade\(\) failed: .*CREATE INDEX CONCURRENTLY cannot run inside a transaction block/,
            )
            assert.deepEqual(await db.versions(), ['a10000000001'])
            assert.deepEqual(indexes, [])
          } else {
            assert.equal(run.code, 0, run.stderr)
            assert.deepEqual(await db.versions(), ['a10000000002'])
            assert.deepEqual(indexes, [{ indexname: 'indexed_id' }])
          }
        } finally {
          await db.drop()
          project.cleanup()
        }
      })
    }
  }
})
