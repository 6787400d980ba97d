// The `timeouts`, `retries` and `retryDelay` config keys and a revision's `export const timeouts`:
// bad values are one-line errors naming the file and key before anything runs; PGlite applies
// the limits inside the revision's transaction; SQLite, which has no such limits, says so.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { writeRevision } from '../helpers/project-files.js'

describe('timeouts configuration', () => {
  const projects: { cleanup: () => void }[] = []
  after(() => {
    for (const p of projects) p.cleanup()
  })
  function project(config: string, preamble = '', upgrade: string[] = []): string {
    const p = tempProject('mig-verify-timeouts-')
    projects.push(p)
    writeFileSync(
      join(p.dir, 'migrate.config.ts'),
      `export default { migrations: 'migrations', ${config} }\n`,
    )
    writeRevision(p.dir, 'migrations', { id: 'a1', message: 'first', preamble, upgrade })
    return p.dir
  }

  test('bad config values name the file and the key', async () => {
    const cases: [string, RegExp][] = [
      [
        "url: 'sqlite::memory:', timeouts: { lockTimeout: -5 }",
        /config key 'timeouts' 'lockTimeout' must be a number of milliseconds more than 0, or null, got -5$/,
      ],
      [
        "url: 'sqlite::memory:', timeouts: { lock: 5 }",
        /config key 'timeouts' has an unknown key 'lock' \(known keys: lockTimeout, statementTimeout\)$/,
      ],
      ["url: 'sqlite::memory:', timeouts: 5000", /config key 'timeouts' must be an object/],
      [
        "url: 'sqlite::memory:', retries: 1.5",
        /config key 'retries' must be a whole number from 0 to 100, got 1.5$/,
      ],
      ["url: 'sqlite::memory:', retryDelay: 'soon'", /config key 'retryDelay' is not a number/],
    ]
    for (const [config, message] of cases) {
      const dir = project(config)
      const result = await mig(dir, ['upgrade', 'head'])
      assert.equal(result.code, 1, config)
      const lines = result.stderr.trim().split('\n')
      assert.equal(lines.length, 1, result.stderr)
      assert.match(lines[0] as string, /^error: .*migrate\.config\.ts: /, config)
      assert.match(lines[0] as string, message, config)
    }
  })

  test('a bad export const timeouts fails before any step, naming the file', async () => {
    const dir = project("url: 'sqlite:db.sqlite'", "export const timeouts = { lockTimeout: '5s' }", [
      "await op.createTable('t', (t) => t.addColumn('id', 'integer'))",
    ])
    const result = await mig(dir, ['upgrade', 'head'])
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /error: \S+a1_first\.ts: export 'timeouts' 'lockTimeout' must be a number of milliseconds more than 0, or null, got "5s"\n$/,
    )
    const current = await mig(dir, ['current'])
    assert.equal(current.stdout, '')
  })

  test('SQLite has no such limits: a warning, and the revisions run', async () => {
    const dir = project("url: 'sqlite:db.sqlite', timeouts: { lockTimeout: 1000 }")
    const result = await mig(dir, ['upgrade', 'head'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(
      result.stderr,
      /^warning: sqlite has no lock or statement timeouts: the configured or revision 'timeouts' are not applied$/m,
    )
  })

  test('PGlite: the limits are in force inside the revision, a revision key over the config', async () => {
    const check = (lock: string, statement: string) =>
      `{ const r = await op.db.selectNoFrom((eb) => [eb.fn('current_setting', [eb.val('lock_timeout')]).as('l'), eb.fn('current_setting', [eb.val('statement_timeout')]).as('s')]).executeTakeFirstOrThrow() as { l: string; s: string }; if (r.l !== '${lock}' || r.s !== '${statement}') throw new Error(\`limits \${r.l} \${r.s}\`) }`
    const dir = project(
      "url: 'pglite:memory:', timeouts: { lockTimeout: 1500, statementTimeout: 30000 }",
      'export const timeouts = { statementTimeout: 4000 }',
      [check('1500ms', '4s')],
    )
    writeRevision(dir, 'migrations', {
      id: 'b2',
      down: 'a1',
      message: 'second',
      preamble: 'export const timeouts = { lockTimeout: null }',
      upgrade: [check('0', '30s')],
    })
    const result = await mig(dir, ['upgrade', 'head'])
    assert.equal(result.code, 0, result.stderr)
  })
})
