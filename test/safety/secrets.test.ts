// A password never reaches stdout or stderr, whichever way the URL is given and however the
// command ends: success, verbose output, offline SQL, connection and authentication failures,
// failing revisions, JSON errors and debug stack traces.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { type MigResult, mig, tempProject } from '../helpers/mig.js'
import { MYSQL_URL, POSTGRES_URL } from '../helpers/servers.js'
import { kinds, writeSafetyConfig, writeSafetyRevision } from './support.js'

/** The canary: every character that needs escaping in a URL's user info. */
const PASSWORD = 'Kx7Canary%@:/?#z'
/** Its distinctive core: no redaction may leave even this part behind. */
const CORE = 'Kx7Canary'
const ENCODED = encodeURIComponent(PASSWORD)

let leaks = 0
let runs = 0

function withPassword(url: string, raw = false): string {
  const parsed = new URL(url)
  const auth = `${parsed.username || 'app'}:${raw ? PASSWORD : ENCODED}@`
  return `${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${parsed.search}`
}

function assertNoSecret(result: MigResult, label: string): void {
  runs++
  const output = `${result.stdout}\n${result.stderr}`
  for (const form of [PASSWORD, ENCODED, CORE, decodeURIComponent(ENCODED)]) {
    if (output.includes(form)) {
      leaks++
      assert.fail(`${label}: the password (as '${form}') appears in:\n${output}`)
    }
  }
}

type Source = 'flag' | 'env' | 'config'

/** Runs `mig` with the URL given through `source`; the project's config is rewritten for `config`. */
async function run(
  dir: string,
  source: Source,
  url: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<MigResult> {
  writeFileSync(
    join(dir, 'migrate.config.ts'),
    `export default { migrations: 'migrations'${source === 'config' ? `, url: ${JSON.stringify(url)}` : ''} }\n`,
  )
  const result = await mig(dir, source === 'flag' ? ['--url', url, ...args] : [...args], {
    env: source === 'env' ? { ...env, MIG_DATABASE_URL: url } : env,
  })
  assertNoSecret(result, `${source} ${args.join(' ')}`)
  return result
}

function project(): { dir: string; cleanup: () => void } {
  const made = tempProject('mig-safety-secrets-')
  writeSafetyConfig(made.dir)
  writeSafetyRevision(made.dir, {
    id: 'b00000000001',
    down: null,
    upgrade: "await op.createTable('secret_table', (t) => t.addColumn('id', 'integer'))",
    downgrade: "await op.dropTable('secret_table')",
  })
  writeSafetyRevision(made.dir, {
    id: 'b00000000002',
    down: 'b00000000001',
    upgrade: "await op.execute('select * from no_such_table_for_secrets')",
  })
  return made
}

const SOURCES: readonly Source[] = ['flag', 'env', 'config']

describe('passwords never appear in output', { concurrency: true }, () => {
  after(() => {
    console.log(`secrets: ${runs} runs checked, ${leaks} leaks`)
  })

  for (const kind of kinds('postgres')) {
    for (const source of SOURCES) {
      test(`a reachable database, URL by ${source}: ${kind.name}`, async () => {
        const made = project()
        const db = await kind.create(made.dir)
        const url = withPassword(db.url)
        try {
          const dir = made.dir
          assert.equal((await run(dir, source, url, ['upgrade', 'b00000000001'])).code, 0)
          const verbose = await run(dir, source, url, ['current', '-v'])
          assert.equal(verbose.code, 0, verbose.stderr)
          assert.match(verbose.stdout, /Current revision\(s\) for postgres:\/\/postgres:\*\*\*@/)
          assert.equal((await run(dir, source, url, ['history', '-i'])).code, 0)
          assert.equal((await run(dir, source, url, ['check'])).code !== 0, true)
          assert.equal((await run(dir, source, url, ['upgrade', 'head', '--sql'])).code, 0)
          assert.equal((await run(dir, source, url, ['downgrade', 'b00000000001:base', '--sql'])).code, 0)
          assert.equal((await run(dir, source, url, ['upgrade', 'head'])).code, 1)
          const json = await run(dir, source, url, ['--json', 'upgrade', 'head'])
          assert.match(json.stdout, /"error"/)
          assert.equal((await run(dir, source, url, ['upgrade', 'head'], { MIG_DEBUG: '1' })).code, 1)
          assert.equal((await run(dir, source, url, ['downgrade', 'base'])).code, 0)
        } finally {
          await db.drop()
          made.cleanup()
        }
      })
    }
  }

  const failures: { name: string; url: string }[] = [
    { name: 'unreachable PostgreSQL', url: withPassword('postgres://app@127.0.0.1:1/nodb') },
    {
      name: 'unreachable PostgreSQL, password not encoded',
      url: withPassword('postgresql://app@127.0.0.1:1/nodb?sslmode=disable', true),
    },
    { name: 'unreachable MySQL', url: withPassword('mysql://app@127.0.0.1:1/nodb') },
    { name: 'an unknown scheme', url: withPassword('foo://app@127.0.0.1:1/nodb') },
  ]
  if (MYSQL_URL !== undefined)
    failures.push({ name: 'wrong password on MariaDB', url: withPassword(MYSQL_URL) })
  if (POSTGRES_URL !== undefined) {
    failures.push({ name: 'no such database on PostgreSQL', url: withPassword(`${POSTGRES_URL}_missing_db`) })
  }
  test('a config that cannot be used, and a URL that cannot be parsed', async () => {
    const made = project()
    try {
      writeFileSync(
        join(made.dir, 'migrate.config.ts'),
        `export default { migrations: 'migrations', url: ${JSON.stringify(withPassword('postgres://app@127.0.0.1:1/db'))}, colour: true }\n`,
      )
      const unknownKey = await mig(made.dir, ['upgrade', 'head'])
      assertNoSecret(unknownKey, 'unknown config key')
      assert.match(unknownKey.stderr, /colour/)
      const badPort = `postgres://app:${ENCODED}@127.0.0.1:notaport/db`
      for (const source of SOURCES) {
        const result = await run(made.dir, source, badPort, ['current'])
        assert.equal(result.code, 1, result.stderr)
      }
    } finally {
      made.cleanup()
    }
  })

  for (const { name, url } of failures) {
    test(`connection failure: ${name}`, async () => {
      const made = project()
      try {
        for (const source of SOURCES) {
          const results = await Promise.all([
            run(made.dir, source, url, ['upgrade', 'head']),
            run(made.dir, source, url, ['current', '-v']),
            run(made.dir, source, url, ['--json', 'current']),
            run(made.dir, source, url, ['stamp', 'head'], { MIG_DEBUG: '1' }),
            run(made.dir, source, url, ['upgrade', 'head', '--sql']),
          ])
          for (const result of results.slice(0, 4)) {
            assert.equal(result.code, 1, result.stderr)
            assert.match(result.stderr, /^error: /m)
          }
        }
      } finally {
        made.cleanup()
      }
    })
  }
})
