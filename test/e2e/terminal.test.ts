// What `mig` shows a person at a terminal, through the real binary: colour only where it belongs,
// step counters and a closing summary, `-q`, help with examples, shell completion, suggestions
// only for near misses, the `.gitignore` that `init` maintains, and the line that explains the
// wait while the embedded database is created.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { MIG_BIN, mig, tempProject } from '../helpers/mig.js'
import { writeConfig, writeRevision } from '../helpers/project-files.js'
import { createPostgresDatabase, POSTGRES_URL } from '../helpers/servers.js'

const ESC = '\u001b['
/** No colour variable from the test's own environment. */
const PLAIN = { FORCE_COLOR: undefined, NO_COLOR: undefined }
const SQLITE = ['--url', 'sqlite:app.db']

function threeRevisions(dir: string): void {
  writeConfig(dir)
  writeRevision(dir, 'migrations', { id: 'a1', message: 'one' })
  writeRevision(dir, 'migrations', { id: 'b1', down: 'a1', message: 'two' })
  writeRevision(dir, 'migrations', { id: 'c1', down: 'b1', message: 'three' })
}

describe('mig at a terminal', () => {
  let project: ReturnType<typeof tempProject>
  let dir: string
  before(() => {
    project = tempProject('mig-terminal-')
    dir = project.dir
    threeRevisions(dir)
  })
  after(() => project.cleanup())

  test('steps are counted, and a summary names what ran, how long it took and where', async () => {
    const up = await mig(dir, [...SQLITE, 'upgrade', 'head'], { env: PLAIN })
    assert.equal(up.code, 0, up.stderr)
    const lines = up.stderr.trimEnd().split('\n')
    assert.deepEqual(
      lines.slice(0, 4).map((l) => l.replace(/ \([\d.]+ ms\)$/, '')),
      [
        'Target database: sqlite:app.db',
        '[1/3] Running upgrade  -> a1, one',
        '[2/3] Running upgrade a1 -> b1, two',
        '[3/3] Running upgrade b1 -> c1, three',
      ],
    )
    assert.match(lines[4] ?? '', /^Upgraded sqlite:app\.db to c1: 3 revisions applied in [\d.]+ m?s$/)
    assert.equal(lines.length, 5)
    assert.ok(!up.stderr.includes(ESC), 'no colour off a terminal')

    const down = await mig(dir, [...SQLITE, 'downgrade', '-2'], { env: PLAIN })
    assert.match(down.stderr, /^\[1\/2\] Running downgrade c1 -> b1, three/m)
    assert.match(down.stderr, /^Downgraded sqlite:app\.db to a1: 2 revisions reverted in /m)

    const stamp = await mig(dir, [...SQLITE, 'stamp', 'c1'], { env: PLAIN })
    assert.match(stamp.stderr, /^Stamped sqlite:app\.db at c1 in .* \(no revision ran\)$/m)

    const again = await mig(dir, [...SQLITE, 'upgrade', 'head'], { env: PLAIN })
    assert.equal(again.stderr, 'Target database: sqlite:app.db\nNothing to upgrade: sqlite:app.db is at c1\n')
  })

  test('-q prints nothing but the result and errors', async () => {
    const other = tempProject('mig-quiet-')
    try {
      const init = await mig(other.dir, ['-q', 'init'], { env: PLAIN })
      assert.equal(init.code, 0, init.stderr)
      assert.deepEqual([init.stdout, init.stderr], ['', ''])
      assert.ok(existsSync(join(other.dir, 'migrate.config.ts')))
      writeConfig(other.dir)
      const revision = await mig(other.dir, ['revision', '-q', '-m', 'first'], { env: PLAIN })
      assert.deepEqual([revision.code, revision.stdout, revision.stderr], [0, '', ''])
      const up = await mig(other.dir, ['-q', ...SQLITE, 'upgrade', 'head'], { env: PLAIN })
      assert.deepEqual([up.code, up.stdout, up.stderr], [0, '', ''])
      const current = await mig(other.dir, ['-q', ...SQLITE, 'current'], { env: PLAIN })
      assert.match(current.stdout, /^[0-9a-f]{12} \(head\)\n$/)
      const check = await mig(other.dir, ['-q', ...SQLITE, 'check'], { env: PLAIN })
      assert.deepEqual([check.code, check.stdout, check.stderr], [0, '', ''])
      const bad = await mig(other.dir, ['-q', ...SQLITE, 'upgrade', 'nosuch'], { env: PLAIN })
      assert.equal(bad.code, 1)
      assert.match(bad.stderr, /^error: .*nosuch/)
    } finally {
      other.cleanup()
    }
  })

  test('colour follows FORCE_COLOR, NO_COLOR and --color/--no-color', async () => {
    const run = (args: string[], env: Record<string, string | undefined>) =>
      mig(dir, [...SQLITE, ...args, 'upgrade', 'nosuch'], { env: { ...PLAIN, ...env } })
    const coloured = async (args: string[], env: Record<string, string | undefined>) =>
      (await run(args, env)).stderr.includes(`${ESC}31merror:${ESC}39m`)
    assert.equal(await coloured([], {}), false)
    assert.equal(await coloured([], { FORCE_COLOR: '1' }), true)
    assert.equal(await coloured([], { FORCE_COLOR: '0' }), false)
    assert.equal(await coloured(['--color'], {}), true)
    assert.equal(await coloured(['--no-color'], { FORCE_COLOR: '1' }), false)
    assert.equal(await coloured(['--color'], { NO_COLOR: '1' }), true)
    // A usage error is found before the options are parsed; it follows them all the same.
    const usage = await mig(dir, ['--color', 'upgade'], { env: PLAIN })
    assert.ok(usage.stderr.startsWith(`${ESC}31merror:${ESC}39m unknown command 'upgade'`), usage.stderr)
  })

  test('on a real terminal, colour is on unless NO_COLOR is set', (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('no script(1) here')
    const inTerminal = (env: Record<string, string | undefined>) => {
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(MIG_BIN)} --url sqlite:app.db upgrade nosuch`
      const childEnv: Record<string, string | undefined> = { ...process.env, ...PLAIN, TERM: 'xterm', ...env }
      for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key]
      const result = spawnSync('script', ['-qec', command, '/dev/null'], {
        cwd: dir,
        encoding: 'utf8',
        env: childEnv as NodeJS.ProcessEnv,
        timeout: 120_000,
      })
      return result.stdout
    }
    assert.ok(inTerminal({}).includes(`${ESC}31merror:`), 'coloured on a terminal')
    assert.ok(!inTerminal({ NO_COLOR: '1' }).includes(ESC), 'NO_COLOR turns it off')
  })

  test('help shows examples; a command shows its own options and names the global ones once', async () => {
    const top = await mig(dir, ['--help'])
    assert.equal(top.code, 0)
    assert.match(top.stdout, /^Global options:$/m)
    assert.match(top.stdout, /^Examples:$/m)
    assert.match(top.stdout, /--lock-timeout/)
    const upgrade = await mig(dir, ['upgrade', '--help'])
    assert.equal(upgrade.code, 0)
    assert.match(upgrade.stdout, /^Examples:\n {2}mig upgrade head /m)
    assert.match(upgrade.stdout, /--sql/)
    assert.doesNotMatch(upgrade.stdout, /--lock-timeout +seconds|--connect-timeout +seconds|--url +database/)
    assert.match(upgrade.stdout, /^Global options: -c\/--config, --url, .*--connect-timeout/m)
    // Hidden from the help, still accepted.
    const lock = await mig(dir, ['heads', '--lock-timeout', '5'])
    assert.equal(lock.code, 0, lock.stderr)
  })

  test('mig completion prints a shell script that asks mig for the commands', async () => {
    const script = await mig(dir, ['completion'])
    assert.equal(script.code, 0, script.stderr)
    assert.match(script.stdout, /--get-yargs-completions/)
    assert.match(script.stdout, /complete -o bashdefault -o default -F _mig_yargs_completions mig/)
    const words = await mig(dir, ['--get-yargs-completions', 'mig', 'up'])
    assert.equal(words.code, 0, words.stderr)
    assert.ok(words.stdout.split('\n').includes('upgrade'), words.stdout)
  })

  test('an unknown command gets a suggestion only when it is a near miss', async () => {
    const cases: [string[], string][] = [
      [['deploy'], "error: unknown command 'deploy' (see mig --help)\n"],
      [['upgade', 'head'], "error: unknown command 'upgade' (did you mean 'upgrade'?) (see mig --help)\n"],
      [['histroy'], "error: unknown command 'histroy' (did you mean 'history'?) (see mig --help)\n"],
      [
        ['-c', 'migrate.config.ts', 'hed'],
        "error: unknown command 'hed' (did you mean 'heads' or 'seed'?) (see mig --help)\n",
      ],
      [['frobnicate'], "error: unknown command 'frobnicate' (see mig --help)\n"],
    ]
    for (const [args, expected] of cases) {
      const result = await mig(dir, args, { env: PLAIN })
      assert.equal(result.code, 1)
      assert.equal(result.stderr, expected)
    }
  })
})

describe('mig init and .gitignore', () => {
  test('creates .gitignore with the embedded database and the cache', async () => {
    const project = tempProject('mig-init-ignore-')
    try {
      const result = await mig(project.dir, ['init'], { env: PLAIN })
      assert.equal(result.code, 0, result.stderr)
      assert.equal(
        readFileSync(join(project.dir, '.gitignore'), 'utf8'),
        '.migraph/\nnode_modules/.cache/migraph/\n',
      )
      assert.match(
        result.stdout,
        /^Added \.migraph\/ and node_modules\/\.cache\/migraph\/ to .*\.gitignore$/m,
      )
    } finally {
      project.cleanup()
    }
  })

  test('appends to an existing .gitignore only what it does not already ignore', async () => {
    const project = tempProject('mig-init-append-')
    try {
      writeFileSync(join(project.dir, '.gitignore'), '/node_modules\ndist')
      const result = await mig(project.dir, ['init', 'db'], { env: PLAIN })
      assert.equal(result.code, 0, result.stderr)
      // `mig init db` keeps the project in db/: its own .gitignore, beside its config.
      assert.equal(
        readFileSync(join(project.dir, 'db/.gitignore'), 'utf8'),
        '.migraph/\nnode_modules/.cache/migraph/\n',
      )
      const here = await mig(project.dir, ['init'], { env: PLAIN })
      assert.equal(here.code, 0, here.stderr)
      assert.equal(readFileSync(join(project.dir, '.gitignore'), 'utf8'), '/node_modules\ndist\n.migraph/\n')
    } finally {
      project.cleanup()
    }
  })
})

describe('the embedded database', () => {
  test('the run that creates it says so first, once; -q keeps it quiet', async () => {
    const project = tempProject('mig-embedded-first-')
    const quiet = tempProject('mig-embedded-quiet-')
    try {
      for (const p of [project, quiet]) {
        writeConfig(p.dir)
        writeRevision(p.dir, 'migrations', { id: 'a1', message: 'one' })
      }
      const long = { env: PLAIN, timeoutMs: 600_000 }
      const first = await mig(project.dir, ['upgrade', 'head'], long)
      assert.equal(first.code, 0, first.stderr)
      const where = join(project.dir, '.migraph/pglite')
      assert.deepEqual(first.stderr.split('\n').slice(0, 2), [
        `Target database: embedded database at ${where}`,
        `Creating the embedded database in ${where} (first run only) …`,
      ])
      const second = await mig(project.dir, ['upgrade', 'head'], long)
      assert.equal(second.code, 0, second.stderr)
      assert.equal(
        second.stderr,
        `Target database: embedded database at ${where}\nNothing to upgrade: pglite:${where} is at a1\n`,
      )
      const silent = await mig(quiet.dir, ['-q', 'upgrade', 'head'], long)
      assert.deepEqual([silent.code, silent.stderr], [0, ''])
      assert.ok(existsSync(join(quiet.dir, '.migraph/pglite/PG_VERSION')))
    } finally {
      project.cleanup()
      quiet.cleanup()
    }
  })
})

describe('the summary masks the password', { skip: POSTGRES_URL === undefined }, () => {
  test('on PostgreSQL', async () => {
    const project = tempProject('mig-summary-pg-')
    const database = await createPostgresDatabase(POSTGRES_URL as string, 'mig_summary')
    try {
      threeRevisions(project.dir)
      const url = new URL(database.url)
      url.password = 's3cret-word'
      const up = await mig(project.dir, ['--url', url.href, 'upgrade', 'head'], { env: PLAIN })
      assert.equal(up.code, 0, up.stderr)
      assert.ok(!up.stderr.includes('s3cret-word'))
      const summary = up.stderr.trimEnd().split('\n').at(-1) ?? ''
      assert.match(summary, /^Upgraded postgres:\/\/[^@]*:\*\*\*@.* to c1: 3 revisions applied in /)
    } finally {
      await database.drop()
      project.cleanup()
    }
  })
})
