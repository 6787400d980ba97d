import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  compileVersionStatements,
  type VersionChange,
} from '../../packages/core/src/runtime/version-table.ts'

const steps: readonly VersionChange[] = [
  { kind: 'insert', version: 'ae1027a6acf' },
  { kind: 'update', from: 'ae1027a6acf', to: '27c6a30d7c24' },
  { kind: 'delete', version: '27c6a30d7c24' },
]

describe('offline version-table SQL', () => {
  test('postgres', () => {
    assert.deepEqual(
      compileVersionStatements(
        'postgres',
        { table: 'mig_version' },
        { create: true, changes: steps, drop: true },
      ),
      [
        'create table "mig_version" ("version_num" varchar(32) not null, constraint "mig_version_pkc" primary key ("version_num"))',
        `insert into "mig_version" ("version_num") values ('ae1027a6acf')`,
        `update "mig_version" set "version_num" = '27c6a30d7c24' where "version_num" = 'ae1027a6acf'`,
        `delete from "mig_version" where "version_num" = '27c6a30d7c24'`,
        'drop table "mig_version"',
      ],
    )
  })

  test('mysql', () => {
    assert.deepEqual(
      compileVersionStatements(
        'mysql',
        { table: 'mig_version' },
        { create: true, changes: steps, drop: true },
      ),
      [
        'create table `mig_version` (`version_num` varchar(32) not null, constraint `mig_version_pkc` primary key (`version_num`))',
        "insert into `mig_version` (`version_num`) values ('ae1027a6acf')",
        "update `mig_version` set `version_num` = '27c6a30d7c24' where `version_num` = 'ae1027a6acf'",
        "delete from `mig_version` where `version_num` = '27c6a30d7c24'",
        'drop table `mig_version`',
      ],
    )
  })

  test('sqlite', () => {
    assert.deepEqual(
      compileVersionStatements(
        'sqlite',
        { table: 'mig_version' },
        { create: true, changes: steps, drop: true },
      ),
      [
        'create table "mig_version" ("version_num" varchar(32) not null, constraint "mig_version_pkc" primary key ("version_num"))',
        `insert into "mig_version" ("version_num") values ('ae1027a6acf')`,
        `update "mig_version" set "version_num" = '27c6a30d7c24' where "version_num" = 'ae1027a6acf'`,
        `delete from "mig_version" where "version_num" = '27c6a30d7c24'`,
        'drop table "mig_version"',
      ],
    )
  })

  test('a schema qualifies every statement; purge deletes every row', () => {
    const ref = { table: 'versions', schema: 'audit' }
    assert.deepEqual(compileVersionStatements('postgres', ref, { create: true, purge: true }), [
      'create table "audit"."versions" ("version_num" varchar(32) not null, constraint "versions_pkc" primary key ("version_num"))',
      'delete from "audit"."versions"',
    ])
    assert.deepEqual(
      compileVersionStatements('mysql', ref, { purge: true, changes: [steps[0] as VersionChange] }),
      [
        'delete from `audit`.`versions`',
        "insert into `audit`.`versions` (`version_num`) values ('ae1027a6acf')",
      ],
    )
  })

  test('identifiers are quoted and versions escaped by each flavour', () => {
    const change: VersionChange = { kind: 'insert', version: `it's\\x` }
    assert.deepEqual(compileVersionStatements('postgres', { table: 'odd"name' }, { changes: [change] }), [
      `insert into "odd""name" ("version_num") values ('it''s\\x')`,
    ])
    assert.deepEqual(compileVersionStatements('sqlite', { table: 'odd"name' }, { changes: [change] }), [
      `insert into "odd""name" ("version_num") values ('it''s\\x')`,
    ])
    // MySQL treats a backslash as an escape inside string literals, so it is doubled.
    assert.deepEqual(compileVersionStatements('mysql', { table: 'odd`name' }, { changes: [change] }), [
      "insert into `odd``name` (`version_num`) values ('it''s\\\\x')",
    ])
  })

  test('nothing asked, nothing rendered', () => {
    assert.deepEqual(compileVersionStatements('postgres', { table: 'mig_version' }, {}), [])
  })
})
