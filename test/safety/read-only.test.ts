// Read-only commands and every `--sql` run create and alter nothing: no version table, no
// embedded database, no lock file.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { mig, tempProject } from '../helpers/mig.js'
import { SAFETY_KINDS, writeSafetyConfig, writeSafetyRevision } from './support.js'

const COMMANDS: readonly (readonly string[])[] = [
  ['current'],
  ['current', '-v'],
  ['history'],
  ['history', '-i'],
  ['heads', '-v'],
  ['branches'],
  ['show', 'head'],
  ['check'],
  ['upgrade', 'head', '--sql'],
  ['downgrade', 'head:base', '--sql'],
  ['stamp', 'head', '--sql'],
  ['ensure-version', '--sql'],
]

function project() {
  const made = tempProject('mig-safety-ro-')
  writeSafetyConfig(made.dir)
  writeSafetyRevision(made.dir, {
    id: 'r00000000001',
    down: null,
    upgrade: "await op.createTable('ro_one', (t) => t.addColumn('id', 'integer'))",
    downgrade: "await op.dropTable('ro_one')",
  })
  writeSafetyRevision(made.dir, {
    id: 'r00000000002',
    down: 'r00000000001',
    upgrade: "await op.createTable('ro_two', (t) => t.addColumn('id', 'integer'))",
    downgrade: "await op.dropTable('ro_two')",
  })
  return made
}

/** Everything in the project folder but the project's own files: what a run left behind. */
function leftovers(dir: string): string[] {
  const own = new Set(['migrate.config.ts', 'migrations', 'node_modules'])
  return readdirSync(dir).filter((name) => !own.has(name))
}

describe('read-only commands are read-only', { concurrency: true }, () => {
  const made = project()
  after(() => made.cleanup())

  test('on a project with no database at all (embedded default)', async () => {
    for (const args of COMMANDS) {
      const result = await mig(made.dir, args)
      assert.ok(result.code === 0 || args[0] === 'check', `${args.join(' ')}: ${result.stderr}`)
      assert.deepEqual(leftovers(made.dir), [], `${args.join(' ')} created files`)
    }
    assert.equal(existsSync(join(made.dir, '.migraph')), false)
  })

  for (const kind of SAFETY_KINDS) {
    test(`on a database without a version table: ${kind.name}`, async () => {
      const own = project()
      const db = await kind.create(own.dir)
      try {
        // Embedded databases start absent: their file or data directory must not appear.
        const embedded = kind.name === 'sqlite' || kind.name === 'pglite'
        const location = db.url.slice(db.url.indexOf(':') + 1)
        if (kind.name === 'pglite') {
          const { rmSync } = await import('node:fs')
          rmSync(location, { recursive: true, force: true })
        }
        const before = embedded ? [] : await db.tables()
        const baseline = leftovers(own.dir)
        for (const args of COMMANDS) {
          const result = await mig(own.dir, ['--url', db.url, ...args])
          const readsDatabase = args[0] === 'current' || args[0] === 'check' || args.includes('-i')
          if (embedded && readsDatabase) {
            // A named embedded database that does not exist is a wrong path, not "nothing applied".
            assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`)
            assert.match(result.stderr, /^error: the database .+ does not exist/)
          } else {
            assert.ok(result.code === 0 || args[0] === 'check', `${args.join(' ')}: ${result.stderr}`)
          }
          assert.deepEqual(leftovers(own.dir), baseline, `${args.join(' ')} created files`)
        }
        if (embedded) {
          assert.equal(existsSync(location), false, `${location} was created`)
        } else {
          assert.deepEqual(await db.tables(), before)
        }
        // And once applied, reading changes nothing either.
        assert.equal((await mig(own.dir, ['--url', db.url, 'upgrade', 'r00000000001'])).code, 0)
        const applied = await db.snapshot()
        const files = leftovers(own.dir)
        for (const args of COMMANDS) {
          const result = await mig(own.dir, ['--url', db.url, ...args])
          assert.ok(result.code === 0 || args[0] === 'check', `${args.join(' ')}: ${result.stderr}`)
        }
        assert.deepEqual(await db.snapshot(), applied)
        assert.deepEqual(leftovers(own.dir), files)
      } finally {
        await db.drop()
        own.cleanup()
      }
    })
  }
})
