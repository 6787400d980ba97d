// Concurrent, waiting and killed `mig` processes: each revision is applied exactly once, a waiter
// gives up in bounded time naming the holder, and no lock outlives its process.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { concurrencyProject, upgradeRounds } from '../helpers/concurrent-upgrades.js'
import { mig, tempProject } from '../helpers/mig.js'
import {
  PROBE_TABLE,
  probeInsert,
  SAFETY_KINDS,
  type SafetyKind,
  startMig,
  until,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const PROCESSES = 8
const ROUNDS = 3
const REVISIONS = ['c00000000001', 'c00000000002', 'c00000000003'] as const

describe('exactly once under concurrency', { concurrency: true }, () => {
  // Each revision records itself in `probe`, then pauses so runs overlap.
  const project = concurrencyProject('mig-safety-conc-', REVISIONS)
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS) {
    test(`${PROCESSES} simultaneous upgrades, ${ROUNDS} rounds: ${kind.name}`, async (t) => {
      const db = await kind.create(project.dir)
      try {
        const doubles = await upgradeRounds(project.dir, db, REVISIONS, {
          processes: PROCESSES,
          rounds: ROUNDS,
          countSteps: true,
        })
        t.diagnostic(`${kind.name}: ${ROUNDS} rounds, ${doubles} double applications`)
        assert.equal(doubles, 0)
      } finally {
        await db.drop()
      }
    })
  }
})

describe('bounded waiting', { concurrency: true }, () => {
  const project = tempProject('mig-safety-wait-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, {
    id: 'd00000000001',
    down: null,
    upgrade:
      "(await import('node:fs')).writeFileSync(context.x.mark as string, 'running')\n  await sleep(Number(context.x.hold))",
  })
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS) {
    test(`a second run with --lock-timeout 1 gives up naming the holder: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      const mark = join(project.dir, `mark-${kind.name}`)
      try {
        const holder = startMig(project.dir, [
          '--url',
          db.url,
          '-x',
          `mark=${mark}`,
          '-x',
          'hold=6000',
          'upgrade',
          'head',
        ])
        await until(() => existsSync(mark), 30_000)
        const waiter = await mig(project.dir, ['--url', db.url, '--lock-timeout', '1', 'upgrade', 'head'])
        const holderPid = holder.child.pid as number
        const lines = waiter.stderr.split('\n').filter((line) => line !== '')
        const error = lines.find((line) => line.startsWith('error: ')) ?? ''
        assert.equal(waiter.code, 3, waiter.stderr)
        assert.match(error, /Timed out after 1000 ms waiting for the migration lock .* held by pid \d+/)
        // The first line names the database; every other one is the waiting notice, which names
        // the holder as well.
        assert.match(lines[0] ?? '', /^Target database: /)
        for (const line of lines.slice(1).filter((l) => l !== error)) {
          assert.match(line, /^Waiting for the migration lock held by pid \d+/)
        }
        // On PGlite the data directory is the lock, and its holder is the process itself.
        if (kind.name === 'sqlite' || kind.name === 'pglite') {
          assert.match(error, new RegExp(`held by pid ${holderPid}\\b`))
        }
        if (kind.name === 'postgres') assert.match(error, /application 'mig'/)
        const held = await holder.result
        assert.equal(held.code, 0, held.stderr)
        assert.deepEqual(await db.versions(), ['d00000000001'])
      } finally {
        await db.drop()
      }
    })
  }
})

describe('no lock outlives its process', { concurrency: true }, () => {
  for (const kind of SAFETY_KINDS) {
    test(`kill -9 mid-revision, then the next run finishes the job: ${kind.name}`, async () => {
      const project = killProject(kind)
      const db = await kind.create(project.dir)
      const mark = join(project.dir, 'mark')
      try {
        await db.query(PROBE_TABLE)
        const victim = startMig(project.dir, ['--url', db.url, '-x', `mark=${mark}`, 'upgrade', 'head'])
        await until(() => existsSync(mark), 30_000)
        victim.child.kill('SIGKILL')
        const killed = await victim.result
        assert.equal(killed.code, 137)
        // The first revision committed; the second's transaction died with the process.
        const killedState = await db.snapshot()
        assert.deepEqual(killedState.versions, ['e00000000001'])
        assert.deepEqual(killedState.probe, ['e00000000001/0'])
        const next = await mig(project.dir, ['--url', db.url, '--lock-timeout', '20', 'upgrade', 'head'])
        assert.equal(next.code, 0, next.stderr)
        assert.doesNotMatch(next.stderr, /^error/m)
        const { versions, probe, tables } = await db.snapshot()
        assert.deepEqual(versions, ['e00000000003'])
        assert.deepEqual(probe, ['e00000000001/0', 'e00000000002/0', 'e00000000003/0'])
        assert.ok(tables.includes('killed_ddl') === kind.transactionalDDL, `tables: ${tables.join(', ')}`)
        assert.ok(
          !tables.includes('killed_ddl_tmp'),
          `the killed revision's table stayed: ${tables.join(', ')}`,
        )
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})

/**
 * Three revisions; the second records itself, marks that it is running and sleeps long enough
 * to be killed. Where DDL is transactional it also creates a table, which must roll back with it.
 */
function killProject(kind: SafetyKind) {
  const project = tempProject('mig-safety-kill-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, { id: 'e00000000001', down: null, upgrade: probeInsert('e00000000001') })
  const ddl = kind.transactionalDDL
    ? "await op.createTable(context.x.mark === undefined ? 'killed_ddl' : 'killed_ddl_tmp', (t) => t.addColumn('id', 'integer'))\n  "
    : ''
  writeSafetyRevision(project.dir, {
    id: 'e00000000002',
    down: 'e00000000001',
    upgrade: `${ddl}${probeInsert('e00000000002')}
  if (context.x.mark !== undefined) {
    (await import('node:fs')).writeFileSync(context.x.mark, 'running')
    await sleep(20_000)
  }`,
  })
  writeSafetyRevision(project.dir, {
    id: 'e00000000003',
    down: 'e00000000002',
    upgrade: probeInsert('e00000000003'),
  })
  return project
}
