import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  DriverMissingError,
  dialectFor,
  InvalidDatabaseUrlError,
  importDriver,
  maskUrl,
  mysqlDialect,
  pgliteDialect,
  postgresDialect,
  redactSecrets,
  resolveTarget,
  sqliteDialect,
  UnknownUrlSchemeError,
  urlSecrets,
} from '../../packages/core/src/dialects/index.ts'

const BASE = '/srv/app'

describe('resolveTarget', () => {
  test('no URL means the embedded PGlite database beside the config', () => {
    const target = resolveTarget(undefined, BASE)
    assert.equal(target.dialect, 'pglite')
    assert.equal(target.location, '/srv/app/.migraph/pglite')
    assert.equal(dialectFor(target), pgliteDialect)
  })

  const cases: [string, string, string, string][] = [
    // url, dialect, location, display
    [
      'postgres://app:pw@db.example:6543/prod',
      'postgres',
      'db.example:6543',
      'postgres://app:***@db.example:6543/prod',
    ],
    ['postgresql://app@db.example/prod', 'postgres', 'db.example:5432', 'postgresql://app@db.example/prod'],
    [
      'postgres:///prod?host=/var/run/postgresql',
      'postgres',
      '/var/run/postgresql:5432',
      'postgres:///prod?host=/var/run/postgresql',
    ],
    ['mysql://root:pw@127.0.0.1/test', 'mysql', '127.0.0.1:3306', 'mysql://root:***@127.0.0.1/test'],
    ['mariadb://root@[::1]:3307/test', 'mysql', '[::1]:3307', 'mariadb://root@[::1]:3307/test'],
    ['sqlite:data/app.db', 'sqlite', '/srv/app/data/app.db', 'sqlite:data/app.db'],
    ['sqlite:/abs/app.db', 'sqlite', '/abs/app.db', 'sqlite:/abs/app.db'],
    ['sqlite::memory:', 'sqlite', ':memory:', 'sqlite::memory:'],
    ['pglite:db/pg', 'pglite', '/srv/app/db/pg', 'pglite:db/pg'],
    ['pglite:memory:', 'pglite', ':memory:', 'pglite:memory:'],
  ]
  for (const [url, dialect, location, display] of cases) {
    test(`parses ${url}`, () => {
      const target = resolveTarget(url, BASE)
      assert.deepEqual({ ...target }, { dialect, url, location, display })
      assert.equal(dialectFor(target).name, dialect)
    })
  }

  test('the dialect objects say how to reach each engine', () => {
    assert.deepEqual(
      [postgresDialect, pgliteDialect, mysqlDialect, sqliteDialect].map((d) => [
        d.name,
        d.sqlFlavour,
        d.transactionalDDL,
        d.driverPackage,
      ]),
      [
        ['postgres', 'postgres', true, 'pg'],
        ['pglite', 'postgres', true, null],
        ['mysql', 'mysql', false, 'mysql2'],
        ['sqlite', 'sqlite', true, 'better-sqlite3'],
      ],
    )
  })

  test('an unknown scheme names the scheme and the accepted ones, never the password', () => {
    assert.throws(
      () => resolveTarget('mongodb://u:hunter2@h/db', BASE),
      (error: unknown) => {
        assert.ok(error instanceof UnknownUrlSchemeError)
        assert.equal(error.code, 'unknown-url-scheme')
        assert.equal(error.scheme, 'mongodb')
        assert.equal(
          error.message,
          "Unknown database URL scheme 'mongodb' in 'mongodb://u:***@h/db'; accepted schemes are " +
            "'postgres://', 'postgresql://', 'pglite:', 'mysql://', 'mariadb://', 'sqlite:'",
        )
        return true
      },
    )
  })

  test('malformed URLs of known schemes say how to write them', () => {
    for (const url of ['', 'app.db', 'sqlite:', 'sqlite:///app.db', 'pglite:', 'postgres:db', 'mysql:db']) {
      assert.throws(() => resolveTarget(url, BASE), InvalidDatabaseUrlError, url)
    }
  })
})

describe('maskUrl', () => {
  const cases: [string, string][] = [
    ['postgres://u:plain@h:5432/db', 'postgres://u:***@h:5432/db'],
    // percent-encoded % @ : / ? #
    ['postgres://u:a%25b%40c%3Ad%2Fe%3Ff%23g@h/db', 'postgres://u:***@h/db'],
    // the same characters raw
    ['postgres://u:a%b@c:d/e?f#g@h/db', 'postgres://u:***@h/db'],
    ['mysql://root:p@ss#word?@127.0.0.1:3306/test?ssl=true', 'mysql://root:***@127.0.0.1:3306/test?ssl=true'],
    ['postgres://u@h/db?sslmode=require&password=s3cret', 'postgres://u@h/db?sslmode=require&password=***'],
    ['postgres://u:@h/db', 'postgres://u:***@h/db'],
    ['postgres://h/db', 'postgres://h/db'],
    ['sqlite:app.db', 'sqlite:app.db'],
    ['pglite:memory:', 'pglite:memory:'],
  ]
  for (const [url, masked] of cases) {
    test(`masks ${masked}`, () => {
      assert.equal(maskUrl(url), masked)
      for (const secret of urlSecrets(url)) assert.ok(!maskUrl(url).includes(secret), secret)
    })
  }
})

describe('urlSecrets and redactSecrets', () => {
  test('a password is found in raw and decoded form', () => {
    assert.deepEqual(urlSecrets('postgres://u:a%40b%2Fc@h/db'), ['a%40b%2Fc', 'a@b/c'])
    assert.deepEqual(urlSecrets('postgres://u:a@b/c?#d@h/db'), ['a@b/c?#d'])
    assert.deepEqual(urlSecrets('postgres://u@h/db?password=x%26y'), ['x&y'])
    assert.deepEqual(urlSecrets('sqlite:app.db'), [])
  })

  test('a password is masked wherever a URL, a setting or a quote holds it', () => {
    const secrets = urlSecrets('postgres://u:p%40ss%3Aw%2Frd@h/db')
    const message =
      'failed: postgres://u:p%40ss%3Aw%2Frd@h/db (mysql://root:p@ss:w/rd@x/y, password=p@ss:w/rd, given "p@ss:w/rd", or \'p%40ss%3Aw%2Frd\')'
    const redacted = redactSecrets(message, secrets)
    assert.equal(
      redacted,
      'failed: postgres://u:***@h/db (mysql://root:***@x/y, password=***, given "***", or \'***\')',
    )
  })

  test('a raw password with URL characters is masked in a URL, also once percent-encoded', () => {
    const secrets = urlSecrets('mysql://root:a%b@c?d#@h/db')
    assert.equal(
      redactSecrets('x mysql://root:a%b@c?d#@h/db y `a%25b%40c%3Fd%23` z', secrets),
      'x mysql://root:***@h/db y `***` z',
    )
  })

  test("the message's own words are never rewritten, whatever the password", () => {
    for (const password of ['1', 'o', 'postgres', 'test', 'database', '0']) {
      const url = `postgres://app:${password}@127.0.0.1:5432/db`
      const message =
        'Could not connect to postgres database at 127.0.0.1:5432: connect ECONNREFUSED 127.0.0.1:5432 (test run 10)'
      assert.equal(redactSecrets(message, urlSecrets(url)), message, password)
      assert.equal(
        redactSecrets(`${url} failed`, urlSecrets(url)),
        'postgres://app:***@127.0.0.1:5432/db failed',
        password,
      )
    }
  })

  test('a password equal to the user or database is not a secret to hunt in the text', () => {
    assert.deepEqual(urlSecrets('postgres://postgres:postgres@h/db'), [])
    assert.deepEqual(urlSecrets('postgres://app:test@h/test'), [])
    assert.equal(
      redactSecrets('database "test" does not exist', urlSecrets('postgres://app:test@h/test')),
      'database "test" does not exist',
    )
  })

  test('empty secrets change nothing', () => {
    assert.equal(redactSecrets('nothing to hide', ['']), 'nothing to hide')
  })
})

describe('drivers', () => {
  test('a missing driver package becomes DriverMissingError with the install command', async () => {
    await assert.rejects(importDriver('migraph-no-such-driver', 'a test database'), (error: unknown) => {
      assert.ok(error instanceof DriverMissingError)
      assert.equal(error.code, 'driver-missing')
      assert.equal(error.installCommand, 'npm install migraph-no-such-driver')
      assert.match(error.message, /run 'npm install migraph-no-such-driver'/)
      return true
    })
  })

  test('the installed drivers load', async () => {
    for (const name of ['pg', 'mysql2', 'better-sqlite3']) assert.ok(await importDriver(name, name))
  })

  test('a driver is loaded once per process: every connection shares it, and nothing piles up', async () => {
    for (const name of ['pg', 'mysql2']) {
      const first = await importDriver(name, name)
      const exitListeners = process.listenerCount('exit')
      for (let i = 0; i < 12; i++) assert.equal(await importDriver(name, name), first)
      // A load per connection added an exit listener each (to save its code cache): Node warns at 11.
      assert.equal(process.listenerCount('exit'), exitListeners)
    }
  })

  test('importing the dialects loads no driver and not Kysely', async () => {
    const { spawnSync } = await import('node:child_process')
    const trace = fileURLToPath(new URL('./fixtures/trace-imports.mjs', import.meta.url))
    const index = new URL('../../packages/core/src/dialects/index.ts', import.meta.url).href
    const run = (code: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--import', trace, '--input-type=module', '-e', code], {
        encoding: 'utf8',
      })
    const packages = (stderr: string) => [
      ...new Set([...stderr.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1])),
    ]
    const parsed = run(
      `const d = await import(${JSON.stringify(index)}); d.resolveTarget('postgres://h/db', '/')`,
    )
    assert.equal(parsed.status, 0, parsed.stderr)
    assert.deepEqual(packages(parsed.stderr), [])
    // The trace itself works: connecting loads the driver.
    const connected = run(
      `const d = await import(${JSON.stringify(index)}); const t = d.resolveTarget('sqlite::memory:', '/'); await (await d.dialectFor(t).connect(t, { connectTimeoutMs: 1000 })).close()`,
    )
    assert.equal(connected.status, 0, connected.stderr)
    assert.ok(packages(connected.stderr).includes('better-sqlite3'), connected.stderr)
  })
})
