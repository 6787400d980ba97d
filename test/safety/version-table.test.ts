// A version table that cannot be trusted (rows of which one is an ancestor of another, or rows
// lost although the history records them applied) stops every command that writes, with exit
// status 8, until `mig stamp` says where the database is.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import {
  assertOneLineError,
  PROBE_TABLE,
  probeInsert,
  SAFETY_KINDS,
  type SafetyDatabase,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const [V1, V2, V3] = ['a20000000001', 'a20000000002', 'a20000000003'] as const

/** Three revisions in a line, each recording itself in the probe table. */
function lineProject() {
  const project = tempProject('mig-safety-version-table-')
  writeSafetyConfig(project.dir)
  writeSafetyRevision(project.dir, { id: V1, down: null, upgrade: probeInsert(V1) })
  writeSafetyRevision(project.dir, { id: V2, down: V1, upgrade: probeInsert(V2) })
  writeSafetyRevision(project.dir, { id: V3, down: V2, upgrade: probeInsert(V3) })
  return project
}

const run = (dir: string, db: SafetyDatabase, ...args: string[]) => mig(dir, ['--url', db.url, ...args])

/** A fresh database with the probe table, upgraded to the last revision. */
async function upgraded(dir: string, db: SafetyDatabase): Promise<void> {
  await db.query(PROBE_TABLE)
  const up = await run(dir, db, 'upgrade', 'head')
  assert.equal(up.code, 0, up.stderr)
}

const ALL_PROBES = [`${V1}/0`, `${V2}/0`, `${V3}/0`]

describe('conflicting rows in the version table', { concurrency: true }, () => {
  const project = lineProject()
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS) {
    test(`every writing command refuses, naming the rows; stamp --purge repairs: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await upgraded(project.dir, db)
        await db.query(`insert into mig_version (version_num) values ('${V1}')`)
        const conflict = new RegExp(`conflicting rows: '${V1}' is an ancestor of '${V3}'.*mig stamp --purge`)

        // `current` shows the rows as they are, then says what is wrong with them.
        const current = await run(project.dir, db, 'current')
        assertOneLineError(current, conflict, 8)
        assert.match(current.stdout, new RegExp(`^${V1}\\b`, 'm'))
        assert.match(current.stdout, new RegExp(`^${V3} \\(head\\)`, 'm'))
        assertOneLineError(await run(project.dir, db, 'check'), conflict, 8)
        for (const args of [
          ['upgrade', 'head'],
          ['downgrade', '-1'],
          ['stamp', V2],
          ['resolve', V2, '--applied'],
        ]) {
          assertOneLineError(await run(project.dir, db, ...args), conflict, 8)
        }
        const state = await db.snapshot()
        assert.deepEqual(state.versions, [V1, V3].sort())
        assert.deepEqual(state.probe, ALL_PROBES)

        const purged = await run(project.dir, db, 'stamp', '--purge', V3)
        assert.equal(purged.code, 0, purged.stderr)
        assert.deepEqual(await db.versions(), [V3])
        const check = await run(project.dir, db, 'check')
        assert.equal(check.code, 0, check.stderr)
      } finally {
        await db.drop()
      }
    })
  }
})

describe('a version table emptied or dropped by hand', { concurrency: true }, () => {
  const project = lineProject()
  after(() => project.cleanup())

  for (const kind of SAFETY_KINDS) {
    test(`history says what is applied: refused until stamped, nothing re-run: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        await upgraded(project.dir, db)
        const lost = new RegExp(
          `history table records '${V3}' as applied .* version table does not hold it .*'mig stamp ${V3}'.*'mig stamp --purge`,
        )
        await db.query('delete from mig_version')
        assertOneLineError(await run(project.dir, db, 'check'), lost, 8)
        assertOneLineError(await run(project.dir, db, 'upgrade', 'head'), lost, 8)
        assert.deepEqual((await db.snapshot()).probe, ALL_PROBES)
        const restored = await run(project.dir, db, 'stamp', V3)
        assert.equal(restored.code, 0, restored.stderr)
        assert.equal((await run(project.dir, db, 'check')).code, 0)

        // A row edited back by hand, then the table dropped: the same, and the same way out.
        await db.query(`update mig_version set version_num = '${V1}'`)
        assertOneLineError(await run(project.dir, db, 'downgrade', 'base'), lost, 8)
        await db.query('drop table mig_version')
        assertOneLineError(await run(project.dir, db, 'upgrade', 'head'), lost, 8)
        assert.deepEqual((await db.snapshot()).probe, ALL_PROBES)
        // Or the user accepts the version table as it is: everything is pending again.
        const accepted = await run(project.dir, db, 'stamp', '--purge', 'base')
        assert.equal(accepted.code, 0, accepted.stderr)
        assert.equal((await run(project.dir, db, 'check')).code, 7)
      } finally {
        await db.drop()
      }
    })

    test(`stamps, downgrades and purges are no false alarm: ${kind.name}`, async () => {
      const db = await kind.create(project.dir)
      try {
        // A fresh database (for SQLite, an empty file: one that does not exist is refused by
        // read-only commands): everything pending, nothing amiss.
        if (kind.name === 'sqlite') writeFileSync(db.url.slice('sqlite:'.length), '')
        assert.equal((await run(project.dir, db, 'check')).code, 7)
        await upgraded(project.dir, db)
        const steps: [string[], number][] = [
          [['downgrade', '-1'], 7],
          [['upgrade', 'head'], 0],
          [['stamp', V1], 7],
          [['stamp', V3], 0],
          [['downgrade', 'base'], 7],
          [['stamp', '--purge', V2], 7],
          [['stamp', '--purge', 'base'], 7],
        ]
        for (const [args, status] of steps) {
          const step = await run(project.dir, db, ...args)
          assert.equal(step.code, 0, `${args.join(' ')}: ${step.stderr}`)
          const check = await run(project.dir, db, 'check')
          assert.equal(check.code, status, `check after ${args.join(' ')}: ${check.stderr}`)
        }
      } finally {
        await db.drop()
      }
    })
  }
})
