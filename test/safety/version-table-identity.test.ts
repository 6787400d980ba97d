// One version table, however it is spelled: a schema-qualified `versionTable` is read and written
// as one table, two spellings of one database and table share one lock, and a name the database
// would truncate or refuse fails before anything runs.
import assert from 'node:assert/strict'
import { existsSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
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
  startMig,
  until,
  writeSafetyConfig,
  writeSafetyRevision,
} from './support.js'

const FIRST = 'f00000000001'
const SECOND = 'f00000000002'

/**
 * Two revisions recording themselves in `probe`. The first, given `-x ready=… -x gate=…`, says it
 * is running (it holds the lock) and waits for the gate file before it ends.
 */
function writeRevisions(dir: string): void {
  writeSafetyRevision(dir, {
    id: FIRST,
    down: null,
    upgrade: `${probeInsert(FIRST)}
  if (context.x.gate !== undefined) {
    const fs = await import('node:fs')
    fs.writeFileSync(context.x.ready as string, 'running')
    while (!fs.existsSync(context.x.gate)) await sleep(25)
  }`,
  })
  writeSafetyRevision(dir, { id: SECOND, down: FIRST, upgrade: probeInsert(SECOND) })
}

/** The schema each kind's default version table lives in. */
function defaultSchema(db: SafetyDatabase): string {
  switch (db.kind) {
    case 'mysql':
      return new URL(db.url).pathname.slice(1)
    case 'sqlite':
      return 'main'
    default:
      return 'public'
  }
}

describe('a schema-qualified versionTable is one table', { concurrency: true }, () => {
  for (const kind of SAFETY_KINDS) {
    test(`'<schema>.mig_version' applies each revision once: ${kind.name}`, async () => {
      const project = tempProject('mig-vt-qualified-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir, `versionTable: '${defaultSchema(db)}.mig_version'`)
        writeRevisions(project.dir)
        await db.query(PROBE_TABLE)
        for (const round of [1, 2, 3]) {
          const run = await mig(project.dir, ['--url', db.url, '-x', `round=${round}`, 'upgrade', 'head'])
          assert.equal(run.code, 0, run.stderr)
        }
        const current = await mig(project.dir, ['--url', db.url, 'current'])
        assert.equal(current.code, 0, current.stderr)
        assert.equal(current.stdout.trim(), `${SECOND} (head)`)
        const check = await mig(project.dir, ['--url', db.url, 'check'])
        assert.equal(check.code, 0, check.stdout + check.stderr)
        const { probe, versions, tables } = await db.snapshot()
        assert.deepEqual(probe, [`${FIRST}/1`, `${SECOND}/1`])
        // The very table the default name means, and its history beside it: nothing else.
        assert.deepEqual(versions, [SECOND])
        assert.deepEqual([...tables].sort(), ['mig_version', 'mig_version_history', 'probe'])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }

  for (const [flavour, url, quote] of [
    ['postgres', 'postgres://nobody@127.0.0.1:1/db', '"'],
    ['mysql', 'mysql://nobody@127.0.0.1:1/db', '`'],
    ['sqlite', 'sqlite:never.db', '"'],
  ] as const) {
    test(`--sql names the schema and the table apart: ${flavour}`, async () => {
      const project = tempProject('mig-vt-offline-')
      try {
        writeSafetyConfig(project.dir, "versionTable: 'audit.versions'")
        writeRevisions(project.dir)
        const run = await mig(project.dir, ['--url', url, 'upgrade', 'head', '--sql'])
        assert.equal(run.code, 0, run.stderr)
        const q = (name: string) => `${quote}${name}${quote}`
        const table = `${q('audit')}.${q('versions')}`
        assert.ok(run.stdout.includes(`create table ${table}`), run.stdout)
        assert.ok(run.stdout.includes(`constraint ${q('versions_pkc')} primary key`), run.stdout)
        assert.ok(run.stdout.includes(`insert into ${table}`), run.stdout)
        assert.doesNotMatch(run.stdout, /audit\.versions/)
      } finally {
        project.cleanup()
      }
    })
  }
})

describe('two spellings of one version table share one lock', { concurrency: true }, () => {
  /**
   * Runs a holder with `holderArgs` until it is inside the first revision, then a second run
   * with `waiterArgs`, which must wait for the holder's lock; then lets the holder finish.
   */
  async function assertOneLock(
    dir: string,
    db: SafetyDatabase,
    holderArgs: readonly string[],
    waiterArgs: readonly string[],
  ): Promise<void> {
    const ready = join(dir, 'ready')
    const gate = join(dir, 'gate')
    await db.query(PROBE_TABLE)
    const holder = startMig(dir, [
      ...holderArgs,
      '-x',
      `ready=${ready}`,
      '-x',
      `gate=${gate}`,
      'upgrade',
      'head',
    ])
    try {
      await until(() => existsSync(ready), 30_000)
      const waiter = startMig(dir, [...waiterArgs, '--lock-timeout', '120', 'upgrade', 'head'])
      await waiter.waitForStderr(/^Waiting for the migration lock/m)
      writeFileSync(gate, '')
      const [held, waited] = await Promise.all([holder.result, waiter.result])
      assert.equal(held.code, 0, held.stderr)
      assert.equal(waited.code, 0, waited.stderr)
      assert.doesNotMatch(waited.stderr, /^error/m)
    } finally {
      writeFileSync(gate, '')
      await holder.result
    }
    const { probe, versions } = await db.snapshot()
    assert.deepEqual(probe, [`${FIRST}/0`, `${SECOND}/0`])
    assert.deepEqual(versions, [SECOND])
  }

  for (const kind of kinds('sqlite')) {
    test('a SQLite file and a symlink to it', async () => {
      const project = tempProject('mig-vt-symlink-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir)
        writeRevisions(project.dir)
        const file = db.url.slice('sqlite:'.length)
        const link = join(project.dir, 'link.sqlite')
        await db.query('select 1')
        symlinkSync(file, link)
        await assertOneLock(project.dir, db, ['--url', db.url], ['--url', `sqlite:${link}`])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }

  for (const kind of kinds('postgres')) {
    test("PostgreSQL: versionTableSchema 'public' and the default", async () => {
      const project = tempProject('mig-vt-public-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir)
        writeFileSync(
          join(project.dir, 'public.config.ts'),
          "export default { migrations: 'migrations', versionTableSchema: 'public' }\n",
        )
        writeRevisions(project.dir)
        await assertOneLock(project.dir, db, ['-c', 'public.config.ts', '--url', db.url], ['--url', db.url])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }

  for (const kind of kinds('pglite')) {
    test('a PGlite data directory and a symlink to it', async () => {
      const project = tempProject('mig-vt-pglite-link-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir)
        writeRevisions(project.dir)
        const ready = join(project.dir, 'ready')
        const gate = join(project.dir, 'gate')
        const link = join(project.dir, 'pglite-link')
        symlinkSync(db.url.slice('pglite:'.length), link)
        await db.query(PROBE_TABLE)
        const holder = startMig(project.dir, [
          ...['--url', db.url, '-x', `ready=${ready}`, '-x', `gate=${gate}`],
          ...['upgrade', 'head'],
        ])
        try {
          await until(() => existsSync(ready), 30_000)
          // One process per data directory, whichever path names it: the second waits for the
          // same lock, then gives up with the lock timeout's status.
          const second = await mig(project.dir, ['--url', `pglite:${link}`, '--lock-timeout', '1', 'current'])
          assert.equal(second.code, 3, second.stderr)
          assert.match(second.stderr, /Waiting for the migration lock held by pid \d+/)
          const lockFile = `${realpathSync(db.url.slice('pglite:'.length))}.lock`
          assert.ok(
            second.stderr.includes(`Timed out after 1000 ms waiting for the migration lock '${lockFile}'`),
            second.stderr,
          )
        } finally {
          writeFileSync(gate, '')
        }
        const held = await holder.result
        assert.equal(held.code, 0, held.stderr)
        const { probe, versions } = await db.snapshot()
        assert.deepEqual(probe, [`${FIRST}/0`, `${SECOND}/0`])
        assert.deepEqual(versions, [SECOND])
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})

describe('bad version-table names fail before anything runs', () => {
  const cases: readonly {
    readonly name: string
    readonly config: (db: SafetyDatabase) => string
    readonly pattern: RegExp
    /** Only where the database limits the length of names. */
    readonly limited?: true
  }[] = [
    {
      name: 'a blank name',
      config: () => "versionTable: '  '",
      pattern: /config key 'versionTable' must not be blank/,
    },
    {
      name: 'surrounding spaces',
      config: () => "versionTable: 'mig_version '",
      pattern: /config key 'versionTable' must not begin or end with whitespace/,
    },
    {
      name: 'two dots',
      config: () => "versionTable: 'a.b.c'",
      pattern: /config key 'versionTable' is 'a\.b\.c'.*at most one dot/,
    },
    {
      name: 'an empty schema part',
      config: () => "versionTable: '.mig_version'",
      pattern: /config key 'versionTable' is '\.mig_version'/,
    },
    {
      name: 'a schema given twice',
      config: (db) => `versionTable: '${defaultSchema(db)}.mig_version', versionTableSchema: 'elsewhere'`,
      pattern: /config key 'versionTable' names schema '.+' but 'versionTableSchema' is 'elsewhere'/,
    },
    {
      name: 'a name the database would truncate',
      config: () => `versionTable: '${'v'.repeat(70)}'`,
      pattern: /config key 'versionTable' is too long for (PostgreSQL|MySQL): the name 'v{70}'/,
      limited: true,
    },
    {
      name: "a name whose '_history' table the database would truncate",
      config: () => `versionTable: '${'v'.repeat(60)}'`,
      pattern:
        /config key 'versionTable' is too long for (PostgreSQL|MySQL): the history table 'v{60}_history'/,
      limited: true,
    },
  ]
  for (const kind of SAFETY_KINDS) {
    test(`one line naming the key, and the database untouched: ${kind.name}`, async () => {
      const project = tempProject('mig-vt-bad-')
      const db = await kind.create(project.dir)
      try {
        writeSafetyConfig(project.dir)
        writeSafetyRevision(project.dir, {
          id: FIRST,
          down: null,
          upgrade: "await op.createTable('made_by_revision', (t) => t.addColumn('id', 'integer'))",
        })
        const before = await db.tables()
        for (const c of cases) {
          if (c.limited && kind.name === 'sqlite') continue
          // Read-only and offline commands check the names too (shown once, with the subtlest case).
          const commands =
            c === cases.at(-1)
              ? [['upgrade', 'head'], ['current'], ['upgrade', 'head', '--sql']]
              : [['upgrade', 'head']]
          writeSafetyConfig(project.dir, c.config(db))
          for (const args of commands) {
            const run = await mig(project.dir, ['--url', db.url, ...args])
            assertOneLineError(run, c.pattern)
            assert.match(run.stderr, /migrate\.config\.ts/, c.name)
          }
        }
        assert.deepEqual(await db.tables(), before)
      } finally {
        await db.drop()
        project.cleanup()
      }
    })
  }
})
