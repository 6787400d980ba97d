// `mig status` with the real binary on every available database: [X]/[ ] per revision with when,
// by whom and how long from the history table, a group per head, counts, --json, and nothing
// written by it.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { DATABASE_KINDS } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'

const cleanups: (() => void)[] = []
after(() => {
  for (const cleanup of cleanups) cleanup()
})

interface StatusJson {
  current: string[]
  groups: {
    head: string
    branchLabels: string[]
    revisions: {
      revision: string
      applied: boolean
      how: string | null
      appliedBy: string | null
      appliedAt: string | null
      durationMs: number | null
    }[]
  }[]
  applied: { revision: string }[]
  pending: { revision: string }[]
  appliedCount: number
  pendingCount: number
}

describe('mig status', () => {
  for (const kind of DATABASE_KINDS) {
    test(`${kind.name}: applied and pending, per branch, with counts and --json; reads only`, async () => {
      const { dir, cleanup } = tempProject('mig-sqlfirst-status-')
      cleanups.push(cleanup)
      writeConfig(dir)
      const db = await kind.create(dir)
      try {
        writeRevision(dir, 'migrations', {
          id: 'aa01',
          message: 'create users',
          upgrade: ["await op.execute('CREATE TABLE users (id int)')"],
          downgrade: ["await op.execute('DROP TABLE users')"],
        })
        writeFileSync(
          join(dir, 'migrations', 'bb02_profile.sql'),
          '-- add profile\n--\n-- Revision ID: bb02\n-- Revises: aa01\n\n-- migrate: up\nALTER TABLE users ADD bio text;\n-- migrate: down\nALTER TABLE users DROP COLUMN bio;\n',
        )
        writeFileSync(
          join(dir, 'migrations', 'cc03_side.sql'),
          '-- side branch\n--\n-- Revision ID: cc03\n-- Revises: aa01\n-- Branch labels: side\n\n-- UP\nCREATE TABLE side (id int);\n-- DOWN\nDROP TABLE side;\n',
        )
        const before = await mig(dir, [...db.args, 'status'])
        assert.equal(before.code, 0, before.stderr)
        assert.equal(
          before.stdout,
          'Branch bb02 (head):\n  [ ] aa01, create users\n  [ ] bb02, add profile\n\nBranch cc03 (side) (head):\n  [ ] cc03, side branch\n\napplied 0, pending 3\n',
        )
        assert.equal(await db.versions(), null)

        const up = await mig(dir, [...db.args, 'upgrade', 'bb02'])
        assert.equal(up.code, 0, up.stderr)
        const text = await mig(dir, [...db.args, 'status'])
        assert.equal(text.code, 0, text.stderr)
        const lines = text.stdout.split('\n')
        assert.match(
          lines[1] ?? '',
          /^ {2}\[X\] aa01, create users \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, by [^ ]+@[^ ]+, in [\d.]+ m?s\)$/,
        )
        assert.match(lines[2] ?? '', /^ {2}\[X\] bb02, add profile \(/)
        assert.equal(lines[5], '  [ ] cc03, side branch')
        assert.equal(lines.at(-2), 'applied 2, pending 1')

        const json = await mig(dir, [...db.args, 'status', '--json'])
        assert.equal(json.code, 0, json.stderr)
        const data = JSON.parse(json.stdout) as StatusJson
        assert.deepEqual(data.current, ['bb02'])
        assert.deepEqual(
          data.groups.map((g) => [g.head, g.branchLabels]),
          [
            ['bb02', []],
            ['cc03', ['side']],
          ],
        )
        assert.deepEqual(
          data.applied.map((e) => e.revision),
          ['aa01', 'bb02'],
        )
        assert.deepEqual(
          data.pending.map((e) => e.revision),
          ['cc03'],
        )
        assert.equal(data.appliedCount, 2)
        assert.equal(data.pendingCount, 1)
        const first = data.groups[0]?.revisions[0]
        assert.equal(first?.how, 'applied')
        assert.ok(first?.appliedBy?.includes('@'))
        assert.ok(typeof first?.durationMs === 'number' && first.durationMs >= 0)
        assert.ok(!Number.isNaN(Date.parse(first?.appliedAt ?? '')))

        const stamp = await mig(dir, [...db.args, 'stamp', 'side@head'])
        assert.equal(stamp.code, 0, stamp.stderr)
        const stamped = await mig(dir, [...db.args, 'status'])
        assert.match(stamped.stdout, /\[X\] cc03, side branch \(.*, stamped\)\n/)
        assert.match(stamped.stdout, /applied 3, pending 0\n$/)
        assert.deepEqual(await db.versions(), ['bb02', 'cc03'])
      } finally {
        await db.drop()
      }
    })
  }
})
