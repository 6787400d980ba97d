// Every bad input gets one clear line on stderr naming the file, revision, option or host, a
// non-zero exit within 10 s, and leaves the database exactly as it was.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import { type MigResult, mig, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'

const CONFIG =
  "import { defineConfig } from 'migraph'\nexport default defineConfig({ migrations: 'migrations' })\n"

function revisionSource(id: string, down: string | null, upgrade: string): string {
  return `/**
 * revision ${id}
 */
import type { Operations } from 'migraph'

export const revision = '${id}'
export const downRevision: string | readonly string[] | null = ${down === null ? 'null' : `'${down}'`}

export async function upgrade(op: Operations): Promise<void> {
  ${upgrade}
}

export async function downgrade(op: Operations): Promise<void> {}
`
}

/**
 * One line on stderr, starting `error: `, exit 1. A command that got as far as the
 * database names it first (`Target database: …`); that line is not part of the error.
 */
function assertOneLineError(result: MigResult, pattern: RegExp): void {
  assert.equal(result.code, 1, `exit status; stderr: ${result.stderr}`)
  const lines = result.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Target database: '))
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.match(lines[0] ?? '', /^error: /)
  assert.match(lines[0] ?? '', pattern)
}

describe('bad input', () => {
  const project = tempProject('mig-bad-')
  const dir = project.dir
  const pglite = join(dir, '.migraph/pglite')

  before(async () => {
    writeFileSync(join(dir, 'migrate.config.ts'), CONFIG)
    mkdirSync(join(dir, 'migrations'))
    writeFileSync(
      join(dir, 'migrations/aaaa00000001_one.ts'),
      revisionSource(
        'aaaa00000001',
        null,
        "await op.createTable('one', (t) => t.addColumn('id', 'integer'))",
      ),
    )
    await freshPgliteDir(pglite)
  })
  after(() => project.cleanup())

  test('an unknown command', async () => {
    assertOneLineError(await mig(dir, ['upgrad', 'head']), /upgrad/)
  })

  test('an unknown option', async () => {
    assertOneLineError(await mig(dir, ['heads', '--verbos']), /verbos/)
  })

  test('a missing config file names the folder searched', async () => {
    const empty = tempProject('mig-noconfig-')
    try {
      assertOneLineError(
        await mig(empty.dir, ['heads']),
        new RegExp(`no migrate\\.config\\.ts found in ${empty.dir}`),
      )
    } finally {
      empty.cleanup()
    }
  })

  test('an explicit -c file that does not exist', async () => {
    assertOneLineError(
      await mig(dir, ['heads', '-c', 'nope.config.ts']),
      /config file not found: .*nope\.config\.ts/,
    )
  })

  test('a config with a syntax error names file and line', async () => {
    const broken = tempProject('mig-brokenconfig-')
    try {
      writeFileSync(join(broken.dir, 'migrate.config.ts'), "export default {\n  migrations: 'm',,\n}\n")
      assertOneLineError(await mig(broken.dir, ['heads']), /migrate\.config\.ts:2:\d+/)
    } finally {
      broken.cleanup()
    }
  })

  test('a config with an unknown key names file and key', async () => {
    const unknown = tempProject('mig-unknownkey-')
    try {
      writeFileSync(join(unknown.dir, 'migrate.config.ts'), "export default { migration: 'm' }\n")
      assertOneLineError(
        await mig(unknown.dir, ['heads']),
        /migrate\.config\.ts: unknown config key 'migration'/,
      )
    } finally {
      unknown.cleanup()
    }
  })

  test('an unreachable database names host:port, never the password, within the timeout', async () => {
    const result = await mig(dir, [
      'upgrade',
      'head',
      '--url',
      'postgres://app:s3cr%40t!pw@127.0.0.1:9/db',
      '--connect-timeout',
      '3',
    ])
    assertOneLineError(result, /127\.0\.0\.1:9/)
    assert.equal(result.stderr.includes('s3cr'), false, result.stderr)
    assert.equal(result.stdout.includes('s3cr'), false)
  })

  test('an unknown revision id changes nothing', async () => {
    assertOneLineError(await mig(dir, ['upgrade', 'ffff00000000']), /ffff00000000/)
    assert.equal(await versionTableExists(pglite), false)
  })

  test('a revision with a syntax error names file and line, and nothing runs', async () => {
    const file = join(dir, 'migrations/bbbb00000002_two.ts')
    writeFileSync(file, revisionSource('bbbb00000002', 'aaaa00000001', 'await op.execute(,)'))
    try {
      assertOneLineError(await mig(dir, ['upgrade', 'head']), /bbbb00000002_two\.ts:\d+:\d+/)
      // The first revision was not applied either: every module loads before the first step.
      assert.equal(await versionTableExists(pglite), false)
      assert.equal(await tableExists(pglite, 'one'), false)
    } finally {
      writeFileSync(file, revisionSource('bbbb00000002', 'aaaa00000001', 'await op.execute("select 1")'))
    }
  })

  test('read-only commands on a project without a database create none', async () => {
    const fresh = tempProject('mig-readonly-')
    try {
      writeFileSync(join(fresh.dir, 'migrate.config.ts'), CONFIG)
      mkdirSync(join(fresh.dir, 'migrations'))
      const current = await mig(fresh.dir, ['current'])
      assert.equal(current.code, 0, current.stderr)
      assert.equal(current.stdout, '')
      assert.equal(existsSync(join(fresh.dir, '.migraph')), false)
    } finally {
      fresh.cleanup()
    }
  })
})

async function versionTableExists(dataDir: string): Promise<boolean> {
  return tableExists(dataDir, 'mig_version')
}

async function tableExists(dataDir: string, table: string): Promise<boolean> {
  const db = new PGlite(dataDir)
  try {
    const result = await db.query('select 1 from information_schema.tables where table_name = $1', [table])
    return result.rows.length > 0
  } finally {
    await db.close()
  }
}
