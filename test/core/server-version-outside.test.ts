// Which `.sql` revisions of a run leave the transaction on the server at hand: only those whose
// `ALTER TYPE ... ADD VALUE` an older PostgreSQL (before 12) refuses inside one. The version is
// asked of the dialect only when such a revision is about to run.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MigrationStep } from '@migraph/graph'
import type { MigrationDialect } from '../../packages/core/src/dialects/dialect.ts'
import { postgresDialect } from '../../packages/core/src/dialects/postgres-dialect.ts'
import { outsideTransactionOnServer } from '../../packages/core/src/runtime/server-version-outside.ts'
import type { RevisionModule } from '../../packages/core/src/script/script-directory.ts'
import { sqlRevisionModule } from '../../packages/core/src/script/sql-revision.ts'

const step = (revision: string, isStamp = false) =>
  ({ revision, direction: 'up', isStamp }) as unknown as MigrationStep

const sqlModule = (file: string, body: string): RevisionModule => {
  const sql = sqlRevisionModule(file, `-- Revision ID: ${file}\n${body}`)
  return { upgrade: sql.upgrade, downgrade: sql.downgrade, sql }
}

const modules = new Map<string, RevisionModule>([
  ['enum', sqlModule('enum', "-- UP\nALTER TYPE mood ADD VALUE 'happy';\n")],
  ['plain', sqlModule('plain', 'CREATE TABLE t (id int);\n')],
  [
    'declared',
    sqlModule('declared', "-- migrate: no-transaction\n-- migrate: up\nALTER TYPE mood ADD VALUE 'sad';\n"),
  ],
])

/** The postgres dialect, answering `server_version_num` with `version`, counting the questions. */
function serverAt(version: number): { dialect: MigrationDialect; asked: () => number } {
  let asked = 0
  const dialect: MigrationDialect = {
    ...postgresDialect,
    serverVersionNum: async () => {
      asked++
      return version
    },
  }
  return { dialect, asked: () => asked }
}

const run = (dialect: MigrationDialect, steps: MigrationStep[]) =>
  outsideTransactionOnServer(dialect, undefined as never, steps, modules)

describe('outsideTransactionOnServer', () => {
  test('before PostgreSQL 12, a revision adding an enum value runs outside a transaction', async () => {
    const server = serverAt(110022)
    const outside = await run(server.dialect, [step('plain'), step('enum'), step('declared')])
    assert.deepEqual([...outside], [['enum', 'ALTER TYPE ... ADD VALUE before PostgreSQL 12']])
    assert.equal(server.asked(), 1)
  })

  test('from 12 on it stays in its transaction', async () => {
    const server = serverAt(120000)
    assert.deepEqual([...(await run(server.dialect, [step('enum')]))], [])
  })

  test('the server is not asked when no revision of the run needs it, nor for a stamp', async () => {
    const server = serverAt(110022)
    assert.deepEqual([...(await run(server.dialect, [step('plain'), step('enum', true)]))], [])
    assert.equal(server.asked(), 0)
  })
})
