// Which database a command acts on, and the options that bound its waits: an empty `url` is an
// error and never the embedded database, writing commands name their target first, a wrong
// embedded path is reported by read-only commands, and timeouts are checked before anything runs.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { MIG_BIN, type MigResult, mig, runProcess, tempProject } from '../helpers/mig.js'
import { freshPgliteDir } from '../helpers/pglite-template.js'

const REVISION = `/**
 * one
 */
import type { Operations } from 'migraph'

export const revision = 'aaaa00000001'
export const downRevision: string | readonly string[] | null = null

export async function upgrade(op: Operations): Promise<void> {
  await op.createTable('one', (t) => t.addColumn('id', 'integer'))
}

export async function downgrade(op: Operations): Promise<void> {
  await op.dropTable('one')
}
`

/** A project with one revision and the given config text. */
function project(config: string) {
  const made = tempProject('mig-target-')
  writeFileSync(join(made.dir, 'migrate.config.ts'), config)
  mkdirSync(join(made.dir, 'migrations'))
  writeFileSync(join(made.dir, 'migrations/aaaa00000001_one.ts'), REVISION)
  return made
}

/** One line on stderr, starting `error: `, exit 1, matching `pattern`; nothing on stdout. */
function assertOneLineError(result: MigResult, pattern: RegExp): void {
  assert.equal(result.code, 1, `exit status; stderr: ${result.stderr}`)
  const lines = result.stderr.split('\n').filter((line) => line !== '')
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`)
  assert.match(lines[0] ?? '', /^error: /)
  assert.match(lines[0] ?? '', pattern)
  assert.equal(result.stdout, '')
}

describe('a config url that is present but empty', () => {
  const envConfig = project(
    "import { defineConfig } from 'migraph'\nexport default defineConfig({ url: process.env.MIG_TEST_UNSET_URL, migrations: 'migrations' })\n",
  )
  after(() => envConfig.cleanup())
  const noVariable = { MIG_TEST_UNSET_URL: undefined }

  for (const args of [
    ['upgrade', 'head'],
    ['current'],
    ['check'],
    ['stamp', 'head'],
    ['upgrade', 'head', '--sql'],
  ]) {
    test(`is an error naming the key and the variable: mig ${args.join(' ')}`, async () => {
      assertOneLineError(
        await mig(envConfig.dir, args, { env: noVariable }),
        /migrate\.config\.ts: config key 'url' is empty: MIG_TEST_UNSET_URL is not set/,
      )
      // Nothing was created in place of the database the config meant.
      assert.equal(existsSync(join(envConfig.dir, '.migraph')), false)
    })
  }

  test('a variable set to an empty string is named as empty', async () => {
    assertOneLineError(
      await mig(envConfig.dir, ['upgrade', 'head'], { env: { MIG_TEST_UNSET_URL: '' } }),
      /config key 'url' is empty: MIG_TEST_UNSET_URL is empty/,
    )
  })

  test('MIG_DATABASE_URL set but empty is an error, not the config or the embedded database', async () => {
    const plain = project("export default { url: 'sqlite:app.db', migrations: 'migrations' }\n")
    try {
      for (const args of [['upgrade', 'head'], ['current']]) {
        assertOneLineError(
          await mig(plain.dir, args, { env: { MIG_DATABASE_URL: '' } }),
          /MIG_DATABASE_URL is set but empty/,
        )
      }
      assert.equal(existsSync(join(plain.dir, 'app.db')), false)
      assert.equal(existsSync(join(plain.dir, '.migraph')), false)
    } finally {
      plain.cleanup()
    }
  })

  test('graph-only commands need no URL, and --url overrides the empty key', async () => {
    const heads = await mig(envConfig.dir, ['heads'], { env: noVariable })
    assert.equal(heads.code, 0, heads.stderr)
    assert.match(heads.stdout, /aaaa00000001 \(head\)/)
    const db = join(envConfig.dir, 'explicit.db')
    const upgraded = await mig(envConfig.dir, ['--url', `sqlite:${db}`, 'upgrade', 'head'], {
      env: noVariable,
    })
    assert.equal(upgraded.code, 0, upgraded.stderr)
    assert.equal(existsSync(join(envConfig.dir, '.migraph')), false)
  })

  for (const [label, value] of [
    ['null', 'null'],
    ["''", "''"],
    ['undefined', 'undefined'],
  ] as const) {
    test(`url: ${label} is an error naming the key`, async () => {
      const made = project(`export default { url: ${value}, migrations: 'migrations' }\n`)
      try {
        assertOneLineError(
          await mig(made.dir, ['upgrade', 'head']),
          /migrate\.config\.ts: config key 'url' is empty \(set it, pass --url, or remove the 'url' key/,
        )
        assert.equal(existsSync(join(made.dir, '.migraph')), false)
      } finally {
        made.cleanup()
      }
    })
  }

  test("process.env['NAME'] is named too", async () => {
    const made = project(
      "export default { url: process.env['MIG_TEST_UNSET_URL'], migrations: 'migrations' }\n",
    )
    try {
      assertOneLineError(
        await mig(made.dir, ['upgrade', 'head'], { env: noVariable }),
        /config key 'url' is empty: MIG_TEST_UNSET_URL is not set/,
      )
    } finally {
      made.cleanup()
    }
  })
})

describe('writing commands name their target first', () => {
  const made = project("export default { migrations: 'migrations' }\n")
  after(() => made.cleanup())
  const db = join(made.dir, 'app.db')
  const url = `sqlite:${db}`

  for (const args of [
    ['ensure-version'],
    ['upgrade', 'head'],
    ['downgrade', 'base'],
    ['stamp', 'head'],
    ['stamp', 'base'],
  ]) {
    test(`mig ${args.join(' ')}`, async () => {
      const result = await mig(made.dir, ['--url', url, ...args])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stderr.split('\n')[0], `Target database: ${url}`)
    })
  }

  test('the password is masked, and -q or --json silence the line', async () => {
    const result = await mig(made.dir, [
      '--url',
      'postgres://app:s3cret-pw@127.0.0.1:9/db',
      '--connect-timeout',
      '2',
      'upgrade',
      'head',
    ])
    assert.equal(result.code, 1)
    assert.equal(result.stderr.split('\n')[0], 'Target database: postgres://app:***@127.0.0.1:9/db')
    assert.equal(result.stderr.includes('s3cret'), false, result.stderr)
    for (const flag of ['-q', '--json']) {
      const quiet = await mig(made.dir, ['--url', url, flag, 'stamp', 'head'])
      assert.equal(quiet.code, 0, quiet.stderr)
      assert.equal(quiet.stderr, '')
    }
  })

  test('the embedded default is named by its folder', async () => {
    await freshPgliteDir(join(made.dir, '.migraph/pglite'))
    const result = await mig(made.dir, ['ensure-version'], { timeoutMs: 300_000 })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stderr.split('\n')[0],
      `Target database: embedded database at ${join(made.dir, '.migraph/pglite')}`,
    )
  })

  test('read-only commands and --sql name nothing', async () => {
    for (const args of [['current'], ['history'], ['upgrade', 'head', '--sql']]) {
      const result = await mig(made.dir, ['--url', url, ...args])
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stderr, '', `mig ${args.join(' ')}`)
    }
  })
})

describe('read-only commands on an embedded database that does not exist', () => {
  const made = project("export default { migrations: 'migrations' }\n")
  const parent = join(made.dir, 'missing')
  after(() => made.cleanup())

  const urls = [
    ['sqlite', `sqlite:${join(parent, 'x.db')}`, join(parent, 'x.db')],
    ['pglite', `pglite:${join(parent, 'data')}`, join(parent, 'data')],
  ] as const
  for (const [name, url, location] of urls) {
    for (const args of [['current'], ['check'], ['history', '-r', 'base:current'], ['show', 'current']]) {
      test(`${name}: mig ${args.join(' ')} says so, and creates nothing`, async () => {
        assertOneLineError(
          await mig(made.dir, ['--url', url, ...args]),
          new RegExp(`the database ${url.replace(/[.]/g, '\\.')} does not exist \\(nothing at ${location}`),
        )
        assert.equal(existsSync(parent), false)
      })
    }
  }

  test('the embedded default not existing yet is normal: nothing applied, nothing created', async () => {
    const result = await mig(made.dir, ['current'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, '')
    assert.equal(existsSync(join(made.dir, '.migraph')), false)
  })
})

describe('timeouts', () => {
  const made = project("export default { migrations: 'migrations' }\n")
  after(() => made.cleanup())
  const url = `sqlite:${join(made.dir, 'app.db')}`

  for (const value of ['abc', '', '-1', 'NaN', 'Infinity', '1e3', '99999999999']) {
    for (const option of ['--lock-timeout', '--connect-timeout']) {
      test(`${option} '${value}' is refused by name`, async () => {
        const result = await mig(made.dir, ['--url', url, option, value, 'upgrade', 'head'])
        assert.equal(result.code, 1, result.stderr)
        const lines = result.stderr.split('\n').filter((line) => line !== '')
        assert.equal(lines.length, 1, result.stderr)
        assert.match(lines[0] ?? '', new RegExp(`^error: ${option} '${value}' (is|must)`))
        assert.equal(existsSync(join(made.dir, 'app.db')), false)
      })
    }
  }

  test('--connect-timeout 0 is refused; --lock-timeout 0 means do not wait', async () => {
    const refused = await mig(made.dir, ['--url', url, '--connect-timeout', '0', 'upgrade', 'head'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /^error: --connect-timeout '0' must be more than 0/)
    const ran = await mig(made.dir, ['--url', url, '--lock-timeout', '0', 'upgrade', 'head'])
    assert.equal(ran.code, 0, ran.stderr)
  })

  for (const [key, value, pattern] of [
    ['lockTimeout', "'abc'", /config key 'lockTimeout' is not a number \("abc"\)/],
    ['lockTimeout', '-1', /config key 'lockTimeout' is negative \(-1\)/],
    ['lockTimeout', 'NaN', /config key 'lockTimeout' is not a number \(NaN\)/],
    ['connectTimeout', '0', /config key 'connectTimeout' must be more than 0 \(0\)/],
    ['connectTimeout', 'Infinity', /config key 'connectTimeout' is more than 2147483647 ms/],
  ] as const) {
    test(`config ${key}: ${value} is refused naming the file and key`, async () => {
      const bad = project(`export default { migrations: 'migrations', ${key}: ${value} }\n`)
      try {
        assertOneLineError(await mig(bad.dir, ['heads']), pattern)
      } finally {
        bad.cleanup()
      }
    })
  }
})

describe('a deleted working directory', () => {
  const made = project("export default { migrations: 'migrations' }\n")
  before(() => mkdirSync(join(made.dir, 'gone')))
  after(() => made.cleanup())

  for (const args of [['heads'], ['current'], ['upgrade', 'head'], ['--json', 'history']]) {
    test(`mig ${args.join(' ')}: one line, no stack trace`, async () => {
      const gone = join(made.dir, 'gone')
      mkdirSync(gone, { recursive: true })
      // The shell enters the folder, which is then removed under it, as `rm -rf` from elsewhere does.
      const result = await runProcess('sh', [
        '-c',
        'cd "$1" && rmdir "$1" && shift && exec "$@"',
        'sh',
        gone,
        process.execPath,
        MIG_BIN,
        ...args,
      ])
      assert.equal(result.code, 1, result.stderr)
      assert.equal(
        result.stderr,
        'error: the working directory no longer exists (it was deleted or moved); cd to an existing folder and run the command again\n',
      )
      if (args.includes('--json')) assert.equal(JSON.parse(result.stdout).error.code, 'cwd-missing')
      else assert.equal(result.stdout, '')
      assert.deepEqual(readdirSync(made.dir).sort(), ['migrate.config.ts', 'migrations', 'node_modules'])
    })
  }
})
