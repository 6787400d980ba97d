// A step that cannot roll back (outside a transaction, or anywhere on MySQL/MariaDB, whose DDL
// commits implicitly) is on record before it runs: interrupted or failed half-way, it is reported
// as partial state and never applied again silently. A step that rolled back whole is a plain
// failure, whatever dialect it ran on.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import {
  assertOneLineError,
  kinds,
  PROBE_TABLE,
  probeInsert,
  SAFETY_KINDS,
  type SafetyDatabase,
  type SafetyKind,
  startMig,
  until,
  withMysql,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const table = (name: string) => `await op.createTable('${name}', (t) => t.addColumn('id', 'integer'))`

/** With `-x mark=<file>`: writes the file, then waits for one nobody creates, until killed. */
const waitWhenMarked = `if (context.x.mark !== undefined) {
    const fs = await import('node:fs')
    fs.writeFileSync(context.x.mark, 'running')
    while (!fs.existsSync(\`\${context.x.mark}.never\`)) await sleep(50)
  }`

/** Three revisions; the second does DDL and DML, then waits (see {@link waitWhenMarked}). */
function interruptedProject(transactional: boolean, config = '') {
  const project = tempProject('mig-safety-interrupted-')
  writeSafetyConfig(project.dir, config)
  writeSafetyRevision(project.dir, { id: 'b00000000001', down: null, upgrade: probeInsert('b00000000001') })
  writeSafetyRevision(project.dir, {
    id: 'b00000000002',
    down: 'b00000000001',
    transactional,
    upgrade: `${table('interrupted_ddl')}
  ${probeInsert('b00000000002')}
  ${waitWhenMarked}`,
  })
  writeSafetyRevision(project.dir, {
    id: 'b00000000003',
    down: 'b00000000002',
    upgrade: probeInsert('b00000000003'),
  })
  return project
}

/** `mig` on `db` in `dir`, with a lock timeout long enough for a killed session to go. */
const run = (dir: string, db: SafetyDatabase, ...args: string[]) =>
  mig(dir, ['--url', db.url, '--lock-timeout', '20', ...args])

async function historyOf(db: SafetyDatabase, revision: string): Promise<string[]> {
  const rows = await db.query(
    `select status from mig_version_history where revision = '${revision}' order by started_at, status`,
  )
  return rows.map((row) => String(row.status))
}

/**
 * Kills `mig upgrade head` with SIGKILL while the second revision waits, then checks that
 * nothing runs it again until `mig resolve` says what the database holds.
 */
async function killMidRevision(kind: SafetyKind, transactional: boolean, config = ''): Promise<void> {
  const project = interruptedProject(transactional, config)
  const db = await kind.create(project.dir)
  const mark = join(project.dir, 'mark')
  try {
    await db.query(PROBE_TABLE)
    const victim = startMig(project.dir, ['--url', db.url, '-x', `mark=${mark}`, 'upgrade', 'head'], {
      timeoutMs: 180_000,
    })
    await until(() => existsSync(mark), 120_000)
    victim.child.kill('SIGKILL')
    assert.equal((await victim.result).code, 137)

    const check = await run(project.dir, db, 'check')
    assertOneLineError(
      check,
      /revision b00000000002 \(upgrade\) started at .* and never finished: .*'mig resolve b00000000002 --applied'/,
      4,
    )
    const again = await run(project.dir, db, 'upgrade', 'head')
    assertOneLineError(again, /revision b00000000002 .*never finished/, 4)
    const refused = await db.snapshot()
    assert.deepEqual(refused.versions, ['b00000000001'])
    assert.deepEqual(refused.probe, ['b00000000001/0', 'b00000000002/0'])
    assert.ok(refused.tables.includes('interrupted_ddl'), `tables: ${refused.tables.join(', ')}`)

    // The user looks, finds the revision whole, and says so; the run then goes on.
    const resolved = await run(project.dir, db, 'resolve', 'b00000000002', '--applied')
    assert.equal(resolved.code, 0, resolved.stderr)
    assert.deepEqual(await db.versions(), ['b00000000002'])
    const next = await run(project.dir, db, 'upgrade', 'head')
    assert.equal(next.code, 0, next.stderr)
    const done = await db.snapshot()
    assert.deepEqual(done.versions, ['b00000000003'])
    assert.deepEqual(done.probe, ['b00000000001/0', 'b00000000002/0', 'b00000000003/0'])
    const ok = await run(project.dir, db, 'check')
    assert.equal(ok.code, 0, ok.stderr)
  } finally {
    await db.drop()
    project.cleanup()
  }
}

describe('kill -9 of a step that cannot roll back', { concurrency: true }, () => {
  for (const kind of SAFETY_KINDS) {
    test(`transactional = false, killed half-way: recorded as started, never re-run: ${kind.name}`, () =>
      killMidRevision(kind, false))
  }
  for (const kind of kinds('mysql')) {
    test(`DDL on MariaDB, killed half-way: recorded as started, never re-run: ${kind.name}`, () =>
      killMidRevision(kind, true))
    test(`DDL on MariaDB in one transaction for the run, killed half-way: the same: ${kind.name}`, () =>
      killMidRevision(kind, true, 'transactionPerMigration: false'))
  }
})

describe('transactional = false, failing half-way', { concurrency: true }, () => {
  for (const kind of SAFETY_KINDS) {
    test(`recorded as failed with what completed; a failure before any op is plain: ${kind.name}`, async () => {
      const project = tempProject('mig-safety-nontx-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir)
        writeSafetyRevision(project.dir, {
          id: 'c00000000001',
          down: null,
          upgrade: probeInsert('c00000000001'),
        })
        writeSafetyRevision(project.dir, {
          id: 'c00000000002',
          down: 'c00000000001',
          transactional: false,
          upgrade: `if (context.x.case === 'early') throw new Error('boom before any op')
  ${table('half_nontx')}
  ${probeInsert('c00000000002')}
  if (context.x.case === 'late') throw new Error('boom after two ops')`,
        })
        await db.query(PROBE_TABLE)

        // Nothing reached the database: a plain failure, and the next run applies the revision.
        const early = await run(project.dir, db, '-x', 'case=early', 'upgrade', 'head')
        assertOneLineError(early, /revision c00000000002 upgrade\(\) failed: boom before any op$/)
        assert.deepEqual(await historyOf(db, 'c00000000002'), [])
        const pending = await run(project.dir, db, 'check')
        assert.equal(pending.code, 7, pending.stderr)

        const late = await run(project.dir, db, '-x', 'case=late', 'upgrade', 'head')
        assertOneLineError(
          late,
          /boom after two ops — revision c00000000002 runs outside a transaction \(transactional = false\), so 2 operation\(s\) of it stayed applied; .*mig resolve c00000000002 --rolled-back/,
          4,
        )
        assert.ok((await historyOf(db, 'c00000000002')).includes('failed'))
        assertOneLineError(await run(project.dir, db, 'check'), /revision c00000000002 failed/, 4)
        const again = await run(project.dir, db, 'upgrade', 'head')
        assertOneLineError(again, /c00000000002/, 4)
        assert.deepEqual((await db.snapshot()).probe, ['c00000000001/0', 'c00000000002/0'])

        // The user undoes what stayed, says so, and the revision runs again, once.
        await db.query('drop table half_nontx')
        await db.query("delete from probe where rev = 'c00000000002'")
        const resolved = await run(project.dir, db, 'resolve', 'c00000000002', '--rolled-back')
        assert.equal(resolved.code, 0, resolved.stderr)
        const next = await run(project.dir, db, 'upgrade', 'head')
        assert.equal(next.code, 0, next.stderr)
        const done = await db.snapshot()
        assert.deepEqual(done.versions, ['c00000000002'])
        assert.deepEqual(done.probe, ['c00000000001/0', 'c00000000002/0'])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})

describe('MariaDB: partial state only when a statement committed implicitly', { concurrency: true }, () => {
  /** The second revision only changes data, unless the case runs DDL through `op.execute`. */
  function dmlProject() {
    const project = tempProject('mig-safety-dml-')
    writeSafetyConfig(project.dir)
    writeSafetyRevision(project.dir, { id: 'd10000000001', down: null, upgrade: probeInsert('d10000000001') })
    writeSafetyRevision(project.dir, {
      id: 'd10000000002',
      down: 'd10000000001',
      upgrade: `${probeInsert('d10000000002')}
  await op.execute('update probe set round = round + 0')
  if (context.x.case === 'raw-ddl') await op.execute('create table raw_ddl (id integer)')
  if (context.x.case === 'throw' || context.x.case === 'raw-ddl') throw new Error('boom')
  if (context.x.case === 'disconnect') {
    ;(await import('node:fs')).writeFileSync(context.x.mark as string, 'running')
    await op.execute('select sleep(30)')
  }`,
    })
    return project
  }

  for (const kind of kinds('mysql')) {
    test(`a DML-only revision that fails rolls back: a plain failure, nothing to resolve: ${kind.name}`, async () => {
      const project = dmlProject()
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const failed = await run(project.dir, db, '-x', 'case=throw', 'upgrade', 'head')
        assertOneLineError(failed, /^error: revision d10000000002 upgrade\(\) failed: boom$/)
        assert.deepEqual(await historyOf(db, 'd10000000002'), [])
        assert.deepEqual((await db.snapshot()).probe, ['d10000000001/0'])
        const check = await run(project.dir, db, 'check')
        assert.equal(check.code, 7, check.stderr)
        const next = await run(project.dir, db, 'upgrade', 'head')
        assert.equal(next.code, 0, next.stderr)
        const done = await db.snapshot()
        assert.deepEqual(done.versions, ['d10000000002'])
        assert.deepEqual(done.probe, ['d10000000001/0', 'd10000000002/0'])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })

    test(`DDL through op.execute commits implicitly: partial state: ${kind.name}`, async () => {
      const project = dmlProject()
      const db = await kind.create(project.dir)
      try {
        await db.query(PROBE_TABLE)
        const failed = await run(project.dir, db, '-x', 'case=raw-ddl', 'upgrade', 'head')
        assertOneLineError(failed, /boom — mysql cannot roll back DDL, so 3 operation\(s\)/, 4)
        assertOneLineError(await run(project.dir, db, 'check'), /revision d10000000002 failed/, 4)
      } finally {
        await db.drop()
        project.cleanup()
      }
    })

    test(`a DML-only revision whose connection is killed: a plain failure: ${kind.name}`, async () => {
      const project = dmlProject()
      const db = await kind.create(project.dir)
      const mark = join(project.dir, 'mark')
      try {
        await db.query(PROBE_TABLE)
        const victim = startMig(project.dir, [
          '--url',
          db.url,
          '-x',
          'case=disconnect',
          '-x',
          `mark=${mark}`,
          'upgrade',
          'head',
        ])
        await until(() => existsSync(mark), 30_000)
        await withMysql(db.url, async (c) => {
          const [rows] = await c.query(
            "select id from information_schema.processlist where db = database() and info like 'select sleep%'",
          )
          for (const row of rows as { id: number }[]) await c.query(`kill ${Number(row.id)}`)
        })
        const killed = await victim.result
        assertOneLineError(killed, /revision d10000000002 upgrade\(\) failed/)
        assert.doesNotMatch(killed.stderr, /stayed applied|mig resolve/)
        assert.deepEqual(await historyOf(db, 'd10000000002'), [])
        const next = await run(project.dir, db, 'upgrade', 'head')
        assert.equal(next.code, 0, next.stderr)
        assert.deepEqual((await db.snapshot()).probe, ['d10000000001/0', 'd10000000002/0'])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})
