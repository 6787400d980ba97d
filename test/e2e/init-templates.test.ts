// Init templates through the real `mig`: `list-templates` describes each; `generic`, `js`
// (migrate.config.mjs) and `package-json` (a "migraph" key, found by cosmiconfig) each give a
// project that `revision` and `upgrade` work in, on every database.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { DATABASE_KINDS } from '../helpers/e2e-databases.js'
import { mig, tempProject } from '../helpers/mig.js'

test('list-templates shows each template with its one-line description', async () => {
  const project = tempProject()
  try {
    const result = await mig(project.dir, ['list-templates'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.split('\n')
    assert.ok(lines.includes('generic - Generic single-database configuration.'))
    assert.ok(
      lines.includes(
        'js - Plain JavaScript configuration (migrate.config.mjs), for projects without TypeScript.',
      ),
    )
    assert.ok(
      lines.includes(
        'package-json - Configuration under the "migraph" key of package.json (found by cosmiconfig), no config file.',
      ),
    )
    const json = await mig(project.dir, ['list-templates', '--json'])
    assert.deepEqual(
      JSON.parse(json.stdout).map((t: { name: string }) => t.name),
      ['generic', 'js', 'multidb', 'package-json', 'sql'],
    )
  } finally {
    project.cleanup()
  }
})

test('sql: new revisions are .sql files that upgrade and downgrade', async () => {
  const project = tempProject()
  try {
    const init = await mig(project.dir, ['init', '-t', 'sql'])
    assert.equal(init.code, 0, init.stderr)
    const created = await mig(project.dir, ['revision', '-m', 'create account'])
    assert.equal(created.code, 0, created.stderr)
    const path = /Generating (\S+\.sql) \.\.\. {2}done/.exec(created.stdout)?.[1]
    assert.ok(path !== undefined, created.stdout)
    const text = readFileSync(path, 'utf8')
    writeFileSync(
      path,
      text
        .replace('-- migrate: up\n', '-- migrate: up\ncreate table account (id integer primary key);\n')
        .replace('-- migrate: down\n', '-- migrate: down\ndrop table account;\n'),
    )
    const up = await mig(project.dir, ['--url', 'sqlite:app.db', 'upgrade', 'head'])
    assert.equal(up.code, 0, up.stderr)
    const down = await mig(project.dir, ['--url', 'sqlite:app.db', 'downgrade', 'base'])
    assert.equal(down.code, 0, down.stderr)
  } finally {
    project.cleanup()
  }
})

test('package-json keeps the package.json it finds and refuses a second init', async () => {
  const project = tempProject()
  try {
    writeFileSync(
      join(project.dir, 'package.json'),
      '{ "name": "app", "version": "2.0.0", "type": "module" }\n',
    )
    const result = await mig(project.dir, ['init', '-t', 'package-json'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /Edit the "migraph" key of package\.json to set the database URL/)
    assert.deepEqual(JSON.parse(readFileSync(join(project.dir, 'package.json'), 'utf8')), {
      name: 'app',
      version: '2.0.0',
      type: 'module',
      migraph: { migrations: 'migrations' },
    })
    const again = await mig(project.dir, ['init', '-t', 'package-json'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /package\.json already has a "migraph" key/)
    const js = await mig(project.dir, ['init', '-t', 'js'])
    assert.equal(js.code, 1, 'a second config beside the first is refused')
  } finally {
    project.cleanup()
  }
})

for (const kind of DATABASE_KINDS) {
  describe(`projects from each template on ${kind.name}`, () => {
    for (const template of ['generic', 'js', 'package-json']) {
      test(`${template}: init, revision, upgrade`, async () => {
        const project = tempProject()
        const db = await kind.create(project.dir)
        try {
          const init = await mig(project.dir, ['init', '-t', template])
          assert.equal(init.code, 0, init.stderr)
          const revision = await mig(project.dir, ['revision', '-m', 'first', '--rev-id', 'f1'])
          assert.equal(revision.code, 0, revision.stderr)
          const upgrade = await mig(project.dir, [...db.args, 'upgrade', 'head'])
          assert.equal(upgrade.code, 0, upgrade.stderr)
          assert.deepEqual(await db.versions(), ['f1'])
        } finally {
          await db.drop()
          project.cleanup()
        }
      })
    }
  })
}
