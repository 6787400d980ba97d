import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { resolveConfig } from '../../packages/core/src/config/resolved-config.ts'
import { checkVersionTableLength } from '../../packages/core/src/config/version-table-name.ts'
import { canonicalPath } from '../../packages/core/src/dialects/canonical-path.ts'
import {
  advisoryLockKey,
  mysqlDialect,
  pgliteLockFile,
  postgresDialect,
  sqliteLockFile,
} from '../../packages/core/src/dialects/index.ts'
import { resolveSqliteVersionTable } from '../../packages/core/src/dialects/version-table-resolution.ts'
import { ConfigError } from '../../packages/core/src/errors.ts'

const FILE = '/project/migrate.config.ts'
const resolve = (raw: Record<string, unknown>) => resolveConfig(raw, FILE, '/project')

describe('versionTable and versionTableSchema', () => {
  const accepted: readonly [Record<string, unknown>, { table: string; schema: string | undefined }][] = [
    [{}, { table: 'mig_version', schema: undefined }],
    [{ versionTable: 'versions' }, { table: 'versions', schema: undefined }],
    [{ versionTable: 'audit.versions' }, { table: 'versions', schema: 'audit' }],
    [{ versionTableSchema: 'audit' }, { table: 'mig_version', schema: 'audit' }],
    [
      { versionTable: 'audit.versions', versionTableSchema: 'audit' },
      { table: 'versions', schema: 'audit' },
    ],
    [{ versionTable: 'Versions ünï' }, { table: 'Versions ünï', schema: undefined }],
  ]
  for (const [raw, expected] of accepted) {
    test(`accepts ${JSON.stringify(raw)}`, () => {
      const config = resolve(raw)
      assert.deepEqual({ table: config.versionTable, schema: config.versionTableSchema }, expected)
    })
  }

  const refused: readonly [Record<string, unknown>, RegExp][] = [
    [{ versionTable: '' }, /config key 'versionTable' must not be blank/],
    [{ versionTable: ' \t' }, /config key 'versionTable' must not be blank/],
    [{ versionTableSchema: ' ' }, /config key 'versionTableSchema' must not be blank/],
    [{ versionTable: ' mig_version' }, /config key 'versionTable' must not begin or end with whitespace/],
    [{ versionTable: 'mig\nversion' }, /config key 'versionTable' must not contain control characters/],
    [{ versionTable: 'a.b.c' }, /config key 'versionTable' is 'a\.b\.c': .*at most one dot/],
    [{ versionTable: 'audit.' }, /config key 'versionTable' is 'audit\.'/],
    [{ versionTable: '.versions' }, /config key 'versionTable' is '\.versions'/],
    [{ versionTable: 'audit. versions' }, /must not begin or end with whitespace/],
    [
      { versionTable: 'audit.versions', versionTableSchema: 'public' },
      /config key 'versionTable' names schema 'audit' but 'versionTableSchema' is 'public'/,
    ],
    [{ versionTable: 42 }, /config key 'versionTable' must be a string/],
  ]
  for (const [raw, pattern] of refused) {
    test(`refuses ${JSON.stringify(raw)}, naming the file and the key`, () => {
      assert.throws(
        () => resolve(raw),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError)
          assert.ok(error.message.startsWith(`${FILE}: `), error.message)
          assert.match(error.message, pattern)
          assert.doesNotMatch(error.message, /\n/)
          return true
        },
      )
    })
  }
})

describe('names the database would cut short', () => {
  const pg = postgresDialect.identifierLimit
  const my = mysqlDialect.identifierLimit
  assert.ok(pg && my)
  const check =
    (table: string, schema?: string, limit = pg) =>
    () =>
      checkVersionTableLength({ table, schema }, limit, { file: FILE })

  test('PostgreSQL keeps 63 bytes: the table and its history table must both fit', () => {
    check('v'.repeat(55))()
    assert.throws(
      check('v'.repeat(56)),
      /the history table 'v{56}_history' is 64 bytes, over the 63-byte limit on names; use a name of at most 55 bytes/,
    )
    assert.throws(check('v'.repeat(70)), /too long for PostgreSQL: the name 'v{70}' is 70 bytes/)
  })

  test('PostgreSQL counts bytes, MySQL characters', () => {
    // 28 two-byte letters: 56 bytes, 28 characters.
    assert.throws(check('é'.repeat(28)), /'é{28}_history' is 64 bytes/)
    check('é'.repeat(28), undefined, my)()
    assert.throws(
      check('v'.repeat(57), undefined, my),
      /too long for MySQL: .*'v{57}_history' is 65 characters/,
    )
  })

  test('the schema too', () => {
    check('mig_version', 's'.repeat(63))()
    assert.throws(check('mig_version', 's'.repeat(64)), /config key 'versionTableSchema' .* is 64 bytes/)
  })
})

describe('lock identity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mig-lock-identity-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('one advisory key for one schema and table, another for another', () => {
    const key = (table: string, schema: string) =>
      advisoryLockKey({ table, schema, lockText: `migraph:${schema}.${table}` })
    assert.equal(key('mig_version', 'public'), -1740035611214028061n)
    assert.notEqual(key('mig_version', 'public'), key('mig_version', 'audit'))
    assert.notEqual(key('mig_version', 'public'), key('other', 'public'))
  })

  test('SQLite: the default schema is main, and names compare without regard to ASCII case', () => {
    const plain = resolveSqliteVersionTable({ table: 'mig_version' })
    assert.equal(plain.schema, 'main')
    assert.equal(resolveSqliteVersionTable({ table: 'MIG_Version', schema: 'MAIN' }).lockText, plain.lockText)
  })

  test('a symlink to a SQLite file or a PGlite directory names the same lock file', () => {
    const file = join(dir, 'app.sqlite')
    writeFileSync(file, '')
    symlinkSync(file, join(dir, 'link.sqlite'))
    mkdirSync(join(dir, 'real'))
    symlinkSync(join(dir, 'real'), join(dir, 'alias'), 'dir')
    const table = resolveSqliteVersionTable({ table: 'mig_version' })
    assert.equal(sqliteLockFile(join(dir, 'link.sqlite'), table), sqliteLockFile(file, table))
    assert.equal(sqliteLockFile(join(dir, 'alias/../app.sqlite'), table), sqliteLockFile(file, table))
    // A data directory not created yet, under a symlinked folder.
    assert.equal(pgliteLockFile(join(dir, 'alias/pglite')), pgliteLockFile(join(dir, 'real/pglite')))
    assert.equal(canonicalPath(join(dir, 'alias/not/yet')), join(canonicalPath(dir), 'real/not/yet'))
  })
})
