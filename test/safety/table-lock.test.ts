// `lock: 'table'`, the lock for engines whose advisory locks do nothing: a leased row in
// `mig_version_lock`. The same proof as the advisory lock's (8 processes at once, several rounds,
// no revision applied twice), and a holder killed with kill -9 keeps the lock until its lease
// expires, then the next run takes it over.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { resolveConfig } from '../../packages/core/src/config/resolved-config.ts'
import { ConfigError } from '../../packages/core/src/errors.ts'
import { concurrencyProject, upgradeRounds } from '../helpers/concurrent-upgrades.js'
import { mig, tempProject } from '../helpers/mig.js'
import {
  kinds,
  PROBE_TABLE,
  probeInsert,
  startMig,
  until,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const PROCESSES = 8
const ROUNDS = 3
const REVISIONS = ['f00000000001', 'f00000000002', 'f00000000003'] as const
const LEASE_MS = 4000
// Server databases run the table lock; on SQLite (one writer) the file lock stands in for it.
const TABLE_KINDS = kinds('postgres', 'mysql', 'sqlite')

describe('lock: table, exactly once under concurrency', { concurrency: true }, () => {
  const project = concurrencyProject('mig-fleet-tlock-', REVISIONS, `lock: 'table', lockLease: ${LEASE_MS}`)
  after(() => project.cleanup())

  for (const kind of TABLE_KINDS) {
    test(`${PROCESSES} simultaneous upgrades, ${ROUNDS} rounds: ${kind.name}`, async (t) => {
      const db = await kind.create(project.dir)
      try {
        const doubles = await upgradeRounds(project.dir, db, REVISIONS, {
          processes: PROCESSES,
          rounds: ROUNDS,
        })
        if (kind.name !== 'sqlite') {
          const tables = await db.tables()
          assert.ok(tables.includes('mig_version_lock'), `tables: ${tables.join(', ')}`)
          // Every holder deleted its row on release.
          assert.deepEqual(await db.query('select * from mig_version_lock'), [])
        }
        t.diagnostic(`${kind.name}: ${ROUNDS} rounds, ${doubles} double applications`)
        assert.equal(doubles, 0)
      } finally {
        await db.drop()
      }
    })
  }
})

describe('lock: table, a holder killed with kill -9', { concurrency: true }, () => {
  for (const kind of kinds('postgres', 'mysql')) {
    test(`keeps the lock until its lease expires, then the next run takes over: ${kind.name}`, async () => {
      const project = tempProject('mig-fleet-tkill-')
      // Long enough that the run right after the kill starts well within the dead holder's lease.
      writeSafetyConfig(project.dir, "lock: 'table', lockLease: 20000")
      writeSafetyRevision(project.dir, {
        id: 'f10000000001',
        down: null,
        upgrade: probeInsert('f10000000001'),
      })
      writeSafetyRevision(project.dir, {
        id: 'f10000000002',
        down: 'f10000000001',
        upgrade: `${probeInsert('f10000000002')}
  if (context.x.mark !== undefined) {
    (await import('node:fs')).writeFileSync(context.x.mark, 'running')
    await sleep(60_000)
  }`,
      })
      const db = await kind.create(project.dir)
      const mark = join(project.dir, 'mark')
      try {
        await db.query(PROBE_TABLE)
        const victim = startMig(project.dir, ['--url', db.url, '-x', `mark=${mark}`, 'upgrade', 'head'])
        await until(() => existsSync(mark), 60_000)
        const victimPid = victim.child.pid as number
        victim.child.kill('SIGKILL')
        assert.equal((await victim.result).code, 137)
        // The dead holder's row stays: a run that will not wait out the lease gives up, naming it.
        const early = await mig(project.dir, ['--url', db.url, '--lock-timeout', '1', 'upgrade', 'head'])
        assert.equal(early.code, 3, early.stderr)
        assert.match(
          early.stderr,
          new RegExp(`table lock \\S+mig_version_lock .*held by pid ${victimPid}\\b.*lease expires in`),
        )
        assert.deepEqual(await db.versions(), ['f10000000001'])
        // A run that waits takes the lock over once the lease has expired, and finishes the job.
        const next = await mig(project.dir, ['--url', db.url, '--lock-timeout', '60', 'upgrade', 'head'])
        assert.equal(next.code, 0, next.stderr)
        const { versions, probe } = await db.snapshot()
        assert.deepEqual(versions, ['f10000000002'])
        // The killed revision's transaction died with it: applied once, by the second run.
        assert.deepEqual(probe, ['f10000000001/0', 'f10000000002/0'])
        assert.deepEqual(await db.query('select * from mig_version_lock'), [])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})

describe('lock: table, bad config', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      'an unknown strategy',
      { lock: 'tables' },
      /config key 'lock' must be 'advisory' or 'table', got "tables"/,
    ],
    ['a lease without the table lock', { lockLease: 5000 }, /'lockLease' applies only with lock: 'table'/],
    ['a lease too short', { lock: 'table', lockLease: 10 }, /'lockLease' must be milliseconds from 1000/],
    ['a lease that is not a number', { lock: 'table', lockLease: '30s' }, /'lockLease' must be milliseconds/],
  ]
  for (const [what, config, message] of bad) {
    test(what, () => {
      assert.throws(
        () => resolveConfig(config, '/p/migrate.config.ts', '/p'),
        (e: unknown) =>
          e instanceof ConfigError &&
          message.test(e.message) &&
          e.message.startsWith('/p/migrate.config.ts: '),
      )
    })
  }
  test('the default is the advisory lock; the table lock’s lease defaults to 30 s', () => {
    assert.deepEqual(resolveConfig({}, undefined, '/p').lock, { kind: 'advisory' })
    assert.deepEqual(resolveConfig({ lock: 'table' }, undefined, '/p').lock, {
      kind: 'table',
      leaseMs: 30_000,
    })
  })
})

describe('lock: table, a holder that stalls past its lease', { concurrency: true }, () => {
  for (const kind of kinds('postgres', 'mysql')) {
    test(`is taken over, then stops before committing, saying the lock was lost: ${kind.name}`, async () => {
      const project = tempProject('mig-fleet-tstall-')
      writeSafetyConfig(project.dir, "lock: 'table', lockLease: 1000")
      // With a mark to write, the first revision then blocks its process (no renewal can run)
      // for fifteen leases: time enough for another run to start and take it over.
      writeSafetyRevision(project.dir, {
        id: 'f20000000001',
        down: null,
        upgrade: `${probeInsert('f20000000001')}
  if (context.x.mark !== undefined) {
    (await import('node:fs')).writeFileSync(context.x.mark, 'stalling')
    const until = Date.now() + 15000
    while (Date.now() < until) {}
  }`,
      })
      writeSafetyRevision(project.dir, {
        id: 'f20000000002',
        down: 'f20000000001',
        upgrade: probeInsert('f20000000002'),
      })
      const db = await kind.create(project.dir)
      const mark = join(project.dir, 'mark')
      try {
        await db.query(PROBE_TABLE)
        const stalled = startMig(project.dir, ['--url', db.url, '-x', `mark=${mark}`, 'upgrade', 'head'])
        await until(() => existsSync(mark), 60_000)
        // Its lease runs out while it is stalled: this run takes the lock over and does the work.
        const next = await mig(project.dir, ['--url', db.url, '--lock-timeout', '60', 'upgrade', 'head'])
        assert.equal(next.code, 0, next.stderr)
        const held = await stalled.result
        assert.equal(held.code, 1, held.stderr)
        assert.match(
          held.stderr,
          /^error: The migration table lock \S+mig_version_lock on \S+ was lost while this run held it \((no renewal for 1000 ms|another run took it over after its lease expired); lease 1000 ms\)/m,
        )
        // Each revision applied once, by the run that took over; the stalled one rolled back.
        const { versions, probe } = await db.snapshot()
        assert.deepEqual(versions, ['f20000000002'])
        assert.deepEqual(probe, ['f20000000001/0', 'f20000000002/0'])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})
