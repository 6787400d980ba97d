import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { RevisionFileError } from '../../packages/core/src/errors.ts'
import {
  outsideTransactionStatement,
  parseSqlRevision,
  sqlRevisionModule,
} from '../../packages/core/src/script/sql-revision.ts'

const parse = (source: string) => parseSqlRevision('m/x.sql', source)
const failure = (source: string) => {
  try {
    parse(source)
  } catch (error) {
    assert.ok(error instanceof RevisionFileError)
    return error.message
  }
  assert.fail('expected a RevisionFileError')
}

describe('parseSqlRevision', () => {
  test('reads the template header: fields, message, sections with their lines', () => {
    const parsed = parse(`-- add account
-- and its index
--
-- Revision ID: ab12
-- Revises: aa01, aa02
-- Branch labels: billing, core
-- Depends on: ff00
-- Create Date: 2026-01-02 03:04:05.000000

-- migrate: up
CREATE TABLE account (id int);

-- migrate: down
DROP TABLE account;
`)
    assert.equal(parsed.header.revision, 'ab12')
    assert.deepEqual(parsed.header.downRevision, ['aa01', 'aa02'])
    assert.deepEqual(parsed.header.branchLabels, ['billing', 'core'])
    assert.deepEqual(parsed.header.dependsOn, ['ff00'])
    assert.equal(parsed.header.createDate, '2026-01-02 03:04:05.000000')
    assert.equal(parsed.header.message, 'add account\nand its index')
    assert.match(
      parsed.header.doc ?? '',
      /^add account\nand its index\n\nRevision ID: ab12\nRevises: aa01, aa02/,
    )
    assert.deepEqual(parsed.up, { text: 'CREATE TABLE account (id int);\n', lineOffset: 10 })
    assert.deepEqual(parsed.down, { text: 'DROP TABLE account;\n', lineOffset: 13 })
    assert.equal(parsed.noTransaction, false)
  })

  test('one parent is a string, none is null; CRLF files read the same', () => {
    const one = parse('-- Revision ID: b\r\n-- Revises: a\r\n-- UP\r\nSELECT 1;\r\n-- DOWN\r\n')
    assert.equal(one.header.downRevision, 'a')
    assert.equal(one.header.message, null)
    assert.notEqual(one.down, undefined)
    assert.equal(parse('-- Revision ID: a\n-- Revises:\nSELECT 1;').header.downRevision, null)
  })

  test('no markers: the whole body is the upgrade and there is no downgrade', () => {
    const parsed = parse('-- Revision ID: a\n-- Revises:\n\nCREATE TABLE t (id int);\n')
    assert.equal(parsed.up.text, 'CREATE TABLE t (id int);\n')
    assert.equal(parsed.down, undefined)
    assert.match(
      sqlRevisionModule('m/x.sql', '-- Revision ID: a\nSELECT 1;').irreversible ?? '',
      /no '-- migrate: down'/,
    )
  })

  test("pycopg's, Migretti's and node-pg-migrate's markers, and no-transaction", () => {
    for (const [up, down] of [
      ['-- UP', '-- DOWN'],
      ['-- migrate: up', '-- migrate: down'],
      ['-- Up Migration', '-- Down Migration'],
    ]) {
      const parsed = parse(`-- Revision ID: a\n${up}\nSELECT 1;\n${down}\nSELECT 2;\n`)
      assert.equal(parsed.up.text, 'SELECT 1;')
      assert.equal(parsed.down?.text, 'SELECT 2;\n')
    }
    const migretti = parse(
      '-- Revision ID: a\n-- migrate: no-transaction\n-- migrate: up\nCREATE INDEX CONCURRENTLY i ON t (a);\n',
    )
    assert.equal(migretti.noTransaction, true)
    assert.equal(migretti.up.text, 'CREATE INDEX CONCURRENTLY i ON t (a);\n')
  })

  test('a statement that cannot run in a transaction is found; one in a string is not', () => {
    assert.equal(
      outsideTransactionStatement(parse('-- Revision ID: a\n-- UP\nSELECT 1;\nVACUUM t;\n')),
      'VACUUM',
    )
    assert.equal(
      outsideTransactionStatement(parse("-- Revision ID: a\n-- UP\nSELECT 'CREATE INDEX CONCURRENTLY';\n")),
      undefined,
    )
  })

  test("a revision's ALTER TYPE ... ADD VALUE needs the server's version: before 12 it is not transactional", () => {
    const source =
      "-- Revision ID: a\n-- UP\nCREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood ADD VALUE 'b';\n"
    assert.equal(outsideTransactionStatement(parse(source)), undefined)
    assert.equal(outsideTransactionStatement(parse(source), 160000), undefined)
    assert.equal(
      outsideTransactionStatement(parse(source), 110000),
      'ALTER TYPE ... ADD VALUE before PostgreSQL 12',
    )
    const module = sqlRevisionModule('a.sql', source)
    assert.equal(module.dependsOnServerVersion, true)
    assert.equal(module.outsideTransaction, undefined)
    assert.equal(module.outsideTransactionOn(110000), 'ALTER TYPE ... ADD VALUE before PostgreSQL 12')
    assert.equal(module.outsideTransactionOn(120000), undefined)
    const declared = sqlRevisionModule('b.sql', source.replace('-- UP', '-- migrate: no-transaction\n-- UP'))
    assert.equal(declared.dependsOnServerVersion, false)
    assert.equal(
      sqlRevisionModule('c.sql', '-- Revision ID: c\n-- UP\nSELECT 1;\n').dependsOnServerVersion,
      false,
    )
  })

  test('broken input names the file and line', () => {
    assert.equal(
      failure('SELECT 1;'),
      "m/x.sql:1: missing '-- Revision ID: <id>' header line (a .sql revision declares its id in its leading comments)",
    )
    assert.equal(
      failure('-- Revision ID: a\n-- Revises: b\n-- Revises: c\n'),
      "m/x.sql:3: 'Revises:' repeats the header line at line 2",
    )
    assert.equal(
      failure('-- Revision ID: a, b\n'),
      "m/x.sql:1: 'Revision ID:' must name exactly one id, got 'a, b'",
    )
    assert.equal(
      failure("-- Revision ID: a\n-- Revises: 'b'\n"),
      "m/x.sql:2: ''b'' is not a comma-separated list of revision ids",
    )
    assert.equal(
      failure('-- Revision ID: a\n-- DOWN\nSELECT 1;\n-- migrate: down\n'),
      "m/x.sql:4: '-- migrate: down' marks a second down section (the first is at line 2); keep one",
    )
    assert.equal(
      failure('-- Revision ID: a\n-- DOWN\nSELECT 1;\n'),
      "m/x.sql:2: a '-- migrate: down' section without a '-- migrate: up' section before it",
    )
  })

  test('statements split per dialect, with file lines; a syntax problem names the line', () => {
    const module = sqlRevisionModule(
      'm/x.sql',
      "-- Revision ID: a\n-- UP\nSELECT 1;\n\nSELECT 'a\\';b';\n-- DOWN\nSELECT 'x",
    )
    assert.deepEqual(
      module.statements('mysql', 'up').map((s) => [s.line, s.text]),
      [
        [3, 'SELECT 1'],
        [5, "SELECT 'a\\';b'"],
      ],
    )
    assert.throws(
      () => module.statements('postgres', 'down'),
      /^RevisionFileError: m\/x\.sql:7: unterminated string$/,
    )
  })
})
