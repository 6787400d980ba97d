// `mig test`: a corpus of deliberately broken revisions, each caught with the exact schema
// difference, and a correct project passing, through the real binary, on a throwaway database:
// in-memory PGlite and SQLite always, PostgreSQL and MariaDB (a database created for the run,
// then dropped) when their URL variables are set.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'
import { MYSQL_URL, POSTGRES_URL } from '../helpers/servers.js'

interface Kind {
  readonly name: string
  /** Global options that pick the throwaway database. */
  readonly args: readonly string[]
  readonly enums: boolean
}

const KINDS: Kind[] = [
  { name: 'pglite', args: [], enums: true },
  { name: 'sqlite', args: ['--url', 'sqlite:app.db'], enums: false },
]
if (POSTGRES_URL !== undefined) KINDS.push({ name: 'postgres', args: ['--url', POSTGRES_URL], enums: true })
if (MYSQL_URL !== undefined) KINDS.push({ name: 'mariadb', args: ['--url', MYSQL_URL], enums: false })

const BASE = 'aaaaaaaaaaaa'
const BROKEN = 'bbbbbbbbbbbb'

const baseUpgrade = [
  "await op.createTable('account', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('email', 'varchar(200)', (c) => c.notNull()))",
  "await op.createTable('note', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('body', 'varchar(100)'))",
]
const baseDowngrade = ["await op.dropTable('note')", "await op.dropTable('account')"]

interface Case {
  readonly name: string
  readonly upgrade: readonly string[]
  readonly downgrade: readonly string[]
  readonly kind: string
  /** Each must appear among the finding's difference lines. */
  readonly differences: readonly RegExp[]
  readonly enums?: boolean
}

const CASES: readonly Case[] = [
  {
    name: 'the downgrade forgets an index',
    upgrade: ["await op.createIndex('account_email_idx', 'account', ['email'])"],
    downgrade: [],
    kind: 'no-downgrade',
    differences: [/^\+ index account\.account_email_idx/],
  },
  {
    name: 'the downgrade forgets one of two columns',
    upgrade: [
      "await op.addColumn('account', 'name', 'varchar(50)')",
      "await op.addColumn('account', 'age', 'integer')",
    ],
    downgrade: ["await op.dropColumn('account', 'age')"],
    kind: 'not-reversible',
    differences: [/^\+ column account\.name/],
  },
  {
    name: 'the downgrade forgets a constraint',
    upgrade: ["await op.createUniqueConstraint('note_body_key', 'note', ['body'])"],
    downgrade: [],
    kind: 'no-downgrade',
    differences: [/^\+ unique constraint note\./],
  },
  {
    name: 'the downgrade drops the wrong table',
    upgrade: ["await op.createTable('tag', (t) => t.addColumn('id', 'integer', (c) => c.primaryKey()))"],
    downgrade: ["await op.dropTable('note')"],
    kind: 'not-reversible',
    differences: [/^\+ table tag/, /^- table note/],
  },
  {
    name: 'the upgrade cannot run twice',
    upgrade: ["await op.bulkInsert('note', [{ id: 1, body: 'welcome' }])"],
    downgrade: [],
    kind: 'not-repeatable',
    differences: [],
  },
  {
    name: 'the downgrade forgets an enum value',
    upgrade: ["await op.addEnumValue('mood', 'angry')"],
    downgrade: [],
    kind: 'no-downgrade',
    differences: [/^~ enum mood/],
    enums: true,
  },
]

interface JsonReport {
  readonly ok: boolean
  readonly tested: number
  readonly results: readonly { revision: string; status: string }[]
  readonly findings: readonly { revision: string; kind: string; detail: string; differences: string[] }[]
}

function project(name: string, upgrade: readonly string[], downgrade: readonly string[], enums: boolean) {
  const made = tempProject(`mig-test-${name.replace(/\W+/g, '-')}-`)
  writeConfig(made.dir)
  writeRevision(made.dir, 'migrations', {
    id: BASE,
    message: 'base',
    upgrade: enums ? [...baseUpgrade, "await op.createEnum('mood', ['happy', 'sad'])"] : baseUpgrade,
    downgrade: enums ? ["await op.dropEnum('mood')", ...baseDowngrade] : baseDowngrade,
  })
  writeRevision(made.dir, 'migrations', { id: BROKEN, down: BASE, message: name, upgrade, downgrade })
  return made
}

for (const kind of KINDS) {
  describe(`mig test on ${kind.name}`, () => {
    const cleanups: (() => void)[] = []
    after(() => {
      for (const cleanup of cleanups) cleanup()
    })

    test('a correct project passes, and the configured database is never touched', async () => {
      const made = project(
        'correct',
        ["await op.addColumn('account', 'name', 'varchar(50)')"],
        ["await op.dropColumn('account', 'name')"],
        kind.enums,
      )
      cleanups.push(made.cleanup)
      const result = await mig(made.dir, [...kind.args, 'test'])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`^ok {4}${BASE}  base\\nok {4}${BROKEN}  correct\\n$`))
      assert.match(result.stderr, /2 revisions tested on .*: 2 ok, 0 failed/)
      // Neither the embedded default nor the SQLite file the URL names was created.
      assert.equal(existsSync(join(made.dir, '.migraph')), false)
      assert.equal(existsSync(join(made.dir, 'app.db')), false)
    })

    for (const c of CASES) {
      if (c.enums === true && !kind.enums) continue
      test(c.name, async () => {
        const made = project(c.name, c.upgrade, c.downgrade, kind.enums)
        cleanups.push(made.cleanup)
        const result = await mig(made.dir, [...kind.args, 'test', '--json'])
        assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`)
        const report = JSON.parse(result.stdout) as JsonReport
        assert.equal(report.ok, false)
        assert.deepEqual(
          report.results.map((r) => [r.revision, r.status]),
          [
            [BASE, 'ok'],
            [BROKEN, 'failed'],
          ],
        )
        assert.equal(report.findings.length, 1)
        const [finding] = report.findings
        assert.equal(finding?.revision, BROKEN)
        assert.equal(finding?.kind, c.kind, finding?.detail)
        for (const pattern of c.differences) {
          assert.ok(
            finding?.differences.some((line) => pattern.test(line)),
            `${pattern} among ${JSON.stringify(finding?.differences)}`,
          )
        }
      })
    }

    test('text output names the revision, the finding and each difference; the range limits what is checked', async () => {
      const c = CASES[3] as Case
      const made = project('text', c.upgrade, c.downgrade, kind.enums)
      cleanups.push(made.cleanup)
      const result = await mig(made.dir, [...kind.args, 'test'])
      assert.equal(result.code, 1)
      assert.match(
        result.stdout,
        new RegExp(`FAIL  ${BROKEN}  text\\n {6}not-reversible: .*\\n {8}\\+ table tag`),
      )
      assert.match(result.stderr, new RegExp(`error: 1 finding in 1 revision \\(${BROKEN}\\)`))
      const base = await mig(made.dir, [...kind.args, 'test', `base:${BASE}`])
      assert.equal(base.code, 0, base.stderr)
      assert.match(base.stdout, new RegExp(`^ok {4}${BASE}  base\\nskip  ${BROKEN}  text\\n$`))
    })
  })
}

describe('mig test bad input', () => {
  test('an unknown range is one line naming it, nothing created', async () => {
    const made = project('bad-range', [], [], false)
    try {
      const result = await mig(made.dir, ['--url', 'sqlite:app.db', 'test', 'nope:head'])
      assert.equal(result.code, 1, result.stderr)
      assert.match(result.stderr, /^error: Can't locate revision identified by 'nope'$/m)
      assert.equal(existsSync(join(made.dir, 'app.db')), false)
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
    } finally {
      made.cleanup()
    }
  })
})
