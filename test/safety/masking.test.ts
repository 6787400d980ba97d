// Masking hides the password and nothing else. Each failure is run once per canary password,
// short and word-like ones included, and once with a reference password: with every password
// masked, the output must not depend on which password was given. A password that shows through
// makes its run differ from the reference; a mask applied to the message's own words (`1` in
// `127.0.0.1`, `postgres` in "postgres database") makes it differ too.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { type MigResult, mig, tempProject } from '../helpers/mig.js'
import { MYSQL_URL, POSTGRES_URL, withDatabase } from '../helpers/servers.js'
import { writeSafetyConfig, writeSafetyRevision } from './support.js'

const REFERENCE = 'Reference7Password'
const LONG = `Zq${randomBytes(18).toString('hex')}`
const CANARIES = ['1', 'o', 'postgres', 'test', LONG]

/** `url` with `password` as its password (percent-encoded), and the user given or `app`. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.username || 'app'}:${encodeURIComponent(password)}@${parsed.host}${parsed.pathname}`
}

interface Scenario {
  readonly name: string
  /** The arguments and environment of the run, for a URL carrying `password`. */
  readonly run: (password: string) => { args: string[]; env?: Record<string, string> }
  /** What the reference run must say, so that the comparison is between failures that matter. */
  readonly expect: RegExp
}

const unreachable = (scheme: string, password: string) =>
  withPassword(`${scheme}://app@127.0.0.1:1/canary_db`, password)

const scenarios: Scenario[] = [
  {
    name: 'unreachable PostgreSQL port',
    run: (p) => ({ args: ['--url', unreachable('postgres', p), 'upgrade', 'head'] }),
    expect: /error: Could not connect to postgres database at 127\.0\.0\.1:1: .*ECONNREFUSED 127\.0\.0\.1:1/,
  },
  {
    name: 'unreachable MySQL port, URL from the environment',
    run: (p) => ({ args: ['current'], env: { MIG_DATABASE_URL: unreachable('mysql', p) } }),
    expect: /error: Could not connect to mysql database at 127\.0\.0\.1:1: .*ECONNREFUSED 127\.0\.0\.1:1/,
  },
  {
    name: 'unreachable PostgreSQL host, verbose output',
    run: (p) => ({
      args: ['--url', withPassword('postgres://app@127.0.0.1:1/postgres', p), 'current', '-v'],
    }),
    expect: /error: Could not connect to postgres database at 127\.0\.0\.1:1/,
  },
  {
    name: 'JSON error document',
    run: (p) => ({ args: ['--json', '--url', unreachable('postgres', p), 'check'] }),
    expect: /"code":"connection-failed"/,
  },
  {
    // The configured URL's password is among the secrets; the SQLite error must stay whole.
    name: 'SQLite error while a password is configured',
    run: (p) => ({
      args: ['--url', 'sqlite:/nonexistent-folder-10/test-1.db', 'upgrade', 'head'],
      env: { MIG_DATABASE_URL: unreachable('postgres', p) },
    }),
    expect: /nonexistent-folder-10\/test-1\.db/,
  },
  {
    name: 'a failing revision on SQLite while a password is configured',
    run: (p) => ({
      args: ['--url', 'sqlite:app.db', 'upgrade', 'head'],
      env: { MIG_DATABASE_URL: unreachable('postgres', p) },
    }),
    expect: /no such table: no_such_table_1_for_postgres_test/,
  },
  {
    name: 'a failing revision on PGlite while a password is configured',
    run: (p) => ({
      args: ['--url', 'pglite:memory:', 'upgrade', 'head'],
      env: { MIG_DATABASE_URL: unreachable('postgres', p) },
    }),
    expect: /no_such_table_1_for_postgres_test/,
  },
]
const postgresUrl = POSTGRES_URL
if (postgresUrl !== undefined) {
  scenarios.push({
    name: 'a database PostgreSQL does not have',
    run: (p) => ({
      args: ['--url', withPassword(withDatabase(postgresUrl, 'canary_missing_1'), p), 'current'],
    }),
    expect: /database "canary_missing_1" does not exist/,
  })
}
const mysqlUrl = MYSQL_URL
if (mysqlUrl !== undefined) {
  scenarios.push({
    name: 'a wrong password on MariaDB',
    run: (p) => ({ args: ['--url', withPassword(mysqlUrl, p), 'upgrade', 'head'] }),
    expect: /Access denied for user 'root'/,
  })
}

function project(): { dir: string; cleanup: () => void } {
  const made = tempProject('mig-safety-masking-')
  writeSafetyConfig(made.dir)
  writeSafetyRevision(made.dir, {
    id: 'c00000000001',
    down: null,
    upgrade: "await op.execute('select * from no_such_table_1_for_postgres_test')",
  })
  return made
}

/** The run's exit status and output, durations left out: they differ from run to run. */
const output = (result: MigResult) =>
  `exit ${result.code}\n${result.stdout}\n${result.stderr}`.replace(/\(\d+(?:\.\d+)? m?s\)/g, '(time)')

describe('masking hides the password and leaves the message whole', { concurrency: 2 }, () => {
  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const made = project()
      try {
        const runWith = async (password: string) => {
          const { args, env } = scenario.run(password)
          return output(await mig(made.dir, args, { env: env ?? {} }))
        }
        const reference = await runWith(REFERENCE)
        assert.match(reference, scenario.expect)
        assert.ok(!reference.includes(REFERENCE), reference)
        for (const password of CANARIES) {
          const seen = await runWith(password)
          assert.equal(seen, reference, `password '${password}'`)
          assert.ok(!seen.includes(LONG))
        }
      } finally {
        made.cleanup()
      }
    })
  }

  test('a config file with the password inline', async () => {
    const made = project()
    try {
      const runWith = async (password: string) => {
        writeFileSync(
          join(made.dir, 'migrate.config.ts'),
          `export default { migrations: 'migrations', url: ${JSON.stringify(unreachable('postgres', password))} }\n`,
        )
        return output(await mig(made.dir, ['upgrade', 'head']))
      }
      const reference = await runWith(REFERENCE)
      assert.match(reference, /ECONNREFUSED 127\.0\.0\.1:1/)
      for (const password of CANARIES)
        assert.equal(await runWith(password), reference, `password '${password}'`)
    } finally {
      made.cleanup()
    }
  })
})
