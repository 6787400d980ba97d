// Fleets: one graph, many targets (`targets` in the config), run with --all.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.ts'
import { createPostgresDatabase, MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.ts'
import { startMig, until } from '../safety/support.js'

/** A project whose revisions record, in `visits`, which target ran them (through context.target). */
function fleetProject(targets: string) {
  const project = tempProject('mig-fleet-e2e-')
  writeFileSync(
    join(project.dir, 'migrate.config.ts'),
    `export default { migrations: 'migrations', targets: ${targets} }\n`,
  )
  writeRevision(project.dir, 'migrations', {
    id: 'f1f1f1f1f1f1',
    message: 'visits',
    upgrade: [
      `await op.createTable('visits', (t) => t.addColumn('target', 'varchar(64)'))`,
      `await op.execute(\`insert into visits (target) values ('\${(context as any).target.name}')\`)`,
    ],
    downgrade: [`await op.dropTable('visits')`],
  })
  writeRevision(project.dir, 'migrations', {
    id: 'f2f2f2f2f2f2',
    down: 'f1f1f1f1f1f1',
    message: 'tags',
    preamble:
      "import { writeFileSync } from 'node:fs'\nconst sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))",
    upgrade: [
      `if ((context as any).x.hold === (context as any).target.name) { writeFileSync((context as any).x.mark, 'x'); await sleep(60_000) }`,
      `await op.createTable('tags', (t) => t.addColumn('id', 'integer'))`,
    ],
    downgrade: [`await op.dropTable('tags')`],
  })
  withContext(project.dir)
  return project
}

/** The revision functions take `context` as their second argument. */
function withContext(dir: string): void {
  for (const file of ['f1f1f1f1f1f1_visits.ts', 'f2f2f2f2f2f2_tags.ts']) {
    const path = join(dir, 'migrations', file)
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/\(op: Operations\)/g, '(op: Operations, context: unknown)'),
    )
  }
}

const sqliteVersions = (file: string): string[] => {
  if (!existsSync(file)) return []
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare('select version_num from mig_version')
      .all()
      .map((r) => (r as { version_num: string }).version_num)
  } catch {
    return []
  } finally {
    db.close()
  }
}
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('error:'))

describe('a fleet of SQLite databases', () => {
  const names = ['t01', 't02', 't03', 't04', 't05']
  const project = fleetProject(
    `{ urls: [${names.map((n) => `{ name: '${n}', url: 'sqlite:${n}.db' }`).join(', ')}, { name: 'gone', url: 'sqlite:/nonexistent/dir/gone.db' }] }`,
  )
  after(() => project.cleanup())
  const { dir } = project

  test('every target migrated, an unreachable one reported and the rest proceed; a rerun resumes', async () => {
    // t03 already has a `tags` table: its second revision fails while the others succeed.
    const t03 = new Database(join(dir, 't03.db'))
    t03.exec('create table tags (id integer)')
    t03.close()
    const run = await mig(dir, ['upgrade', 'head', '--all', '--parallel', '3'])
    assert.equal(run.code, 1, run.stderr)
    assert.match(
      run.stderr.split('\n')[0] ?? '',
      /^Target database: 6 fleet target\(s\) \(t01, t02, t03, … 3 more\), 3 at a time$/,
    )
    const table = run.stdout.trim().split('\n')
    assert.match(table[0] ?? '', /^TARGET +FROM +TO +RESULT +DURATION$/)
    const row = (name: string) => table.find((line) => line.startsWith(`${name} `)) ?? ''
    for (const name of ['t01', 't02', 't04', 't05']) assert.match(row(name), /base +f2f2f2f2f2f2 +ok /)
    assert.match(row('t03'), /\? +\? +failed: migration-failed/)
    assert.match(row('gone'), /failed: connection-failed/)
    assert.equal(run.stderr.split('\n').filter((l) => /^\[\d\/6\] /.test(l)).length, 6)
    assert.match(run.stderr, /6 target\(s\): 4 ok, 2 failed, 0 skipped/)
    for (const name of ['t01', 't02', 't04', 't05'])
      assert.deepEqual(sqliteVersions(join(dir, `${name}.db`)), ['f2f2f2f2f2f2'])
    // t03's first revision committed, with its target's name; the failing one did not.
    assert.deepEqual(sqliteVersions(join(dir, 't03.db')), ['f1f1f1f1f1f1'])
    const visits = new Database(join(dir, 't03.db'), { readonly: true })
    assert.deepEqual(visits.prepare('select target from visits').all(), [{ target: 't03' }])
    visits.close()

    // Rerun after repairing t03: the finished targets have nothing to do.
    const repair = new Database(join(dir, 't03.db'))
    repair.exec('drop table tags')
    repair.close()
    const again = await mig(dir, ['upgrade', 'head', '--all', '--json'])
    assert.equal(again.code, 1, again.stderr)
    const doc = JSON.parse(again.stdout) as {
      targets: { target: string; from: string[]; to: string[]; result: string }[]
      ok: number
      failed: number
    }
    assert.deepEqual([doc.ok, doc.failed], [5, 1])
    for (const outcome of doc.targets.filter((o) => o.result === 'ok')) {
      assert.deepEqual(outcome.to, ['f2f2f2f2f2f2'])
      assert.deepEqual(outcome.from, outcome.target === 't03' ? ['f1f1f1f1f1f1'] : ['f2f2f2f2f2f2'])
    }
  })

  test('current and check --all, with --json; check fails when a target is behind', async () => {
    const current = await mig(dir, ['current', '--all', '--json'])
    const doc = JSON.parse(current.stdout) as {
      targets: { target: string; result: string; error?: { code: string } }[]
    }
    assert.equal(current.code, 1)
    assert.equal(doc.targets.find((t) => t.target === 'gone')?.error?.code, 'database-not-found')
    await mig(dir, ['--url', `sqlite:${join(dir, 't02.db')}`, 'downgrade', '-1'])
    const check = await mig(dir, ['check', '--all'])
    assert.notEqual(check.code, 0)
    assert.match(check.stdout, /^t02 +f1f1f1f1f1f1 +f1f1f1f1f1f1 +failed: pending/m)
    assert.match(check.stdout, /^t01 +f2f2f2f2f2f2 +f2f2f2f2f2f2 +ok/m)
    // status --all: where each target is, and where an upgrade to the heads would take it.
    const status = await mig(dir, ['status', '--all', '--json'])
    const states = JSON.parse(status.stdout) as {
      targets: { target: string; from: string[] | null; to: string[] | null; result: string }[]
    }
    const of = (name: string) => states.targets.find((t) => t.target === name)
    assert.deepEqual(
      [of('t02')?.from, of('t02')?.to, of('t02')?.result],
      [['f1f1f1f1f1f1'], ['f2f2f2f2f2f2'], 'ok'],
    )
    assert.deepEqual([of('t01')?.from, of('t01')?.to], [['f2f2f2f2f2f2'], ['f2f2f2f2f2f2']])
    assert.equal(of('gone')?.result, 'failed')
  })

  test('--fail-fast starts no target after the first failure', async () => {
    const run = await mig(dir, ['upgrade', 'head', '--all', '--parallel', '1', '--fail-fast', '--json'])
    const doc = JSON.parse(run.stdout) as { targets: { target: string; result: string }[] }
    assert.notEqual(run.code, 0)
    // `gone` is last: everything before it ran; nothing after the failure was left to skip here,
    // so make t01 fail first and look again.
    assert.equal(doc.targets.at(-1)?.result, 'failed')
    const t01 = new Database(join(dir, 't01.db'))
    t01.exec("update mig_version set version_num = 'ffffffffffff'")
    t01.close()
    const fast = await mig(dir, ['upgrade', 'head', '--all', '--parallel', '1', '--fail-fast', '--json'])
    const results = (JSON.parse(fast.stdout) as { targets: { result: string }[] }).targets.map(
      (t) => t.result,
    )
    assert.deepEqual(results, ['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped'])
    assert.equal(fast.code, 6, fast.stderr)
    const fix = new Database(join(dir, 't01.db'))
    fix.exec("update mig_version set version_num = 'f2f2f2f2f2f2'")
    fix.close()
  })

  test('a target killed mid-run, then resumed', async () => {
    const mark = join(dir, 'mark')
    await mig(dir, ['--url', `sqlite:${join(dir, 't04.db')}`, 'downgrade', 'base'])
    const victim = startMig(dir, ['-x', 'hold=t04', '-x', `mark=${mark}`, 'upgrade', 'head', '--all'])
    await until(() => existsSync(mark), 60_000)
    victim.child.kill('SIGKILL')
    assert.equal((await victim.result).code, 137)
    assert.deepEqual(sqliteVersions(join(dir, 't04.db')), ['f1f1f1f1f1f1'])
    const resumed = await mig(dir, ['upgrade', 'head', '--all', '--json'])
    const doc = JSON.parse(resumed.stdout) as { targets: { target: string; from: string[]; to: string[] }[] }
    const t04 = doc.targets.find((t) => t.target === 't04')
    assert.deepEqual([t04?.from, t04?.to], [['f1f1f1f1f1f1'], ['f2f2f2f2f2f2']])
    assert.deepEqual(sqliteVersions(join(dir, 't04.db')), ['f2f2f2f2f2f2'])
  })
})

describe('fleet bad input', () => {
  const cases: [string, string[], RegExp][] = [
    [
      "async () => { throw new Error('tenants table unreachable') }",
      ['upgrade', 'head', '--all'],
      /the targets function failed: tenants table unreachable/,
    ],
    [
      "{ urls: [{ name: 'a', url: 'sqlite:a.db' }, { name: 'a', url: 'sqlite:b.db' }] }",
      ['current', '--all'],
      /two targets are named 'a'/,
    ],
    [
      "{ urls: ['sqlite:a.db'] }",
      ['upgrade', 'head', '--all', '--parallel', '0'],
      /--parallel must be a whole number of targets, 1 or more, got 0/,
    ],
    ["{ urls: ['sqlite:a.db'] }", ['upgrade', 'head', '--parallel', '2'], /--parallel goes with --all/],
    [
      "{ urls: ['sqlite:a.db'] }",
      ['upgrade', 'head', '--all', '--sql'],
      /--sql renders one script; it does not go with --all/,
    ],
    [
      "{ schemas: ['a'] }, url: 'sqlite:a.db'",
      ['upgrade', 'head', '--all'],
      /'targets.schemas' needs a PostgreSQL database \(this one is sqlite\)/,
    ],
    [
      "{ schemas: ['bad name'] }",
      ['upgrade', 'head', '--all'],
      /target schema "bad name" is not a plain schema name/,
    ],
    [
      '{ hosts: [] }',
      ['upgrade', 'head', '--all'],
      /'targets' must be \{ urls: \[\.\.\.\] \} or \{ schemas: \[\.\.\.\] \}/,
    ],
  ]
  for (const [targets, args, message] of cases) {
    test(`${targets} ${args.join(' ')}`, async () => {
      const project = fleetProject(targets)
      try {
        const run = await mig(project.dir, args)
        assert.equal(run.code, 1, run.stderr)
        const lines = errorLines(run.stderr)
        assert.equal(lines.length, 1, run.stderr)
        assert.match(lines[0] ?? '', message)
        assert.ok(!existsSync(join(project.dir, 'a.db')), 'no target was touched')
      } finally {
        project.cleanup()
      }
    })
  }
  test('--all without targets in the config', async () => {
    const project = tempProject('mig-fleet-none-')
    try {
      writeFileSync(join(project.dir, 'migrate.config.ts'), "export default { migrations: 'migrations' }\n")
      const run = await mig(project.dir, ['current', '--all'])
      assert.equal(run.code, 1)
      assert.match(errorLines(run.stderr)[0] ?? '', /--all needs 'targets' in .*migrate\.config\.ts/)
    } finally {
      project.cleanup()
    }
  })
})

describe('a fleet across engines: PostgreSQL, MariaDB and SQLite', {
  skip: POSTGRES_URL === undefined || MYSQL_URL === undefined,
}, () => {
  test('one graph, every engine, each target with its own lock', async () => {
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'fleet_engines')
    const name = `fleet_engines_${process.pid}`
    const admin = await mysql.createConnection(MYSQL_URL as string)
    await admin.query(`CREATE DATABASE \`${name}\``)
    const mariadb = withDatabase(MYSQL_URL as string, name)
    const project = fleetProject(
      `{ urls: [{ name: 'pg', url: '${database.url}' }, { name: 'maria', url: '${mariadb}' }, { name: 'lite', url: 'sqlite:lite.db' }] }`,
    )
    try {
      const run = await mig(project.dir, ['upgrade', 'head', '--all', '--parallel', '3'])
      assert.equal(run.code, 0, run.stderr)
      for (const target of ['pg', 'maria', 'lite'])
        assert.match(run.stdout, new RegExp(`^${target} +base +f2f2f2f2f2f2 +ok`, 'm'))
      const check = await mig(project.dir, ['check', '--all'])
      assert.equal(check.code, 0, check.stderr)
    } finally {
      project.cleanup()
      await database.drop()
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await admin.end()
    }
  })
})

describe('1,000 schemas on one PostgreSQL', { skip: POSTGRES_URL === undefined }, () => {
  test('upgrade head --all --parallel 8, then a rerun with nothing to do', async () => {
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'fleet_schemas')
    const schemas = Array.from({ length: 1000 }, (_, i) => `tenant_${String(i).padStart(4, '0')}`)
    const project = fleetProject(`async () => ({ schemas: ${JSON.stringify(schemas)} })`)
    writeFileSync(
      join(project.dir, 'migrate.config.ts'),
      `export default { url: '${database.url}', migrations: 'migrations', targets: async () => ({ schemas: ${JSON.stringify(schemas)} }) }\n`,
    )
    try {
      const run = await mig(project.dir, ['upgrade', 'head', '--all', '--parallel', '8', '--json'], {
        timeoutMs: 900_000,
      })
      assert.equal(run.code, 0, run.stderr)
      const doc = JSON.parse(run.stdout) as { ok: number; failed: number }
      assert.deepEqual([doc.ok, doc.failed], [1000, 0])
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      try {
        const versions = await client.query(
          `select count(*)::int as n from information_schema.tables where table_name = 'mig_version' and table_schema like 'tenant_%'`,
        )
        assert.equal(versions.rows[0].n, 1000)
        // Each schema's revision ran in that schema, and knew which target it was.
        const visit = await client.query('select target from tenant_0042.visits')
        assert.deepEqual(visit.rows, [{ target: 'tenant_0042' }])
      } finally {
        await client.end()
      }
      const again = await mig(project.dir, ['check', '--all', '--parallel', '8', '--json'], {
        timeoutMs: 900_000,
      })
      assert.equal(again.code, 0, again.stderr)
    } finally {
      project.cleanup()
      await database.drop()
    }
  })
})

/**
 * A TCP port on 127.0.0.1 nothing listens on, from `first` upwards, below the range the system
 * hands out to outgoing connections (where a port free now may be taken a moment later).
 */
async function freePort(first: number): Promise<number> {
  const { createServer } = await import('node:net')
  for (let port = first; port < 32_000; port += 1000) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
  throw new Error('no free port for a test cluster')
}

const canCreateClusters =
  POSTGRES_URL !== undefined &&
  MYSQL_URL !== undefined &&
  process.getuid?.() === 0 &&
  existsSync('/usr/bin/pg_createcluster') &&
  existsSync('/usr/lib/postgresql/15')

describe('a fleet of three PostgreSQL clusters and MariaDB', { skip: !canCreateClusters }, () => {
  test('every cluster migrated; a cluster that goes down is a failed row, the rest are checked', async () => {
    const clusters = [
      { name: `fleet${process.pid}a`, port: await freePort(25000 + (process.pid % 500) * 2) },
      { name: `fleet${process.pid}b`, port: await freePort(25001 + (process.pid % 500) * 2) },
    ]
    const run = (command: string, ...args: string[]) => {
      const result = spawnSync(command, args, { encoding: 'utf8' })
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`)
    }
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'fleet_clusters')
    const name = `fleet_clusters_${process.pid}`
    const admin = await mysql.createConnection(MYSQL_URL as string)
    await admin.query(`CREATE DATABASE \`${name}\``)
    try {
      for (const cluster of clusters) {
        run(
          'pg_createcluster',
          '15',
          cluster.name,
          '-p',
          String(cluster.port),
          '--start',
          '--',
          '--auth-host=trust',
          '--auth-local=trust',
        )
      }
      const urls = [
        `{ name: 'main', url: '${database.url}' }`,
        ...clusters.map(
          (c) => `{ name: '${c.name}', url: 'postgres://postgres@127.0.0.1:${c.port}/postgres' }`,
        ),
        `{ name: 'maria', url: '${withDatabase(MYSQL_URL as string, name)}' }`,
      ]
      const project = fleetProject(`{ urls: [${urls.join(', ')}] }`)
      try {
        const up = await mig(project.dir, ['upgrade', 'head', '--all', '--parallel', '4'])
        assert.equal(up.code, 0, up.stderr)
        assert.equal(up.stdout.split('\n').filter((line) => / ok /.test(line)).length, 4, up.stdout)
        run('pg_ctlcluster', '15', (clusters[1] as { name: string }).name, 'stop')
        const check = await mig(project.dir, ['check', '--all', '--connect-timeout', '5'])
        assert.equal(check.code, 1, check.stderr)
        assert.match(check.stdout, new RegExp(`^${clusters[1]?.name} .*failed: connection-failed`, 'm'))
        assert.equal(check.stdout.split('\n').filter((line) => / ok /.test(line)).length, 3, check.stdout)
      } finally {
        project.cleanup()
      }
    } finally {
      for (const cluster of clusters) spawnSync('pg_dropcluster', ['15', cluster.name, '--stop'])
      await database.drop()
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await admin.end()
    }
  })
})
